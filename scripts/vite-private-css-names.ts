import MagicString from 'magic-string';
import type { Plugin } from 'vite';

/** `--_a`, `--_b`, … `--_z`, `--_aa`, … (bijective base 26). */
function shortName(index: number): string {
  let name = '';
  for (let rest = index; rest >= 0; rest = Math.floor(rest / 26) - 1) name = String.fromCharCode(97 + (rest % 26)) + name;
  return `--_${name}`;
}

/**
 * Shortens the element's private CSS custom properties (`--_color-text`, `--_spacing`, …) to `--_a`, `--_b`, … in the
 * library build, so the source keeps readable names and the first load does not pay for them. Private names are
 * those starting `--_`: set on `:host` from the public `--vc-*` ones and read only inside the shadow root, so no page
 * or test depends on them. Every module of `src/` is read before any chunk is written, and the names are numbered in
 * sorted order, so the element and its lazy chunks (the dialog's sheet) agree on each name.
 */
export function privateCssNames(): Plugin {
  const PRIVATE = /--_[a-z][a-z0-9-]*/g;
  const names = new Set<string>();
  let short: Map<string, string> | undefined;
  return {
    name: 'vault-connect:private-css-names',
    apply: 'build',
    transform(code, id) {
      if (/\/src\/.*\.ts$/.test(id)) for (const [name] of code.matchAll(PRIVATE)) names.add(name);
      return null;
    },
    renderChunk(code) {
      short ??= new Map([...names].sort().map((name, index) => [name, shortName(index)]));
      const renamed = new MagicString(code);
      for (const match of code.matchAll(PRIVATE)) {
        const to = short.get(match[0]);
        if (to) renamed.overwrite(match.index, match.index + match[0].length, to);
      }
      return renamed.hasChanged() ? { code: renamed.toString(), map: renamed.generateMap({ hires: true }) } : null;
    },
  };
}
