/**
 * `npm run docs:check` (after `docs:api --check`): every relative link in README.md, CHANGELOG.md, SECURITY.md and
 * docs/*.md names a file of the repository, and every `#anchor` a heading of the page it points to, so moving a
 * section cannot leave a link dangling. External links are not followed (no network).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
const pages = ['README.md', 'CHANGELOG.md', 'SECURITY.md', ...readdirSync(path.join(root, 'docs')).filter((name) => name.endsWith('.md')).map((name) => `docs/${name}`)];

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to dashes; repeats get `-1`, `-2`. */
function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  let inFence = false;
  for (const line of markdown.split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) inFence = !inFence;
    const heading = !inFence && /^#{1,6}\s+(.*)$/.exec(line);
    if (!heading) continue;
    const slug = heading[1]
      .trim()
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return anchors;
}

/** Links and images outside code: `[text](target)`; code spans and fenced blocks are skipped. */
function linksOf(markdown: string): string[] {
  const prose = markdown.replace(/^(```|~~~)[\s\S]*?^\1/gm, '').replace(/`[^`\n]*`/g, '');
  return [...prose.matchAll(/!?\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((match) => match[1]);
}

const problems: string[] = [];
for (const page of pages) {
  const markdown = readFileSync(path.join(root, page), 'utf8');
  for (const target of linksOf(markdown)) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto: …
    const [file = '', anchor] = target.split('#');
    const resolved = file === '' ? path.join(root, page) : path.join(root, path.dirname(page), decodeURIComponent(file));
    if (!existsSync(resolved)) {
      problems.push(`${page}: ${target}: no such file`);
      continue;
    }
    if (anchor && resolved.endsWith('.md') && !anchorsOf(readFileSync(resolved, 'utf8')).has(anchor)) {
      problems.push(`${page}: ${target}: no heading with that anchor`);
    }
  }
}

if (problems.length > 0) {
  console.error(`docs: ${problems.length} broken link(s):\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log(`docs: every relative link in ${pages.length} pages resolves.`);
