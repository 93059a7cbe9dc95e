// Part of `npm run size`: the modules a page loads with one request, `dist/vault-connect.js` (`<script type="module">`)
// and `dist/callback.js` (the callback page), must not import another file statically; a lazy `import()` is fine. The
// size budget (.size-limit.json) measures these files alone, so a static import would load code the budget never sees.
// Usage: node scripts/check-one-file.mjs [dist directory, default dist]
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { parseAst } from 'vite';

const PAGE_MODULES = ['vault-connect.js', 'callback.js'];
const STATIC_IMPORTS = new Set(['ImportDeclaration', 'ExportAllDeclaration', 'ExportNamedDeclaration']);

const dist = process.argv[2] ?? 'dist';
let failed = false;
for (const name of PAGE_MODULES) {
  const file = path.join(dist, name);
  let code;
  try {
    code = readFileSync(file, 'utf8');
  } catch {
    console.error(`✘ ${file} is missing: run \`npm run build\` first.`);
    failed = true;
    continue;
  }
  // Static imports and re-exports can only be top-level statements.
  const imported = parseAst(code)
    .body.filter((node) => STATIC_IMPORTS.has(node.type) && node.source)
    .map((node) => String(node.source.value));
  if (imported.length === 0) {
    console.log(`✔ ${file}: one self-contained module`);
    continue;
  }
  failed = true;
  for (const specifier of imported) {
    const target = path.join(dist, specifier);
    let size = '';
    try {
      size = ` (${gzipSync(readFileSync(target), { level: 9 }).length} B gzipped, outside the size budget)`;
    } catch {
      // A bare specifier or a missing file: the name alone says enough.
    }
    console.error(`✘ ${file} statically imports "${specifier}"${size}.`);
  }
  console.error(
    `  A page loading ${name} would fetch that file too, before the module runs. Everything it needs at load must be` +
      ' inside it: see `codeSplitting` in vite.config.ts (or vite.callback.config.ts).',
  );
}
process.exit(failed ? 1 : 0);
