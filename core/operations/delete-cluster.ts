/**
 * DELETE /clusters/{id}: start the delete workflow, or ask the running workflow to delete when it is
 * done. Shared with the reaper, which tears down idle and expired clusters the same way.
 */
import { deletedRecordExpiry } from '../names/shared.ts';
import { toView, type ClusterRecord, type ClusterView } from '../cluster/model.ts';
import { executionName, type ClusterRef } from '../cluster/naming.ts';
import { deletePlan } from '../cluster/status.ts';
import { assertCanSee, type Principal } from '../principal.ts';
import type { DeleteInput } from '../workflow/inputs.ts';
import type { OperationDeps } from './deps.ts';
import { withFreshRecord } from './fresh-read.ts';
import { strandedChanges } from '../workflow/stranded.ts';
import { resumeStart, startClaimedWorkflow } from './start-workflow.ts';

export type DeleteDeps = Pick<OperationDeps, 'store' | 'workflows' | 'clock' | 'settings'>;

export async function deleteCluster(
  deps: DeleteDeps,
  principal: Principal,
  cluster: ClusterRef,
  options: { purge: boolean },
): Promise<ClusterView> {
  const read = async () => assertCanSee(principal, await deps.store.get(cluster), cluster.clusterId);
  return toView(
    await withFreshRecord(read, (current) =>
      startDelete(deps, current, { purge: options.purge, by: principal.sub }),
    ),
  );
}

/** Move a cluster towards DELETED, conditional on `current` being the stored record (the reaper relies on it). */
export async function startDelete(
  deps: DeleteDeps,
  current: ClusterRecord,
  options: { purge: boolean; by: string; reason?: string },
): Promise<ClusterRecord> {
  const now = deps.clock.now();
  const request = {
    purge: options.purge,
    recordTtl: deletedRecordExpiry(now, deps.settings.deletedRetentionDays),
  };
  const plan = deletePlan(current.clusterId, current.status);
  if (plan === 'already-deleting') {
    // A delete sent again after a 503 that could not give the record back (ADR 0033): settle it.
    const resumed = await resumeStart(deps, current, {
      operation: 'delete',
      release: strandedChanges('DELETING') ?? {},
    });
    return resumed.abandoned ? startDelete(deps, resumed.record, options) : current;
  }
  if (plan === 'after-current') {
    const updated = await deps.store.update(
      current,
      { version: current.version, statuses: [current.status] },
      {
        deleteRequested: request,
      },
    );
    await deps.store.appendEvent(current, {
      at: now.toISOString(),
      source: 'control-plane',
      kind: 'delete-requested',
      message: `${options.by} requested deletion; it starts when the running ${current.status.toLowerCase()} finishes`,
    });
    return updated;
  }
  const execution = executionName(current, 'delete', now);
  const updated = await deps.store.update(
    current,
    { version: current.version, statuses: [current.status] },
    {
      status: 'DELETING',
      statusReason: options.reason ?? null,
      deleteRequested: request,
      execution,
    },
  );
  const input: DeleteInput = {
    team: current.team,
    clusterId: current.clusterId,
    purge: options.purge,
    recordTtl: String(request.recordTtl),
    timing: deps.settings.timing,
  };
  // Should the workflow not start, the cluster goes back to where it was (the request answers the
  // error, typically a 503, and the delete may simply be sent again): nothing was deleted.
  await startClaimedWorkflow(deps, {
    operation: 'delete',
    execution,
    input,
    cluster: current,
    inProgress: 'DELETING',
    release: {
      status: current.status,
      statusReason: current.statusReason ?? null,
      deleteRequested: current.deleteRequested ?? null,
      ...(current.execution ? { execution: current.execution } : {}),
    },
  });
  await deps.store.appendEvent(current, {
    at: now.toISOString(),
    source: 'control-plane',
    kind: 'delete-requested',
    status: 'DELETING',
    message: `${options.by} requested deletion${options.purge ? ' with purge (bucket and snapshot removed)' : ' (bucket and final snapshot kept)'}${options.reason ? `: ${options.reason}` : ''}`,
  });
  return updated;
}

/**
 * The watchdog's side of a delete whose workflow never started (core/workflow/stranded.ts): the
 * record, released to DELETE_FAILED, is deleted again as it was asked (purge or not).
 */
export async function restartDelete(deps: DeleteDeps, stranded: ClusterRecord): Promise<void> {
  const current = await deps.store.get(stranded);
  if (current?.status !== 'DELETE_FAILED') return;
  await startDelete(deps, current, {
    purge: stranded.deleteRequested?.purge ?? false,
    by: 'the control plane',
    reason: 'the first delete workflow never started; started again',
  });
}
