/** GET /clusters/{clusterId}. */
import { getCluster } from '../../../core/operations/read-clusters.ts';
import { apiHandler, type ApiMain } from '../api-handler.ts';
import { clusterIdOf } from './path.ts';

export const main: ApiMain = async (request, deps) => ({
  status: 200,
  body: await getCluster(deps, request.principal, clusterIdOf(request)),
});

export const handler = apiHandler(main);
