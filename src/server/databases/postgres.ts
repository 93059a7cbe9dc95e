/**
 * The PostgreSQL side of `postgresStore` and `postgresLimiter`: a `pg` pool created on first use (the package is an
 * optional peer dependency), the table set up once, table names checked and quoted, and every failure turned into an
 * error that names the operation and never quotes the connection string or a value.
 */
import { loadOptionalPackage } from './optional-package.ts';
import { OutageReporter, type StoreErrorHandler } from './store-errors.ts';

export interface PostgresRows {
  rows: Record<string, unknown>[];
  rowCount: number | null;
}

/** The part of a `pg` `Pool` used here (and by rate-limiter-flexible's PostgreSQL limiter). */
export interface PgPool {
  query(text: string | { name?: string; text: string; values?: unknown[] }, values?: unknown[]): Promise<PostgresRows>;
  on(event: 'error', listener: (error: Error) => void): unknown;
  end(): Promise<void>;
}

interface PgModule {
  Pool: new (config: Record<string, unknown>) => PgPool;
}

/** A table option: `name` or `schema.name`, each an unquoted PostgreSQL identifier. */
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

export interface TableName {
  schema: string | undefined;
  table: string;
  /** `"schema"."table"` or `"table"`, ready to put in a statement. */
  quoted: string;
}

/**
 * Checks a `table` option and quotes it. Throws (naming the option, not quoting it) unless it is `name` or
 * `schema.name` made of letters, digits and underscores, starting with a letter or an underscore, each at most 63.
 */
export function tableName(value: unknown, fallback: string, who: string): TableName {
  const text = value === undefined ? fallback : value;
  const parts = typeof text === 'string' ? text.split('.') : [];
  if (parts.length < 1 || parts.length > 2 || !parts.every((part) => IDENTIFIER.test(part))) {
    throw new Error(
      `${who}: option "table" must be a table name such as "vault_tokens" or "app.vault_tokens" (letters, digits and "_", not starting with a digit, at most 63 each).`,
    );
  }
  const [schema, table] = parts.length === 2 ? [parts[0], parts[1]] : [undefined, parts[0]];
  const quoted = parts.map((part) => `"${part}"`).join('.');
  return { schema, table, quoted };
}



export interface PostgresDatabaseOptions {
  /** The store or limiter, for messages: `postgresStore`. */
  who: string;
  connectionString: string;
  timeoutMs: number;
  report: StoreErrorHandler;
  /** `CREATE TABLE IF NOT EXISTS …`, run once before the first query. */
  createTable: string;
  /** The table, quoted: a role that may not create tables may still use one made for it. */
  table: string;
}

/** One pool and its table, set up on first use; shared by all calls of one store or limiter. */
export class PostgresDatabase {
  readonly #options: PostgresDatabaseOptions;
  readonly #outage: OutageReporter;
  #ready: Promise<PgPool> | undefined;
  #pool: PgPool | undefined;
  #closed = false;

  constructor(options: PostgresDatabaseOptions) {
    this.#options = options;
    this.#outage = new OutageReporter(options.who, 'PostgreSQL', options.connectionString, options.report);
  }

  /** The pool, with the table in place. Concurrent first calls share one setup; a failed setup is tried again. */
  pool(): Promise<PgPool> {
    if (this.#closed) return Promise.reject(new Error(`${this.#options.who}: closed.`));
    this.#ready ??= this.#setUp();
    const ready = this.#ready;
    ready.catch(() => {
      if (this.#ready === ready) this.#ready = undefined;
    });
    return ready;
  }

  /** Runs one statement with its values as parameters; rejects with an error that names `operation`. */
  async query(operation: string, text: string, values: unknown[]): Promise<PostgresRows> {
    const pool = await this.pool();
    try {
      const result = await pool.query(text, values);
      this.#outage.succeeded();
      return result;
    } catch (error) {
      throw this.failure(operation, error);
    }
  }

  /** Reports a failed call (once per outage) and answers the error to reject with. */
  failure(operation: string, error: unknown): Error {
    return this.#outage.failure(operation, error);
  }

  /** A call succeeded by another path (the limiter's own queries). */
  succeeded(): void {
    this.#outage.succeeded();
  }

  /** Ends the pool (waiting for running queries). Calls after this reject. */
  async close(): Promise<void> {
    this.#closed = true;
    const pool = this.#pool;
    this.#pool = undefined;
    await pool?.end();
  }

  async #setUp(): Promise<PgPool> {
    const { who, connectionString, timeoutMs } = this.#options;
    let pool = this.#pool;
    if (!pool) {
      let pg: PgModule;
      try {
        const module = await loadOptionalPackage(who, 'pg', () => import('pg'));
        pg = ((module as { default?: PgModule }).default ?? module);
      } catch (error) {
        this.#outage.report('setup_failed', (error as Error).message);
        throw error;
      }
      if (this.#closed) throw new Error(`${who}: closed.`);
      pool = new pg.Pool({
        connectionString,
        connectionTimeoutMillis: timeoutMs,
        query_timeout: timeoutMs,
        application_name: 'vault-connect',
      });
      // An idle connection that dies emits `error` on the pool; unheard, it would crash the process.
      pool.on('error', (error) => {
        // `end()` resolves before its last connections are gone: a server stopping then is not news.
        if (!this.#outage.healthy || this.#closed) return;
        this.#outage.report('database_error', `${who}: lost a PostgreSQL connection: ${this.#outage.describe(error)}`);
      });
      this.#pool = pool;
    }
    try {
      await pool.query(this.#options.createTable);
    } catch (error) {
      // `IF NOT EXISTS` does not keep two processes creating the table at once from failing (23505, 42P07, 42710), and
      // a role without `CREATE` on the schema fails (42501) even when the table was made for it: either way, the
      // table being there now is what matters.
      if (!(await this.#tableExists(pool))) {
        const description = this.#outage.describe(error);
        this.#outage.report('setup_failed', `${who}: could not create its table: ${description}`);
        throw new Error(`${who}: could not create its table: ${description}`);
      }
    }
    this.#outage.succeeded();
    return pool;
  }

  async #tableExists(pool: PgPool): Promise<boolean> {
    try {
      const { rows } = await pool.query('SELECT to_regclass($1) IS NOT NULL AS present', [this.#options.table]);
      return rows[0]?.present === true;
    } catch {
      return false;
    }
  }
}
