/**
 * PATCH /clusters/{id}: apply what changed; stack parameters go through the update workflow, which
 * refuses a change set that would replace a data resource the request did not allow
 * (`allowReplacement`). `?dryRun=true` checks the same and shows the change set, changing nothing.
 */
import type { ClusterParameters, ClusterRecord, IdleState } from '../cluster/model.ts';
import { executionName, previewChangeSetName, type ClusterRef } from '../cluster/naming.ts';
import type { UpdateClusterRequest } from '../cluster/request.ts';
import { resolveUpdate } from '../cluster/resolve.ts';
import {
  dataAtRisk,
  refusedReplacements,
  type DataAtRisk,
  type DataResource,
  type ResourceChange,
} from '../cluster/replacements.ts';
import { updateParameters, type CfnParameter } from '../cluster/stack-parameters.ts';
import { assertUpdatable } from '../cluster/status.ts';
import { estimateCost, pricedView, type ClusterCost, type PricedClusterView } from '../cost/cluster-cost.ts';
import { clusterRates, maxHourly } from '../cost/estimate.ts';
import { ConflictError, ValidationError } from '../errors.ts';
import { policyFor } from '../policy.ts';
import { assertCanSee, type Principal } from '../principal.ts';
import { assertMayProtect } from './protection.ts';
import type { UpdateInput } from '../workflow/inputs.ts';
import { startClaimedWorkflow } from './start-workflow.ts';
import type { OperationDeps } from './deps.ts';
import { withFreshRecord } from './fresh-read.ts';
import { plannedUpgrade, startUpgrade } from './upgrade-cluster.ts';
import { assertWithinBudget } from './team-spend.ts';

export type UpdateDeps = Pick<
  OperationDeps,
  'store' | 'workflows' | 'clock' | 'settings' | 'prices' | 'ledger' | 'changeSets'
>;

export async function updateCluster(
  deps: UpdateDeps,
  principal: Principal,
  cluster: ClusterRef,
  request: UpdateClusterRequest,
): Promise<PricedClusterView> {
  const read = async () => assertCanSee(principal, await deps.store.get(cluster), cluster.clusterId);
  return withFreshRecord(read, (current) => updateClusterRecord(deps, principal, current, request));
}

/** What a PATCH would do: the checks of the update itself, then the change set of its stack update. */
export interface UpdatePreview {
  clusterId: string;
  /** The stack parameters that would change; none when only control-plane settings change. */
  changedParameters: string[];
  /** Set when the PATCH is an upgrade of Determined (its own workflow, docs/adr/0030). */
  upgrade?: { from: string; to: string };
  /** CloudFormation's change set: each resource the update adds, modifies (replaced or not) or removes. */
  changes: ResourceChange[];
  /** The data resources (database, checkpoint bucket, shared file system) the update would replace or remove. */
  dataAtRisk: DataAtRisk[];
  /** Set when the update would be refused: data at risk that `allowReplacement` does not name. */
  refusal?: string;
  /** The cluster's estimate with the new parameters. */
  cost: ClusterCost;
}

export async function dryRunUpdate(
  deps: UpdateDeps,
  principal: Principal,
  cluster: ClusterRef,
  request: UpdateClusterRequest,
): Promise<UpdatePreview> {
  const current = assertCanSee(principal, await deps.store.get(cluster), cluster.clusterId);
  const { allowReplacement, ...patch } = request;
  const plan = await checkUpdate(deps, principal, current, patch);
  const preview: UpdatePreview = {
    clusterId: current.clusterId,
    changedParameters: plan.changed,
    ...(plan.upgrade ? { upgrade: plan.upgrade } : {}),
    changes: [],
    dataAtRisk: [],
    cost: estimateCost(plan.next, deps.prices),
  };
  if (plan.changed.length === 0) return preview;
  const changes = await stackChanges(deps, current, plan.stackParameters);
  const refused = refusedReplacements(changes, allowReplacement);
  return {
    ...preview,
    changes,
    dataAtRisk: dataAtRisk(changes),
    ...(refused.length ? { refusal: replacementRefusal(refused) } : {}),
  };
}

