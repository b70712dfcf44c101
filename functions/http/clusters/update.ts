/** PATCH /clusters/{clusterId} (and ?dryRun=true): change instance types, agent limits, spot, idle settings, the version. */
import { updateClusterSchema, updateQuerySchema } from '../../../core/cluster/request.ts';
import { dryRunUpdate, updateCluster, type UpdateDeps } from '../../../core/operations/update-cluster.ts';
import { auditLog, changeSets, idempotencyDeps } from '../../deps.ts';
import { budgetedDeps } from './budgeted-deps.ts';
import { parseWith } from '../../../core/validation.ts';
import { apiHandler, type ApiMain } from '../api-handler.ts';
import { clusterOf } from './path.ts';

export const main: ApiMain<UpdateDeps> = async (request, deps) => {
  const query = parseWith(updateQuerySchema, request.query);
  const cluster = clusterOf(request, query.team);
  const patch = parseWith(updateClusterSchema, request.body ?? {});
  if (query.dryRun === 'true') {
    return { status: 200, body: await dryRunUpdate(deps, request.principal, cluster, patch) };
  }
  const updated = await updateCluster(deps, request.principal, cluster, patch);
  return { status: 202, headers: { location: `/clusters/${cluster.clusterId}` }, body: updated };
};

export const handler = apiHandler(main, {
  scope: 'write',
  audit: { action: 'cluster.update', skip: (request) => request.query.dryRun === 'true', log: auditLog },
  idempotency: idempotencyDeps,
  deps: () => ({ ...budgetedDeps(), changeSets: changeSets() }),
});
