/** PATCH /clusters/{clusterId}: change instance types, agent limits, spot, idle settings. */
import { updateClusterSchema } from '../../../core/cluster/request.ts';
import { updateCluster, type UpdateDeps } from '../../../core/operations/update-cluster.ts';
import { auditLog, idempotencyDeps } from '../../deps.ts';
import { budgetedDeps } from './budgeted-deps.ts';
import { parseWith } from '../../../core/validation.ts';
import { apiHandler, type ApiMain } from '../api-handler.ts';
import { clusterOfQuery } from './path.ts';

export const main: ApiMain<UpdateDeps> = async (request, deps) => {
  const cluster = clusterOfQuery(request);
  const patch = parseWith(updateClusterSchema, request.body ?? {});
  const updated = await updateCluster(deps, request.principal, cluster, patch);
  return { status: 202, headers: { location: `/clusters/${cluster.clusterId}` }, body: updated };
};

export const handler = apiHandler(main, {
  scope: 'write',
  audit: { action: 'cluster.update', log: auditLog },
  idempotency: idempotencyDeps,
  deps: budgetedDeps,
});
