/**
 * `npx vault-connect <command>`: the package's command-line entry (`bin` in package.json, built to `dist/cli.js`). It
 * only dispatches: each command lives in its own file and is loaded when named.
 */
import { fileURLToPath } from 'node:url';
import { realpathSync } from 'node:fs';
import { type CliIo, type Command, EXIT, processIo } from './io.ts';

/** The commands, each loaded on use. Add one by adding a line here and a file beside this one. */
const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  import: {
    summary: 'import existing connections (JSON Lines or CSV) into Apideck Vault',
    load: async () => (await import('./import-command.ts')).importCommand,
  },
};

const USAGE = `Usage: vault-connect <command> [options]

Commands:
${Object.entries(COMMANDS)
  .map(([name, { summary }]) => `  ${name.padEnd(12)} ${summary}`)
  .join('\n')}

Run "vault-connect <command> --help" for a command's options.
`;

export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(USAGE);
    return name === undefined ? EXIT.error : EXIT.ok;
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command) {
    io.stderr.write(`vault-connect: unknown command "${name.replace(/[^\x20-\x7e]/g, '?').slice(0, 40)}".\n\n${USAGE}`);
    return EXIT.error;
  }
  return (await command.load())(args, io);
}

/** Whether this module is the program node was started with (and not imported by a test). */
function isEntry(): boolean {
  const started = process.argv[1];
  if (!started) return false;
  try {
    return realpathSync(started) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntry()) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      // Unexpected: say so without the error's detail, which may quote a request (and so a secret).
      process.stderr.write(`vault-connect: unexpected failure (${error instanceof Error ? error.name : 'error'}).\n`);
      process.exitCode = EXIT.error;
    },
  );
}
