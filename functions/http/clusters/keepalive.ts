/** POST /clusters/{clusterId}/keepalive: reset the idle clock, optionally until an instant. */
import { keepaliveSchema } from '../../../core/cluster/request.ts';
import { keepalive, type KeepaliveDeps } from '../../../core/operations/keepalive.ts';
import { parseWith } from '../../../core/validation.ts';
import { clock, clusterStore } from '../../deps.ts';
import { apiHandler, type ApiMain } from '../api-handler.ts';
import { clusterIdOf } from './path.ts';

export const main: ApiMain<KeepaliveDeps> = async (request, deps) => {
  const clusterId = clusterIdOf(request);
  const body = parseWith(keepaliveSchema, request.body ?? {});
  return { status: 200, body: await keepalive(deps, request.principal, clusterId, body) };
};

export const handler = apiHandler(main, { deps: () => ({ store: clusterStore(), clock }) });
