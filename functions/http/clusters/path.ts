import { NotFoundError } from '../../../core/errors.ts';
import { CLUSTER_ID } from '../../../core/cluster/request.ts';
import type { OperationDeps } from '../../../core/operations/deps.ts';
import type { ApiRequest } from '../api-request.ts';

export type StoreDeps = Pick<OperationDeps, 'store'>;

/** The {clusterId} path parameter; an id no cluster can have is simply not found. */
export function clusterIdOf(request: ApiRequest): string {
  const clusterId = request.path.clusterId ?? '';
  if (clusterId.length > 64 || !CLUSTER_ID.test(clusterId))
    throw new NotFoundError(`No cluster ${clusterId}.`);
  return clusterId;
}
