/**
 * Read-modify-write against the cluster record, read again when a conditional write finds it
 * changed meanwhile (a workflow recording its stack id, say). Each attempt re-checks every rule
 * on the fresh record, so a retry never acts on what it no longer sees.
 */
import type { ClusterRecord } from '../cluster/model.ts';
import { StaleRecordError } from '../errors.ts';

const ATTEMPTS = 3;

export async function withFreshRecord<T>(
  read: () => Promise<ClusterRecord>,
  act: (record: ClusterRecord) => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await act(await read());
    } catch (error) {
      if (!(error instanceof StaleRecordError) || attempt >= ATTEMPTS) throw error;
    }
  }
}