/**
 * What CloudFormation would change (a change set, created, read and deleted; adapters/change-sets.ts).
 * Asked in the request, before anything is written, so that a refused update changes nothing;
 * the stack cannot change in between, since the cluster is UPDATING from the next write on.
 */
async function stackChanges(
  deps: Pick<UpdateDeps, 'changeSets' | 'clock'>,
  current: ClusterRecord,
  stackParameters: CfnParameter[],
): Promise<ResourceChange[]> {
  if (!current.stackId) throw new ConflictError(`Cluster ${current.clusterId} has no stack to update.`);
  const name = previewChangeSetName(current, deps.clock.now());
  const changeSet = await deps.changeSets.preview(current.stackId, stackParameters, name);
  if (changeSet.status === 'failed')
    throw new ValidationError([
      { field: 'body', message: `CloudFormation would not accept this update: ${changeSet.reason}` },
    ]);
  return changeSet.status === 'ready' ? changeSet.changes : [];
}

/** 400 when the update would replace or remove data that `allowReplacement` does not name. */
function assertNoDataLost(
  changes: ResourceChange[],
  allowReplacement: readonly DataResource[] | undefined,
): void {
  const refused = refusedReplacements(changes, allowReplacement);
  if (refused.length)
    throw new ValidationError([{ field: 'allowReplacement', message: replacementRefusal(refused) }]);
}

/** The sentence a refused update ends with (the workflow writes the same facts from the change set). */
export function replacementRefusal(refused: readonly DataAtRisk[]): string {
  const what = refused.map((risk) => `${risk.logicalId} (${risk.type}) would be ${risk.how}`).join('; ');
  const names = [...new Set(refused.map((risk) => risk.resource))].map((name) => `"${name}"`).join(', ');
  return `The update would lose data: ${what}. Nothing was changed. To replace it anyway, send the update again with "allowReplacement": [${names}].`;
}

interface UpdatePlan {
  next: ClusterParameters;
  idle: IdleState;
  stackParameters: CfnParameter[];
  changed: string[];
  upgrade?: { from: string; to: string };
}

/** Every check of a PATCH, and what it would change: shared by the update and its dry run. */
async function checkUpdate(
  deps: Pick<UpdateDeps, 'clock' | 'settings' | 'prices' | 'ledger'>,
  principal: Principal,
  current: ClusterRecord,
  patch: Omit<UpdateClusterRequest, 'allowReplacement'>,
): Promise<UpdatePlan> {
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
  const upgrade = plannedUpgrade(current.parameters, next, patch);
  return { next, idle, stackParameters, changed, ...(upgrade ? { upgrade } : {}) };
}

async function updateClusterRecord(
  deps: UpdateDeps,
  principal: Principal,
  current: ClusterRecord,
  request: UpdateClusterRequest,
): Promise<PricedClusterView> {
  const { clusterId } = current;
  const { allowReplacement, ...patch } = request;
  const { next, idle, stackParameters, changed, upgrade } = await checkUpdate(
    deps,
    principal,
    current,
    patch,
  );
  const now = deps.clock.now();
  // A new Determined version is an upgrade: its own workflow, with a database snapshot first.
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
  assertNoDataLost(await stackChanges(deps, current, stackParameters), allowReplacement);
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
  await startClaimedWorkflow(deps, {
    operation: 'update',
    execution,
    input,
    cluster: current,
    inProgress: 'UPDATING',
    release: {
      status: 'UPDATE_FAILED',
      statusReason:
        'The control plane could not start the update workflow; the stack is unchanged. Retry the update.',
      pendingParameters: null,
    },
  });
  await deps.store.appendEvent(current, {
    at: now.toISOString(),
    source: 'control-plane',
    kind: 'update-requested',
    status: 'UPDATING',
    message: `${principal.sub} requested an update of ${changed.join(', ')}`,
  });
  return pricedView(updated, deps.prices, now);
}
