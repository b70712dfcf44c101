/** POST /clusters/{clusterId}/start: resume a STOPPED cluster; READY once Determined answers again. */
import { startCluster, type StartDeps } from '../../../core/operations/start-cluster.ts';
import { parkSchema } from '../../../core/cluster/request.ts';
import { parseWith } from '../../../core/validation.ts';
import { auditLog, idempotencyDeps } from '../../deps.ts';
import { budgetedDeps } from './budgeted-deps.ts';
import { apiHandler, type ApiMain } from '../api-handler.ts';
import { clusterOfQuery } from './path.ts';

export const main: ApiMain<StartDeps> = async (request, deps) => {
  const cluster = clusterOfQuery(request);
  parseWith(parkSchema, request.body ?? {});
  const started = await startCluster(deps, request.principal, cluster);
  return { status: 202, headers: { location: `/clusters/${cluster.clusterId}` }, body: started };
};

export const handler = apiHandler(main, {
  scope: 'write',
  audit: { action: 'cluster.start', log: auditLog },
  idempotency: idempotencyDeps,
  deps: budgetedDeps,
});
