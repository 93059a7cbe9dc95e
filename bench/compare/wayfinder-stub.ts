/**
 * Stands in for `@apideck/wayfinder` in the react-vault build. Its only published 0.2.5 tarball (what react-vault's
 * `^0.2.3` resolves to) holds just README.md and package.json, no `dist/`, so a bundler cannot resolve it. react-vault
 * uses it only in the field-mapping editor, never in the connection list: stubbing it can only make react-vault's
 * bundle smaller than a working install would be, so the JavaScript comparison stays a lower bound for react-vault.
 */
export function WayFinder(): null {
  return null;
}
