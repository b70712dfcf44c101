/**
 * Records left in progress with no workflow (docs/adr/0033-claimed-workflows.md). A request hands a
 * record to a workflow (CREATING, DELETING, ...) and, when the workflow does not start, releases it;
 * should that release fail too (AWS unreachable to the end of the request's budget), or a workflow
 * stop without recording its outcome, the record would stay in progress for ever. The watchdog,
 * every minute, finds in-progress records whose execution is not running and that have not changed
 * for `graceSeconds`, and moves each to its operation's retryable *_FAILED status with a reason.
 * An execution that has not claimed its record is released only while still unclaimed (a late
 * start then finds the record not its own and touches nothing); one that claimed it and ended is
 * marked on the record's version, so a write by anyone else since wins. A delete that never started
 * is started again, as the delete API does for a retry (core/operations/start-workflow.ts resumeStart).
 */
import type { ClusterRecord } from '../cluster/model.ts';
import type { ClusterStatus } from '../cluster/status.ts';
import type { ClusterChanges } from '../ports.ts';

/** Long enough for a StartExecution still in flight, and for the claim that follows it. */
export const STRANDED_GRACE_SECONDS = 5 * 60;

const OUTCOME: Partial<Record<ClusterStatus, { status: ClusterStatus; what: string; retry: string }>> = {
  CREATING: { status: 'CREATE_FAILED', what: 'create', retry: 'create the cluster again (or delete it)' },
  DELETING: { status: 'DELETE_FAILED', what: 'delete', retry: 'retry the delete' },
  UPDATING: { status: 'UPDATE_FAILED', what: 'update', retry: 'retry the update' },
  STOPPING: { status: 'STOP_FAILED', what: 'stop', retry: 'retry the stop' },
  STARTING: { status: 'START_FAILED', what: 'start', retry: 'retry the start' },
};

export interface StrandedDeps {
  /** Every record in an in-progress status. */
  inProgress(): Promise<readonly ClusterRecord[]>;
  /** The names of the lifecycle executions running now. */
  running: ReadonlySet<string>;
  /** core/ports.ts ClusterStore.releaseUnclaimed. */
  releaseUnclaimed(
    record: ClusterRecord,
    expect: { status: ClusterStatus; execution: string },
    changes: ClusterChanges,
  ): Promise<boolean>;
  /** A write conditional on the record's version and status; false when the record changed. */
  markOnVersion(record: ClusterRecord, changes: ClusterChanges): Promise<boolean>;
  /**
   * Start the delete again once a DELETING record whose workflow never started is released (to
   * DELETE_FAILED): a delete that was asked for, by a user or by the reaper, is not dropped.
   */
  restartDelete?(record: ClusterRecord): Promise<void>;
  now: Date;
  graceSeconds?: number;
}

export interface StrandedReport {
  released: { clusterId: string; team: string; from: ClusterStatus; to: ClusterStatus }[];
  /** Deletes started again after their first workflow never started. */
  restarted: { clusterId: string; team: string }[];
  errors: number;
}

export function strandedChanges(status: ClusterStatus): ClusterChanges | undefined {
  const outcome = OUTCOME[status];
  if (!outcome) return undefined;
  return {
    status: outcome.status,
    statusReason: `The ${outcome.what} workflow did not run to its end (it never started, or stopped without recording an outcome); ${outcome.retry}.`,
    ...(status === 'UPDATING' ? { pendingParameters: null } : {}),
  };
}

export async function releaseStranded(deps: StrandedDeps): Promise<StrandedReport> {
  const report: StrandedReport = { released: [], restarted: [], errors: 0 };
  const graceMs = (deps.graceSeconds ?? STRANDED_GRACE_SECONDS) * 1000;
  for (const record of await deps.inProgress()) {
    const changes = strandedChanges(record.status);
    if (!changes?.status || !record.execution) continue;
    if (deps.running.has(record.execution)) continue;
    if (deps.now.getTime() - Date.parse(record.updatedAt) < graceMs) continue;
    try {
      const expect = { status: record.status, execution: record.execution };
      const neverStarted = await deps.releaseUnclaimed(record, expect, changes);
      const done = neverStarted || (await deps.markOnVersion(record, changes));
      if (done)
        report.released.push({
          clusterId: record.clusterId,
          team: record.team,
          from: record.status,
          to: changes.status,
        });
      // Only a delete that never ran is started again: one that ran and ended without an outcome
      // waits for a person, so that a delete which keeps failing does not loop.
      if (neverStarted && record.status === 'DELETING' && deps.restartDelete) {
        await deps.restartDelete(record);
        report.restarted.push({ clusterId: record.clusterId, team: record.team });
      }
    } catch {
      // One record's failure must not hide the others'; the next sweep tries again.
      report.errors += 1;
    }
  }
  return report;
}
