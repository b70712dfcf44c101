/** POST /clusters/{id}/keepalive: reset the idle clock, cancel a pending idle teardown, optionally until an instant. */
import { toView, type ClusterRecord, type ClusterView, type IdleState } from '../cluster/model.ts';
import type { ClusterRef } from '../cluster/naming.ts';
import type { KeepaliveRequest } from '../cluster/request.ts';
import { assertKeepaliveAllowed } from '../cluster/status.ts';
import { ValidationError } from '../errors.ts';
import { assertKeepaliveWithinPolicy, policyFor } from '../policy.ts';
import { assertCanSee, type Principal } from '../principal.ts';
import type { OperationDeps } from './deps.ts';
import { withFreshRecord } from './fresh-read.ts';

export type KeepaliveDeps = Pick<OperationDeps, 'store' | 'clock' | 'settings'>;

export async function keepalive(
  deps: KeepaliveDeps,
  principal: Principal,
  cluster: ClusterRef,
  request: KeepaliveRequest,
): Promise<ClusterView> {
  const read = async () => assertCanSee(principal, await deps.store.get(cluster), cluster.clusterId);
  return withFreshRecord(read, (current) => keepaliveRecord(deps, principal, current, request));
}

async function keepaliveRecord(
  deps: KeepaliveDeps,
  principal: Principal,
  current: ClusterRecord,
  request: KeepaliveRequest,
): Promise<ClusterView> {
  assertKeepaliveAllowed(current.clusterId, current.status);
  const now = deps.clock.now();
  if (request.until !== undefined) {
    if (Date.parse(request.until) <= now.getTime()) {
      throw new ValidationError([{ field: 'until', message: 'must be in the future' }]);
    }
    assertKeepaliveWithinPolicy(request.until, policyFor(deps.settings.policies, current.team), now);
  }
  const { idleSince: _idleSince, teardownAt, teardownReason, keepAliveUntil: _until, ...rest } = current.idle;
  // An expiry is a hard limit: a keepalive resets the idle clock, never a teardown for expiry.
  const expiring = teardownReason === 'expired' && teardownAt ? { teardownAt, teardownReason } : {};
  const idle: IdleState = {
    ...rest,
    ...expiring,
    ...(request.until ? { keepAliveUntil: request.until } : {}),
  };
  const updated = await deps.store.update(
    current,
    { version: current.version, statuses: [current.status] },
    { idle },
  );
  const cancelled = teardownAt && teardownReason !== 'expired';
  await deps.store.appendEvent(current, {
    at: now.toISOString(),
    source: 'control-plane',
    kind: 'keepalive',
    message: `${principal.sub} kept the cluster alive${request.until ? ` until ${request.until}` : ''}${cancelled ? '; the pending teardown is cancelled' : ''}`,
  });
  return toView(updated);
}
