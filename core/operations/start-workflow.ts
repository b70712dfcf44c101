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
import type { ClusterRef, Operation } from '../cluster/naming.ts';
import type { ClusterStatus } from '../cluster/status.ts';
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
