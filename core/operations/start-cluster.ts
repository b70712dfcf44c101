/**
 * POST /clusters/{id}/start: bring a stopped cluster back, the same master at the same address with
 * the same data; READY once Determined answers again (contract, "Stop and start").
 */
import { toView, type ClusterRecord, type ClusterView } from '../cluster/model.ts';
import type { ClusterRef } from '../cluster/naming.ts';
import { assertStartable } from '../cluster/status.ts';
import { ConflictError } from '../errors.ts';
import { assertCanSee, type Principal } from '../principal.ts';
import { withFreshRecord } from './fresh-read.ts';
import { startParkOperation, type ParkDeps } from './park.ts';
import { assertWithinBudget, type TeamSpendDeps } from './team-spend.ts';

export type StartDeps = ParkDeps & TeamSpendDeps;

export async function startCluster(
  deps: StartDeps,
  principal: Principal,
  cluster: ClusterRef,
): Promise<ClusterView> {
  const read = async () => assertCanSee(principal, await deps.store.get(cluster), cluster.clusterId);
  return toView(await withFreshRecord(read, (current) => startStart(deps, current, { by: principal.sub })));
}

/** Conditional on `current` being the stored record (the schedule relies on it). */
export async function startStart(
  deps: StartDeps,
  current: ClusterRecord,
  options: { by: string; reason?: string },
): Promise<ClusterRecord> {
  assertStartable(current.clusterId, current.status);
  if (!current.stackId) throw new ConflictError(`Cluster ${current.clusterId} has no stack to start.`);
  // A start brings the cluster's spend back, so it is refused like a create once the budget is spent.
  await assertWithinBudget(deps, current.team, 'a start');
  return startParkOperation(deps, current, {
    operation: 'start',
    inProgress: 'STARTING',
    failed: 'START_FAILED',
    by: options.by,
    ...(options.reason ? { reason: options.reason } : {}),
  });
}
