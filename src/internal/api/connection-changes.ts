/**
 * What changed between two reads of the list, for the contract's events: a connection whose state, `enabled`,
 * `health`, `integration_state`, `credentials_expire_at` or `updated_at` differs, or a new one, changed; one that is
 * gone, or that Apideck lists as `available` again (how it lists a deleted connection), was deleted.
 */
import { connectionKey } from './connection-status.ts';
import type { Connection } from './schemas.ts';

/** The fields whose change a host hears about. */
const WATCHED = ['state', 'enabled', 'health', 'integration_state', 'credentials_expire_at', 'updated_at'] as const;

/** Whether two reads of one connection differ in a field a host hears about. */
export function connectionChanged(before: Connection, after: Connection): boolean {
  return WATCHED.some((field) => before[field] !== after[field]);
}

export interface ListChanges {
  changed: Connection[];
  deleted: Connection[];
}

export function listChanges(before: readonly Connection[], after: readonly Connection[]): ListChanges {
  const previous = new Map(before.map((connection) => [connectionKey(connection), connection]));
  const changes: ListChanges = { changed: [], deleted: [] };
  for (const connection of after) {
    const key = connectionKey(connection);
    const old = previous.get(key);
    previous.delete(key);
    if (old && connection.state === 'available' && old.state !== 'available') changes.deleted.push(connection);
    else if (!old || connectionChanged(old, connection)) changes.changed.push(connection);
  }
  changes.deleted.push(...previous.values());
  return changes;
}
