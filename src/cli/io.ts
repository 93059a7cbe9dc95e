/** What a subcommand reads and writes, passed in so tests can run it in-process; `process` by default. */
export interface CliIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  env: NodeJS.ProcessEnv;
  /** Registers a handler for SIGINT/SIGTERM; returns the function that removes it. */
  onSignal(handler: (signal: 'SIGINT' | 'SIGTERM') => void): () => void;
}

export function processIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    onSignal(handler) {
      const onInt = () => handler('SIGINT');
      const onTerm = () => handler('SIGTERM');
      process.on('SIGINT', onInt);
      process.on('SIGTERM', onTerm);
      return () => {
        process.off('SIGINT', onInt);
        process.off('SIGTERM', onTerm);
      };
    },
  };
}

/** A subcommand: runs with its arguments and answers the exit code. */
export type Command = (args: string[], io: CliIo) => Promise<number>;

/** Exit codes every subcommand uses. */
export const EXIT = {
  ok: 0,
  /** Some rows (or items) failed; the run itself completed. */
  failures: 1,
  /** Usage or configuration error, or a failure that stopped the whole run. */
  error: 2,
  /** Stopped by Ctrl+C (128 + SIGINT). */
  interrupted: 130,
} as const;
