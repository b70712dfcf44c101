/** GET /clusters/{clusterId}[?team=]. */
import { PRICES } from '../../../core/cost/price-list.ts';
import { getCluster, type GetDeps } from '../../../core/operations/read-clusters.ts';
import { renderTemplate } from '../../../templates/src/index.ts';
import { clock, clusterStore, stacks } from '../../deps.ts';
import { apiHandler, type ApiMain } from '../api-handler.ts';
import { clusterOfQuery } from './path.ts';

export const main: ApiMain<GetDeps> = async (request, deps) => ({
  status: 200,
  body: await getCluster(deps, request.principal, clusterOfQuery(request)),
});

export const handler = apiHandler(main, {
  scope: 'read',
  deps: () => ({ store: clusterStore(), stacks: stacks(), renderTemplate, prices: PRICES, clock }),
});
