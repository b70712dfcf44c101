import type { ClusterRef } from '../../../core/cluster/naming.ts';
import { clusterQuerySchema } from '../../../core/cluster/request.ts';
import { isClusterId } from '../../../core/names/shared.ts';
import { NotFoundError } from '../../../core/errors.ts';
import type { OperationDeps } from '../../../core/operations/deps.ts';
import { clusterRef } from '../../../core/principal.ts';
import { parseWith } from '../../../core/validation.ts';
import type { ApiRequest } from '../api-request.ts';

export type StoreDeps = Pick<OperationDeps, 'store'>;

/** The {clusterId} path parameter; an id no cluster can have is simply not found. */
export function clusterIdOf(request: ApiRequest): string {
  const clusterId = request.path.clusterId ?? '';
  if (!isClusterId(clusterId)) throw new NotFoundError(`No cluster ${clusterId}.`);
  return clusterId;
}

/** The cluster a request names: {clusterId} in the caller's team, or in `team` (admins only). */
export function clusterOf(request: ApiRequest, team?: string): ClusterRef {
  return clusterRef(request.principal, clusterIdOf(request), team);
}

/** For routes whose only query parameter is `?team=`. */
export function clusterOfQuery(request: ApiRequest): ClusterRef {
  return clusterOf(request, parseWith(clusterQuerySchema, request.query).team);
}
