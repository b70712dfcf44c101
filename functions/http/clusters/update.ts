/** PATCH /clusters/{clusterId}: change instance types, agent limits, spot, idle settings. */
import { updateClusterSchema } from '../../../core/cluster/request.ts';
import { updateCluster, type UpdateDeps } from '../../../core/operations/update-cluster.ts';
import { clock, clusterStore, idempotencyStore, settings, workflows } from '../../deps.ts';
import { parseWith } from '../../../core/validation.ts';
import { apiHandler, type ApiMain } from '../api-handler.ts';
import { clusterIdOf } from './path.ts';

export const main: ApiMain<UpdateDeps> = async (request, deps) => {
  const clusterId = clusterIdOf(request);
  const patch = parseWith(updateClusterSchema, request.body ?? {});
  const cluster = await updateCluster(deps, request.principal, clusterId, patch);
  return { status: 202, headers: { location: `/clusters/${clusterId}` }, body: cluster };
};

export const handler = apiHandler(main, {
  idempotency: idempotencyStore,
  deps: () => ({ store: clusterStore(), workflows: workflows(), clock, settings: settings() }),
});
