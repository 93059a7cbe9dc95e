/**
 * Builds the Vault JS modal page's browser module (`browser/vault-modal-page.ts` and its CSS) with Vite, into memory:
 * once per process, on first use, so every sandbox serves the same checked build and a clean clone needs no build
 * step. A failed build is not cached: the next request tries again (after the source is fixed, say).
 */
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

export interface VaultModalAssets {
  /** `/modal.js`: one self-contained ES module (zod/mini inside), no import. */
  script: string;
  /** `/modal.css`. */
  styles: string;
}

const BROWSER_DIR = fileURLToPath(new URL('./browser/', import.meta.url));
const ENTRY = fileURLToPath(new URL('./browser/vault-modal-page.ts', import.meta.url));

let pending: Promise<VaultModalAssets> | undefined;

/**
 * Vite's `build()` sets `process.env.NODE_ENV` for the whole process when it is unset; the sandbox runs inside other
 * tools' processes (test runners, Vite's dev server), so it puts the value back.
 */
async function keepingNodeEnv<T>(task: () => Promise<T>): Promise<T> {
  const before = process.env.NODE_ENV;
  try {
    return await task();
  } finally {
    if (before === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = before;
  }
}

async function buildAssets(): Promise<VaultModalAssets> {
  const result = await keepingNodeEnv(() => build({
    configFile: false,
    root: BROWSER_DIR,
    logLevel: 'error',
    publicDir: false,
    envDir: false,
    css: { postcss: {} },
    build: {
      write: false,
      target: 'es2022',
      // Unminified: readable in the browser's tools, and nothing measures its size.
      minify: false,
      sourcemap: false,
      modulePreload: false,
      cssCodeSplit: false,
      copyPublicDir: false,
      reportCompressedSize: false,
      rolldownOptions: {
        input: ENTRY,
        output: { format: 'es', entryFileNames: 'modal.js', assetFileNames: 'modal[extname]' },
      },
    },
  }));
  const outputs = (Array.isArray(result) ? result : [result]).flatMap((each) => ('output' in each ? each.output : []));
  const script = outputs.find((file) => file.type === 'chunk' && file.isEntry);
  const styles = outputs.find((file) => file.type === 'asset' && file.fileName.endsWith('.css'));
  if (script?.type !== 'chunk' || styles?.type !== 'asset') {
    throw new Error(`the build of ${ENTRY} gave ${outputs.map((file) => file.fileName).join(', ') || 'nothing'}`);
  }
  if (outputs.some((file) => file.type === 'chunk' && !file.isEntry)) throw new Error(`the build of ${ENTRY} is split into chunks`);
  return { script: script.code, styles: typeof styles.source === 'string' ? styles.source : new TextDecoder().decode(styles.source) };
}

/** The built page module and styles; the first call builds them (a few hundred milliseconds). */
export function vaultModalAssets(): Promise<VaultModalAssets> {
  if (!pending) {
    const building = buildAssets();
    pending = building;
    building.catch(() => {
      if (pending === building) pending = undefined;
    });
  }
  return pending;
}
