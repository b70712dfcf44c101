/** PATCH /clusters/{id}: apply what changed; stack parameters go through the update workflow. */
import { toView, type ClusterRecord, type ClusterView } from '../cluster/model.ts';
import { executionName, stackName } from '../cluster/naming.ts';
import type { UpdateClusterRequest } from '../cluster/request.ts';
import { resolveUpdate } from '../cluster/resolve.ts';
import { updateParameters } from '../cluster/stack-parameters.ts';
import { assertUpdatable } from '../cluster/status.ts';
import { policyFor } from '../policy.ts';
import { assertCanSee, type Principal } from '../principal.ts';
import type { UpdateInput } from '../workflow/inputs.ts';
import type { OperationDeps } from './deps.ts';
import { withFreshRecord } from './fresh-read.ts';

export type UpdateDeps = Pick<OperationDeps, 'store' | 'workflows' | 'clock' | 'settings'>;

export async function updateCluster(
  deps: UpdateDeps,
  principal: Principal,
  clusterId: string,
  patch: UpdateClusterRequest,
): Promise<ClusterView> {
  const read = async () => assertCanSee(principal, await deps.store.get(clusterId), clusterId);
  return withFreshRecord(read, (current) => updateClusterRecord(deps, principal, current, patch));
}

async function updateClusterRecord(
  deps: UpdateDeps,
  principal: Principal,
  current: ClusterRecord,
  patch: UpdateClusterRequest,
): Promise<ClusterView> {
  const { clusterId } = current;
  assertUpdatable(clusterId, current.status);
  const now = deps.clock.now();
  const next = resolveUpdate(current.parameters, patch, {
    policy: policyFor(deps.settings.policies, current.team),
    region: deps.settings.region,
    now,
  });
  const idle = { ...current.idle, idleTimeout: next.idleTimeout };
  if (next.expiresAt) idle.expiresAt = next.expiresAt;
  else delete idle.expiresAt;

  const { parameters: stackParameters, changed } = updateParameters(current.parameters, next);
  if (changed.length === 0) {
    // Only control-plane settings changed (idle timeout, expiry, protection): no stack update.
    const updated = await deps.store.update(
      clusterId,
      { version: current.version, statuses: [current.status] },
      { parameters: next, idle },
    );
    await deps.store.appendEvent(clusterId, {
      at: now.toISOString(),
      source: 'control-plane',
      kind: 'settings-changed',
      message: `${principal.sub} changed ${Object.keys(patch).join(', ')}`,
    });
    return toView(updated);
  }

  const execution = executionName(clusterId, 'update', now);
  const updated = await deps.store.update(
    clusterId,
    { version: current.version, statuses: [current.status] },
    { status: 'UPDATING', statusReason: null, pendingParameters: next, idle, execution },
  );
  const input: UpdateInput = {
    clusterId,
    stack: { name: stackName(clusterId), parameters: stackParameters },
    timing: deps.settings.timing,
  };
  try {
    await deps.workflows.start('update', execution, input);
  } catch (error) {
    await deps.store.update(
      clusterId,
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
  await deps.store.appendEvent(clusterId, {
    at: now.toISOString(),
    source: 'control-plane',
    kind: 'update-requested',
    status: 'UPDATING',
    message: `${principal.sub} requested an update of ${changed.join(', ')}`,
  });
  return toView(updated);
}
