/**
 * What each connector's rows must hold depends on its auth type, which only the Vault API knows: the first row of a
 * connector reads the connection (with that row's consumer), and every later row of the connector shares the answer.
 * An unknown connector is remembered too; a read that failed for a passing reason (429, 5xx, network) is not.
 */
import type { CallResult, VaultCalls } from './vault-calls.ts';
import { ConnectionReplySchema } from './vault-calls.ts';
import type { ConnectorFacts } from './validate-row.ts';
import type { RowProblem } from './types.ts';

export type FactsLookup = { facts: ConnectorFacts } | { problem: RowProblem };

function toLookup(result: CallResult, unifiedApi: string, serviceId: string): { lookup: FactsLookup; keep: boolean } {
  if (!result.ok) {
    if (result.status === 404) {
      return {
        lookup: { problem: { code: 'unknown_connector', field: 'service_id', message: `Apideck has no ${unifiedApi} connector ${serviceId} for this application.` } },
        keep: true,
      };
    }
    const transient = result.code !== 'import_rejected';
    return {
      lookup: {
        problem: {
          code: result.code,
          message: `Reading the ${serviceId} connector's auth type failed${result.status !== undefined ? ` (HTTP ${result.status})` : ''}.`,
        },
      },
      keep: !transient,
    };
  }
  const parsed = ConnectionReplySchema.safeParse(result.reply);
  if (!parsed.success || parsed.data.data.auth_type === undefined) {
    return { lookup: { problem: { code: 'invalid_response', message: `Apideck's reply for the ${serviceId} connector has no auth type.` } }, keep: false };
  }
  const data = parsed.data.data;
  return {
    lookup: {
      facts: {
        authType: data.auth_type!,
        ...(data.integration_state !== undefined ? { integrationState: data.integration_state } : {}),
        requiredSettings: (data.form_fields ?? []).filter((field) => field.required === true).map((field) => field.id),
      },
    },
    keep: true,
  };
}

export function createConnectorFacts(calls: VaultCalls) {
  const known = new Map<string, Promise<FactsLookup>>();
  return {
    /** The facts of `unifiedApi`/`serviceId`, read once (with `consumerId`'s headers) and then shared. */
    lookup(consumerId: string, unifiedApi: string, serviceId: string): Promise<FactsLookup> {
      const key = `${unifiedApi}/${serviceId}`;
      let pending = known.get(key);
      if (!pending) {
        pending = calls.readConnection(consumerId, unifiedApi, serviceId).then((result) => {
          const { lookup, keep } = toLookup(result, unifiedApi, serviceId);
          if (!keep) known.delete(key);
          return lookup;
        });
        known.set(key, pending);
        // A fatal error (the key refused) rejects every waiting row; the run stops on it.
        pending.catch(() => known.delete(key));
      }
      return pending;
    },
  };
}
