/**
 * POST /clusters/{id}/stop: park a running cluster. Its agents are terminated and its master and
 * database stopped; the stack, bucket, volumes and addresses stay (contract, "Stop and start").
 * Shared with the reaper, which stops idle clusters and restarted databases the same way.
 */
import { toView, type ClusterRecord, type ClusterView } from '../cluster/model.ts';
import type { ClusterRef } from '../cluster/naming.ts';
import { assertStoppable } from '../cluster/status.ts';
import { ConflictError } from '../errors.ts';
import { assertCanSee, type Principal } from '../principal.ts';
import { withFreshRecord } from './fresh-read.ts';
import { startParkOperation, type ParkDeps } from './park.ts';

export type StopDeps = ParkDeps;

export async function stopCluster(
  deps: StopDeps,
  principal: Principal,
  cluster: ClusterRef,
): Promise<ClusterView> {
  const read = async () => assertCanSee(principal, await deps.store.get(cluster), cluster.clusterId);
  return toView(await withFreshRecord(read, (current) => startStop(deps, current, { by: principal.sub })));
}

/** Conditional on `current` being the stored record (the reaper relies on it). */
export async function startStop(
  deps: StopDeps,
  current: ClusterRecord,
  options: { by: string; reason?: string; from?: 'STOPPED' },
): Promise<ClusterRecord> {
  if (options.from === 'STOPPED') {
    // The reaper stops a parked cluster again when AWS restarted its database.
    if (current.status !== 'STOPPED')
      throw new ConflictError(`Cluster ${current.clusterId} is ${current.status}.`);
  } else assertStoppable(current.clusterId, current.status);
  if (!current.stackId) throw new ConflictError(`Cluster ${current.clusterId} has no stack to stop.`);
  return startParkOperation(deps, current, {
    operation: 'stop',
    inProgress: 'STOPPING',
    failed: 'STOP_FAILED',
    by: options.by,
    ...(options.reason ? { reason: options.reason } : {}),
  });
}
