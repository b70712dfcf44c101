/** Who is calling: from the JWT claims the gateway (or the local runtime) verified. */
import { NotFoundError, UnauthorizedError } from './errors.ts';

export interface Principal {
  /** The token's subject: the owner recorded on clusters this caller creates. */
  sub: string;
  team: string;
  /** `scope` contains the admin scope: sees and manages every team's clusters. */
  admin: boolean;
}

export function principalFromClaims(
  claims: Record<string, unknown> | undefined,
  options: { teamClaim: string; adminScope: string },
): Principal {
  const sub = claims?.sub;
  const team = claims?.[options.teamClaim];
  if (typeof sub !== 'string' || sub.length === 0 || typeof team !== 'string' || team.length === 0) {
    throw new UnauthorizedError(`The token must carry "sub" and "${options.teamClaim}" claims.`);
  }
  const scope = claims?.scope;
  const scopes = Array.isArray(scope)
    ? scope.map(String)
    : typeof scope === 'string'
      ? scope.split(/[\s,]+/)
      : [];
  // API Gateway hands array claims to Lambda as "[a b]"; strip the brackets.
  const admin = scopes.map((entry) => entry.replace(/^\[|\]$/g, '')).includes(options.adminScope);
  return { sub, team, admin };
}

/** Another team's cluster is reported as absent (404), never as forbidden: ids do not leak. */
export function assertCanSee<T extends { team: string }>(
  principal: Principal,
  cluster: T | undefined,
  clusterId: string,
): T {
  if (!cluster || (!principal.admin && cluster.team !== principal.team)) {
    throw new NotFoundError(`No cluster ${clusterId} in team ${principal.team}.`);
  }
  return cluster;
}
