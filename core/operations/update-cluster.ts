/** PATCH /clusters/{id}: apply what changed; stack parameters go through the update workflow. */
import type { ClusterRecord } from '../cluster/model.ts';
import { executionName, type ClusterRef } from '../cluster/naming.ts';
import type { UpdateClusterRequest } from '../cluster/request.ts';
import { resolveUpdate } from '../cluster/resolve.ts';
import { updateParameters } from '../cluster/stack-parameters.ts';
import { assertUpdatable } from '../cluster/status.ts';
import { pricedView, type PricedClusterView } from '../cost/cluster-cost.ts';
import { clusterRates, maxHourly } from '../cost/estimate.ts';
import { ConflictError } from '../errors.ts';
import { policyFor } from '../policy.ts';
import { assertCanSee, type Principal } from '../principal.ts';
import { assertMayProtect } from './protection.ts';
import type { UpdateInput } from '../workflow/inputs.ts';
import type { OperationDeps } from './deps.ts';
import { withFreshRecord } from './fresh-read.ts';
import { plannedUpgrade, startUpgrade } from './upgrade-cluster.ts';
import { assertWithinBudget } from './team-spend.ts';

export type UpdateDeps = Pick<
  OperationDeps,
  'store' | 'workflows' | 'clock' | 'settings' | 'prices' | 'ledger'
>;

export async function updateCluster(
  deps: UpdateDeps,
  principal: Principal,
  cluster: ClusterRef,
  patch: UpdateClusterRequest,
): Promise<PricedClusterView> {
  const read = async () => assertCanSee(principal, await deps.store.get(cluster), cluster.clusterId);
  return withFreshRecord(read, (current) => updateClusterRecord(deps, principal, current, patch));
}

async function updateClusterRecord(
  deps: UpdateDeps,
  principal: Principal,
  current: ClusterRecord,
  patch: UpdateClusterRequest,
): Promise<PricedClusterView> {
  const { clusterId } = current;
  // Settings only while it is stopped; anything else first when it is not READY (409 before 400).
  if (current.status !== 'STOPPED') assertUpdatable(clusterId, current.status);
  assertMayProtect(principal, patch.protected, current.parameters.protected);
  const now = deps.clock.now();
  const next = resolveUpdate(current.parameters, patch, {
    policy: policyFor(deps.settings.policies, current.team),
    region: deps.settings.region,
    now,
  });
  if (maxHourly(clusterRates(next, deps.prices)) > maxHourly(clusterRates(current.parameters, deps.prices)))
    await assertWithinBudget(deps, current.team, 'a change that raises the cluster’s hourlyMax');
  const idle = { ...current.idle, idleTimeout: next.idleTimeout };
  if (next.expiresAt) idle.expiresAt = next.expiresAt;
  else delete idle.expiresAt;
  // A new schedule applies from now on; none means nothing to check.
  if (next.schedule && patch.schedule) idle.scheduleCheckedAt = now.toISOString();
  else if (!next.schedule) delete idle.scheduleCheckedAt;

  const { parameters: stackParameters, changed } = updateParameters(current.parameters, next, current);
  assertUpdatable(clusterId, current.status, { stackChange: changed.length > 0 });
  // A new Determined version is an upgrade: its own workflow, with a database snapshot first.
  const upgrade = plannedUpgrade(current.parameters, next, patch);
  if (upgrade) return startUpgrade(deps, principal, current, next, upgrade);
  if (changed.length === 0) {
    // Only control-plane settings changed (idle timeout, expiry, protection): no stack update.
    const updated = await deps.store.update(
      current,
      { version: current.version, statuses: [current.status] },
      { parameters: next, idle },
    );
    await deps.store.appendEvent(current, {
      at: now.toISOString(),
      source: 'control-plane',
      kind: 'settings-changed',
      message: `${principal.sub} changed ${Object.keys(patch).join(', ')}`,
    });
    return pricedView(updated, deps.prices, now);
  }

  // A READY or UPDATE_FAILED cluster has a stack: its create recorded the id.
  if (!current.stackId) throw new ConflictError(`Cluster ${clusterId} has no stack to update.`);
  const execution = executionName(current, 'update', now);
  const updated = await deps.store.update(
    current,
    { version: current.version, statuses: [current.status] },
    { status: 'UPDATING', statusReason: null, pendingParameters: next, idle, execution },
  );
  const input: UpdateInput = {
    team: current.team,
    clusterId,
    stack: { id: current.stackId, parameters: stackParameters },
    timing: deps.settings.timing,
  };
  try {
    await deps.workflows.start('update', execution, input);
  } catch (error) {
    await deps.store.update(
      current,
      { version: updated.version, statuses: ['UPDATING'] },
      {
        status: 'UPDATE_FAILED',
        statusReason:
          'The control plane could not start the update workflow; the stack is unchanged. Retry the update.',
        pendingParameters: null,
      },
    );
    throw error;
  }
  await deps.store.appendEvent(current, {
    at: now.toISOString(),
    source: 'control-plane',
    kind: 'update-requested',
    status: 'UPDATING',
    message: `${principal.sub} requested an update of ${changed.join(', ')}`,
  });
  return pricedView(updated, deps.prices, now);
}
