/**
 * The react-vault side of `bench/compare.ts`: a minimal React 19 page that renders Apideck's own `<Vault>` open at once
 * (it shows its connection list in a modal), as a host following react-vault's README would. Built by `vite.build` in
 * production mode (see `buildReactVault` in `bench/compare.ts`). The session token and the Vault API base come from the
 * page's `#token=…&base=…` fragment, read the same way by the `<vault-connect>` page.
 */
import { Vault } from '@apideck/react-vault';
import '@apideck/react-vault/dist/styles.css';
import { createElement } from 'react';
import { createRoot } from 'react-dom/client';

const params = new URLSearchParams(location.hash.slice(1));
const container = document.getElementById('root');
if (!container) throw new Error('#root is missing');
createRoot(container).render(createElement(Vault, { token: params.get('token') ?? '', unifyBaseUrl: params.get('base') ?? '', open: true }));
