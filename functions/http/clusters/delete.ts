/** DELETE /clusters/{clusterId}[?purge=true]: tear down, keeping the data unless purged. */
import { deleteQuerySchema } from '../../../core/cluster/request.ts';
import { deleteCluster, type DeleteDeps } from '../../../core/operations/delete-cluster.ts';
import { auditLog, clock, clusterStore, idempotencyDeps, settings, workflows } from '../../deps.ts';
import { parseWith } from '../../../core/validation.ts';
import { apiHandler, type ApiMain } from '../api-handler.ts';
import { clusterOf } from './path.ts';

export const main: ApiMain<DeleteDeps> = async (request, deps) => {
  const query = parseWith(deleteQuerySchema, request.query);
  const cluster = clusterOf(request, query.team);
  const deleted = await deleteCluster(deps, request.principal, cluster, { purge: query.purge === 'true' });
  return { status: 202, headers: { location: `/clusters/${cluster.clusterId}` }, body: deleted };
};

export const handler = apiHandler(main, {
  scope: 'write',
  audit: { action: 'cluster.delete', log: auditLog },
  idempotency: idempotencyDeps,
  deps: () => ({ store: clusterStore(), workflows: workflows(), clock, settings: settings() }),
});
