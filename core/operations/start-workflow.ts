/**
 * Start the workflow a request handed a cluster record to, with exactly one outcome even when
 * StartExecution's answer is lost (docs/adr/0033-claimed-workflows.md). The request has written
 * the record into the operation's in-progress status, owned by `execution`. The workflow's first
 * step claims that record (a conditional write: still in progress, still this execution) and ends
 * without touching anything when it cannot. So when StartExecution fails and DescribeExecution
 * cannot say whether it started either, the request releases the record only while it is
 * unclaimed: either the release wins (the request answers the error, a retry starts afresh, and a
 * late execution finds the record no longer its own) or the claim wins (the workflow runs, and the
 * request is accepted after all). Never both, never neither.
 */
import type { ClusterRecord } from '../cluster/model.ts';
import type { ClusterRef, Operation } from '../cluster/naming.ts';
import type { ClusterStatus } from '../cluster/status.ts';
import { ServiceUnavailableError } from '../errors.ts';
import type { ClusterChanges } from '../ports.ts';
import type { OperationDeps } from './deps.ts';

export interface ClaimedStart {
  operation: Operation;
  execution: string;
  input: object;
  cluster: ClusterRef;
  /** The status the request moved the record into (CREATING, DELETING, STOPPING, ...). */
  inProgress: ClusterStatus;
  /** What the record becomes when the workflow did not start. */
  release: ClusterChanges;
  /** Undo what only that workflow would have used (e.g. the create's secret), once released. */
  afterRelease?: () => Promise<void>;
}

/**
 * Resolves when the workflow runs (started, or found started, or it claimed the record); throws the
 * StartExecution error once the record is released. Should the release itself fail (AWS still
 * unreachable), the record stays in progress and unclaimed: the watchdog's sweep releases it
 * (core/workflow/stranded.ts).
 */
export async function startClaimedWorkflow(
  deps: Pick<OperationDeps, 'store' | 'workflows'>,
  start: ClaimedStart,
): Promise<void> {
  try {
    await deps.workflows.start(start.operation, start.execution, start.input);
    return;
  } catch (error) {
    // StartExecution may have failed only in its answer; unknown counts as not started, because the
    // release below is safe either way.
    if (await deps.workflows.exists(start.operation, start.execution).catch(() => false)) return;
    const released = await deps.store.releaseUnclaimed(
      start.cluster,
      { status: start.inProgress, execution: start.execution },
      start.release,
    );
    if (!released) return;
    await start.afterRelease?.().catch(() => undefined);
    throw error;
  }
}

/**
 * API Gateway ends every integration within 30 s (functions/http/api-handler.ts spends at most 29 s
 * of it): no request that handed a record to a workflow still works on it after that. A gateway
 * with another limit (the local one) sets `settings.requestLifetimeSeconds`.
 */
export const REQUEST_LIFETIME_SECONDS = 30;

export type ResumedStart =
  /** The workflow runs (or claimed the record meanwhile): the retry is answered as accepted. */
  | { running: true; record: ClusterRecord }
  /** No workflow will ever claim the record: it is released, and the retry does the operation again. */
  | { running: false; record: ClusterRecord };

/**
 * The same request sent again while its record is still in progress: an earlier attempt answered
 * 503 because StartExecution failed and the release failed too (AWS unreachable), which left the
 * record in progress with no workflow. Rather than answer the retry 409 until the watchdog's sweep
 * (core/workflow/stranded.ts) releases it minutes later, the retry settles it now: accepted when the
 * workflow exists; 503 with Retry-After while a request may still be starting it; otherwise
 * released as the sweep would, and handed back for the operation to run again.
 */
export async function resumeStart(
  deps: Pick<OperationDeps, 'store' | 'workflows' | 'clock' | 'settings'>,
  record: ClusterRecord,
  start: { operation: Operation; release: ClusterChanges; afterRelease?: () => Promise<void> },
): Promise<ResumedStart> {
  const execution = record.execution ?? '';
  if (await deps.workflows.exists(start.operation, execution)) return { running: true, record };
  const ageSeconds = (deps.clock.now().getTime() - Date.parse(record.updatedAt)) / 1000;
  const lifetime = deps.settings.requestLifetimeSeconds ?? REQUEST_LIFETIME_SECONDS;
  if (ageSeconds < lifetime) {
    throw new ServiceUnavailableError(
      `The ${start.operation} of cluster ${record.clusterId} is still being started by an earlier request; retry shortly.`,
      Math.max(1, Math.ceil(lifetime - ageSeconds)),
    );
  }
  const released = await deps.store.releaseUnclaimed(
    record,
    { status: record.status, execution },
    start.release,
  );
  if (released) await start.afterRelease?.().catch(() => undefined);
  const current = await deps.store.get(record);
  if (!current) throw new ServiceUnavailableError(`Cluster ${record.clusterId} changed; retry shortly.`);
  // Not released: its workflow claimed it, or another retry moved it on (in progress again, or not).
  return { running: !released && current.status === record.status, record: current };
}
