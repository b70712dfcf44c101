/** GET /clusters/{clusterId}. */
import { getCluster, type GetDeps } from '../../../core/operations/read-clusters.ts';
import { renderTemplate } from '../../../templates/src/index.ts';
import { clusterStore, stacks } from '../../deps.ts';
import { apiHandler, type ApiMain } from '../api-handler.ts';
import { clusterIdOf } from './path.ts';

export const main: ApiMain<GetDeps> = async (request, deps) => ({
  status: 200,
  body: await getCluster(deps, request.principal, clusterIdOf(request)),
});

export const handler = apiHandler(main, {
  deps: () => ({ store: clusterStore(), stacks: stacks(), renderTemplate }),
});
