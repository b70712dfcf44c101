/** GET /clusters: the caller's team's clusters (every team's, or `?team=`'s, for admins), newest first. */
import { listQuerySchema } from '../../../core/cluster/request.ts';
import { PRICES } from '../../../core/cost/price-list.ts';
import { listClusters, type ListDeps } from '../../../core/operations/read-clusters.ts';
import { parseWith } from '../../../core/validation.ts';
import { clock, clusterStore } from '../../deps.ts';
import { apiHandler, type ApiMain } from '../api-handler.ts';

export const DEFAULT_PAGE_SIZE = 20;

export const main: ApiMain<ListDeps> = async (request, deps) => {
  const query = parseWith(listQuerySchema, request.query);
  const page = await listClusters(deps, request.principal, {
    limit: query.limit ? Number(query.limit) : DEFAULT_PAGE_SIZE,
    ...(query.status ? { status: query.status } : {}),
    ...(query.nextToken ? { nextToken: query.nextToken } : {}),
    ...(query.team ? { team: query.team } : {}),
  });
  return { status: 200, body: page };
};

export const handler = apiHandler(main, {
  scope: 'read',
  deps: () => ({ store: clusterStore(), prices: PRICES, clock }),
});
