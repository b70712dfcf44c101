/** DELETE /clusters/{clusterId}[?purge=true]: tear down, keeping the data unless purged. */
import { deleteQuerySchema } from '../../../core/cluster/request.ts';
import { deleteCluster, type DeleteDeps } from '../../../core/operations/delete-cluster.ts';
import { clock, clusterStore, idempotencyStore, settings, workflows } from '../../deps.ts';
import { parseWith } from '../../../core/validation.ts';
import { apiHandler, type ApiMain } from '../api-handler.ts';
import { clusterIdOf } from './path.ts';

export const main: ApiMain<DeleteDeps> = async (request, deps) => {
  const clusterId = clusterIdOf(request);
  const query = parseWith(deleteQuerySchema, request.query);
  const cluster = await deleteCluster(deps, request.principal, clusterId, { purge: query.purge === 'true' });
  return { status: 202, headers: { location: `/clusters/${clusterId}` }, body: cluster };
};

export const handler = apiHandler(main, {
  idempotency: idempotencyStore,
  deps: () => ({ store: clusterStore(), workflows: workflows(), clock, settings: settings() }),
});
