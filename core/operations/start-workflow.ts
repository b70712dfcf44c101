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
  deps: Pick<OperationDeps, 'store' | 'workflows'> & { settings?: OperationDeps['settings'] },
  start: ClaimedStart,
): Promise<void> {
  try {
    await deps.workflows.start(start.operation, start.execution, start.input);
    return;
  } catch (error) {
    // StartExecution may have failed only in its answer; unknown counts as not started, because the
    // release below is safe either way.
    if (await deps.workflows.exists(start.operation, start.execution).catch(() => false)) return;
    const released = await deps.store
      .releaseUnclaimed(
        start.cluster,
        { status: start.inProgress, execution: start.execution },
        start.release,
      )
      .catch((releaseError: unknown) => {
        // Left in progress with no workflow: the same request, sent after the request lifetime,
        // finds it abandoned and runs the operation again (resumeStart).
        throw leftInProgress(deps, releaseError);
      });
    if (!released) return;
    await start.afterRelease?.().catch(() => undefined);
    throw error;
  }
}

/** A 503 that sends the client back once no request can still be starting the operation. */
export function leftInProgress(deps: { settings?: OperationDeps['settings'] }, cause: unknown): Error {
  return new ServiceUnavailableError(
    'AWS did not answer in time to start the operation or to undo its first step; send the same request again after Retry-After.',
    requestLifetimeSeconds(deps),
    { cause },
  );
}

/**
 * API Gateway ends every integration within 30 s (functions/http/api-handler.ts spends at most 29 s
 * of it): no request that handed a record to a workflow still works on it after that. A gateway
 * with another limit (the local one) sets `settings.requestLifetimeSeconds`.
 */
export const REQUEST_LIFETIME_SECONDS = 30;

export type ResumedStart =
  /** Its workflow runs, or a request may still be starting it: the record is left as it is. */
  | { abandoned: false }
  /** No workflow will claim it: released now (or moved on by another request); the record as it is now. */
  | { abandoned: true; record: ClusterRecord };

/** How long a request can live, here: no request that wrote a record still works on it after this. */
export function requestLifetimeSeconds(deps: { settings?: OperationDeps['settings'] }): number {
  return deps.settings?.requestLifetimeSeconds ?? REQUEST_LIFETIME_SECONDS;
}

/**
 * A request finds the record in progress for its own operation. Usually its workflow runs, or the
 * request that wrote it is still starting it: the caller answers as for any record in progress
 * (409 for a create). But when an earlier request answered 503 because StartExecution failed and
 * the release failed too (AWS unreachable), the record was left in progress with no workflow, and
 * the retry would get that answer until the watchdog's sweep (core/workflow/stranded.ts) released
 * it minutes later. That 503 told the client to come back after the request lifetime; by then the
 * record is abandoned, and the retry releases it as the sweep would and runs the operation again.
 */
export async function resumeStart(
  deps: Pick<OperationDeps, 'store' | 'workflows' | 'clock' | 'settings'>,
  record: ClusterRecord,
  start: { operation: Operation; release: ClusterChanges; afterRelease?: () => Promise<void> },
): Promise<ResumedStart> {
  const ageSeconds = (deps.clock.now().getTime() - Date.parse(record.updatedAt)) / 1000;
  if (ageSeconds < requestLifetimeSeconds(deps)) return { abandoned: false };
  const execution = record.execution ?? '';
  if (await deps.workflows.exists(start.operation, execution)) return { abandoned: false };
  const released = await deps.store.releaseUnclaimed(
    record,
    { status: record.status, execution },
    start.release,
  );
  if (released) await start.afterRelease?.().catch(() => undefined);
  const current = await deps.store.get(record);
  if (!current) throw new ServiceUnavailableError(`Cluster ${record.clusterId} changed; retry shortly.`);
  // Not released and still in progress: its workflow claimed it meanwhile.
  if (!released && current.status === record.status) return { abandoned: false };
  return { abandoned: true, record: current };
}
