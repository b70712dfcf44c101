/** POST /clusters/{id}/keepalive: reset the idle clock, cancel a pending teardown, optionally until an instant. */
import { toView, type ClusterRecord, type ClusterView, type IdleState } from '../cluster/model.ts';
import type { KeepaliveRequest } from '../cluster/request.ts';
import { assertKeepaliveAllowed } from '../cluster/status.ts';
import { ValidationError } from '../errors.ts';
import { assertCanSee, type Principal } from '../principal.ts';
import type { OperationDeps } from './deps.ts';
import { withFreshRecord } from './fresh-read.ts';

export type KeepaliveDeps = Pick<OperationDeps, 'store' | 'clock'>;

export async function keepalive(
  deps: KeepaliveDeps,
  principal: Principal,
  clusterId: string,
  request: KeepaliveRequest,
): Promise<ClusterView> {
  const read = async () => assertCanSee(principal, await deps.store.get(clusterId), clusterId);
  return withFreshRecord(read, (current) => keepaliveRecord(deps, principal, current, request));
}

async function keepaliveRecord(
  deps: KeepaliveDeps,
  principal: Principal,
  current: ClusterRecord,
  request: KeepaliveRequest,
): Promise<ClusterView> {
  const { clusterId } = current;
  assertKeepaliveAllowed(clusterId, current.status);
  const now = deps.clock.now();
  if (request.until !== undefined && Date.parse(request.until) <= now.getTime()) {
    throw new ValidationError([{ field: 'until', message: 'must be in the future' }]);
  }
  const {
    idleSince: _idleSince,
    teardownAt,
    teardownReason: _reason,
    keepAliveUntil: _until,
    ...rest
  } = current.idle;
  const idle: IdleState = { ...rest, ...(request.until ? { keepAliveUntil: request.until } : {}) };
  const updated = await deps.store.update(
    clusterId,
    { version: current.version, statuses: [current.status] },
    { idle },
  );
  await deps.store.appendEvent(clusterId, {
    at: now.toISOString(),
    source: 'control-plane',
    kind: 'keepalive',
    message: `${principal.sub} kept the cluster alive${request.until ? ` until ${request.until}` : ''}${teardownAt ? '; the pending teardown is cancelled' : ''}`,
  });
  return toView(updated);
}
