/** GET /clusters and GET /clusters/{id}. */
import { pricedView, type PricedClusterView } from '../cost/cluster-cost.ts';
import type { ClusterRef } from '../cluster/naming.ts';
import { resourcesCreated, resourcesDone, type Progress } from '../cluster/progress.ts';
import { toStackParameters } from '../cluster/stack-parameters.ts';
import type { ClusterStatus } from '../cluster/status.ts';
import { assertCanSee, type Principal } from '../principal.ts';
import type { Page } from '../ports.ts';
import type { OperationDeps } from './deps.ts';

export type GetDeps = Pick<OperationDeps, 'store' | 'stacks' | 'renderTemplate' | 'prices' | 'clock'>;
export type ListDeps = Pick<OperationDeps, 'store' | 'prices' | 'clock'>;

/** Statuses in which a stack operation runs (stop and start change instances, not the stack). */
const STACK_OPERATIONS: readonly ClusterStatus[] = ['CREATING', 'UPDATING', 'DELETING'];

/** One cluster; while a stack operation runs, with its progress (one CloudFormation read). */
export async function getCluster(
  deps: GetDeps,
  principal: Principal,
  cluster: ClusterRef,
): Promise<PricedClusterView & { progress?: Progress }> {
  const record = assertCanSee(principal, await deps.store.get(cluster), cluster.clusterId);
  const view = pricedView(record, deps.prices, deps.clock.now());
  if (!STACK_OPERATIONS.includes(record.status) || !record.stackId) return view;
  const stack = await deps.stacks.resources(record.stackId).catch(() => undefined);
  if (!stack) return view;
  const parameters = toStackParameters(record.pendingParameters ?? record.parameters, {
    secretName: record.secretName ?? '',
    ...(record.parameters.restoreFrom
      ? { restore: { checkpointBucket: 'restored', dbSnapshot: 'restored' } }
      : {}),
  });
  const template = deps.renderTemplate(record.deploymentType) as Parameters<typeof resourcesCreated>[0];
  const total = resourcesCreated(template, parameters);
  // A deleted stack lists no resources any more: its operation is simply done.
  const finished = stack.stackStatus === 'DELETE_COMPLETE';
  return {
    ...view,
    progress: {
      stackStatus: stack.stackStatus,
      resourcesDone: finished ? total : Math.min(total, resourcesDone(record.status, stack.resourceStatuses)),
      resourcesTotal: total,
    },
  };
}

export async function listClusters(
  deps: ListDeps,
  principal: Principal,
  query: { status?: ClusterStatus; limit: number; nextToken?: string; team?: string },
): Promise<Page<PricedClusterView>> {
  // Admins see every team, or the one `?team=` names; everyone else only their own.
  const { team, ...rest } = query;
  if (team !== undefined && team !== principal.team && !principal.admin) return { items: [] };
  const scope = principal.admin ? team : principal.team;
  const page = await deps.store.list({ ...rest, ...(scope !== undefined ? { team: scope } : {}) });
  const now = deps.clock.now();
  const items = page.items.map((record) => pricedView(record, deps.prices, now));
  return { items, ...(page.nextToken ? { nextToken: page.nextToken } : {}) };
}
