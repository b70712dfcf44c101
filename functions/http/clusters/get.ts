/** GET /clusters/{clusterId}. */
import { getCluster } from '../../../core/operations/read-clusters.ts';
import { clusterStore } from '../../deps.ts';
import { apiHandler, type ApiMain } from '../api-handler.ts';
import { clusterIdOf, type StoreDeps } from './path.ts';

export const main: ApiMain<StoreDeps> = async (request, deps) => ({
  status: 200,
  body: await getCluster(deps, request.principal, clusterIdOf(request)),
});

export const handler = apiHandler(main, { deps: () => ({ store: clusterStore() }) });
