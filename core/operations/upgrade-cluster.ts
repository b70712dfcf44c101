/**
 * PATCH {"determinedVersion": X}: an in-place upgrade of Determined (docs/adr/0030-in-place-upgrades.md).
 * The API refuses an older version (Determined's migrations run forward only) and a version the
 * project does not know (the request schema), records the plan on the cluster (from, to, the snapshot
 * to take) and starts the upgrade workflow, which pauses work, snapshots the database, updates the
 * stack with the new version only, and rolls back onto the snapshot when the new master does not answer.
 */
import type { ClusterParameters, ClusterRecord, UpgradeRecord } from '../cluster/model.ts';
import { executionName, upgradeSnapshotName } from '../cluster/naming.ts';
import type { UpdateClusterRequest } from '../cluster/request.ts';
import { compareVersions } from '../cluster/determined-versions.ts';
import { updateParameters } from '../cluster/stack-parameters.ts';
import { pricedView, type PricedClusterView } from '../cost/cluster-cost.ts';
import { ConflictError, ValidationError } from '../errors.ts';
import type { Principal } from '../principal.ts';
import type { UpgradeInput } from '../workflow/inputs.ts';
import type { UpdateDeps } from './update-cluster.ts';
import { startClaimedWorkflow } from './start-workflow.ts';

/** How long an upgrade waits for running work to end before it gives up (UPGRADE_DRAIN_MINUTES). */
export const DEFAULT_UPGRADE_DRAIN_SECONDS = 30 * 60;

/**
 * The longest an upgrade may legitimately run, for the watchdog: the drain, then up to seven phases
 * with the update budget each (snapshot, stack, new master; on a rollback: rename, restore, stack,
 * previous master; statemachines/src/upgrade.ts).
 */
export function upgradeBudgetSeconds(updateBudgetSeconds: number, drainSeconds: number): number {
  return drainSeconds + 7 * updateBudgetSeconds;
}

/** The fields an upgrade may come with: none that changes the stack (one change at a time). */
const ALONGSIDE_AN_UPGRADE: readonly (keyof UpdateClusterRequest)[] = ['determinedVersion'];

/**
 * Undefined when the version does not change; a 400 for an older version, or for an upgrade that
 * comes with other changes.
 */
export function plannedUpgrade(
  current: ClusterParameters,
  next: ClusterParameters,
  patch: UpdateClusterRequest,
): { from: string; to: string } | undefined {
  const from = current.determinedVersion;
  const to = next.determinedVersion;
  if (from === to) return undefined;
  if (compareVersions(to, from) < 0) {
    throw new ValidationError([
      {
        field: 'determinedVersion',
        message: `is older than the cluster's Determined ${from}; Determined migrates its database forward only, so a downgrade is refused`,
      },
    ]);
  }
  const others = Object.keys(patch).filter(
    (field) => !ALONGSIDE_AN_UPGRADE.includes(field as keyof UpdateClusterRequest),
  );
  if (others.length > 0) {
    throw new ValidationError(
      others.map((field) => ({
        field,
        message: 'cannot change together with determinedVersion: upgrade first, then change the rest',
      })),
    );
  }
  return { from, to };
}

export async function startUpgrade(
  deps: UpdateDeps,
  principal: Principal,
  current: ClusterRecord,
  next: ClusterParameters,
  versions: { from: string; to: string },
): Promise<PricedClusterView> {
  const { clusterId } = current;
  if (!current.stackId) throw new ConflictError(`Cluster ${clusterId} has no stack to upgrade.`);
  const now = deps.clock.now();
  const execution = executionName(current, 'upgrade', now);
  const snapshot = upgradeSnapshotName(current, versions.to, now);
  const upgrade: UpgradeRecord = {
    ...versions,
    snapshot,
    requestedAt: now.toISOString(),
    requestedBy: principal.sub,
  };
  const updated = await deps.store.update(
    current,
    { version: current.version, statuses: [current.status] },
    { status: 'UPDATING', statusReason: null, pendingParameters: next, execution, upgrade },
  );
  const input: UpgradeInput = {
    team: current.team,
    clusterId,
    parameters: {
      upgrade: updateParameters(current.parameters, next, current).parameters,
      rollback: updateParameters(next, current.parameters, current).parameters,
    },
    versions,
    snapshot,
    drainSeconds: deps.settings.upgradeDrainSeconds ?? DEFAULT_UPGRADE_DRAIN_SECONDS,
    timing: deps.settings.timing,
  };
  await startClaimedWorkflow(deps, {
    operation: 'upgrade',
    execution,
    input,
    cluster: current,
    inProgress: 'UPDATING',
    release: {
      status: 'UPDATE_FAILED',
      statusReason: `The control plane could not start the upgrade workflow; Determined ${versions.from} still serves and nothing was changed. Retry the upgrade.`,
      pendingParameters: null,
    },
  });
  await deps.store.appendEvent(current, {
    at: now.toISOString(),
    source: 'control-plane',
    kind: 'upgrade-requested',
    status: 'UPDATING',
    message: `${principal.sub} requested an upgrade of Determined from ${versions.from} to ${versions.to}; the database is snapshotted first (${snapshot})`,
  });
  return pricedView(updated, deps.prices, now);
}
