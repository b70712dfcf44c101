/** GET /clusters and GET /clusters/{id}. */
import { toView, type ClusterView } from '../cluster/model.ts';
import type { ClusterStatus } from '../cluster/status.ts';
import { assertCanSee, type Principal } from '../principal.ts';
import type { Page } from '../ports.ts';
import type { OperationDeps } from './deps.ts';

export async function getCluster(
  deps: Pick<OperationDeps, 'store'>,
  principal: Principal,
  clusterId: string,
): Promise<ClusterView> {
  const record = assertCanSee(principal, await deps.store.get(clusterId), clusterId);
  return toView(record);
}

export async function listClusters(
  deps: Pick<OperationDeps, 'store'>,
  principal: Principal,
  query: { status?: ClusterStatus; limit: number; nextToken?: string },
): Promise<Page<ClusterView>> {
  // Admins see every team; everyone else only their own.
  const page = await deps.store.list({ ...query, ...(principal.admin ? {} : { team: principal.team }) });
  return { items: page.items.map(toView), ...(page.nextToken ? { nextToken: page.nextToken } : {}) };
}
