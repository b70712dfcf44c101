/** POST /clusters/{clusterId}/keepalive: reset the idle clock, optionally until an instant. */
import { keepaliveSchema } from '../../../core/cluster/request.ts';
import { keepalive, type KeepaliveDeps } from '../../../core/operations/keepalive.ts';
import { parseWith } from '../../../core/validation.ts';
import { auditLog, clock, clusterStore, settings } from '../../deps.ts';
import { apiHandler, type ApiMain } from '../api-handler.ts';
import { clusterOfQuery } from './path.ts';

export const main: ApiMain<KeepaliveDeps> = async (request, deps) => {
  const cluster = clusterOfQuery(request);
  const body = parseWith(keepaliveSchema, request.body ?? {});
  return { status: 200, body: await keepalive(deps, request.principal, cluster, body) };
};

export const handler = apiHandler(main, {
  scope: 'write',
  audit: { action: 'cluster.keepalive', log: auditLog },
  deps: () => ({ store: clusterStore(), clock, settings: settings() }),
});
