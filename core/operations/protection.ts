/** `protected` exempts a cluster from idle actions; only the platform team may set or clear it. */
import { ForbiddenError } from '../errors.ts';
import type { Principal } from '../principal.ts';

/**
 * A member may send `protected` only as it already is (false on a new cluster): changing it needs
 * the admin scope (contract, "Stop and start"). 403, before anything is written.
 */
export function assertMayProtect(
  principal: Principal,
  requested: boolean | undefined,
  current: boolean,
): void {
  if (requested === undefined || requested === current || principal.admin) return;
  throw new ForbiddenError('Only the platform team (the clusters:admin scope) may change "protected".');
}
