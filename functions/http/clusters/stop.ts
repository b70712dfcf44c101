/** POST /clusters/{clusterId}/stop: park a READY cluster (agents terminated, master and database stopped). */
import { stopCluster, type StopDeps } from '../../../core/operations/stop-cluster.ts';
import { parkSchema } from '../../../core/cluster/request.ts';
import { parseWith } from '../../../core/validation.ts';
import { auditLog, clock, clusterStore, idempotencyDeps, settings, workflows } from '../../deps.ts';
import { apiHandler, type ApiMain } from '../api-handler.ts';
import { clusterOfQuery } from './path.ts';

export const main: ApiMain<StopDeps> = async (request, deps) => {
  const cluster = clusterOfQuery(request);
  parseWith(parkSchema, request.body ?? {});
  const stopped = await stopCluster(deps, request.principal, cluster);
  return { status: 202, headers: { location: `/clusters/${cluster.clusterId}` }, body: stopped };
};

export const handler = apiHandler(main, {
  scope: 'write',
  audit: { action: 'cluster.stop', log: auditLog },
  idempotency: idempotencyDeps,
  deps: () => ({ store: clusterStore(), workflows: workflows(), clock, settings: settings() }),
});
