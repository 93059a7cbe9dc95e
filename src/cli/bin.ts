/** The `vault-connect` program (`bin` in package.json, built to `dist/cli.js`): runs `main()` on the process's arguments. */
import { EXIT } from './io.ts';
import { main } from './index.ts';

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
