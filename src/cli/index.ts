/**
 * `npx vault-connect <command>`: the dispatcher behind the package's command (`bin.ts`, built to `dist/cli.js`). It
 * only dispatches: each command lives in its own file and is loaded when named.
 */
import { type CliIo, type Command, EXIT, processIo } from './io.ts';

/** The commands, each loaded on use. Add one by adding a line here and a file beside this one. */
const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  import: {
    summary: 'import existing connections (JSON Lines or CSV) into Apideck Vault',
    load: async () => (await import('./import-command.ts')).importCommand,
  },
  'rotate-key': {
    summary: 're-encrypt the stored VaultRE tokens (postgresStore, redisStore) under the current key',
    load: async () => (await import('./rotate-key-command.ts')).rotateKeyCommand,
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
