/** Who is calling: from the JWT claims the gateway (or the local runtime) verified. */
import { TEAM } from './names/shared.ts';
import type { ClusterRef } from './cluster/naming.ts';
import { ForbiddenError, NotFoundError, UnauthorizedError } from './errors.ts';

/**
 * A team is a tenant: it names table keys and stacks, so it is held to a bounded pattern. It starts
 * with a letter (a JSON number or boolean claim, which API Gateway hands on as text, never passes),
 * and "null", "true" and "false" are refused for the same reason.
 */
export { TEAM };
const JSON_LITERALS = ['null', 'true', 'false'];

export type Scope = 'read' | 'write' | 'admin';

export interface ScopeNames {
  read: string;
  write: string;
  admin: string;
}

export const DEFAULT_SCOPES: ScopeNames = {
  read: 'clusters:read',
  write: 'clusters:write',
  admin: 'clusters:admin',
};

export interface Principal {
  /** The token's subject: the owner recorded on clusters this caller creates. */
  sub: string;
  team: string;
  /** Scopes the token grants; admin implies read and write. */
  scopes: ReadonlySet<Scope>;
  /** `scope` contains the admin scope: sees and manages every team's clusters, may protect them. */
  admin: boolean;
}

export function principalFromClaims(
  claims: Record<string, unknown> | undefined,
  options: { teamClaim: string; scopes: ScopeNames },
): Principal {
  const sub = claims?.sub;
  const team = claims?.[options.teamClaim];
  if (typeof sub !== 'string' || sub.length === 0 || sub.length > 256) {
    throw new UnauthorizedError('The token must carry a "sub" claim.');
  }
  if (typeof team !== 'string' || !TEAM.test(team) || JSON_LITERALS.includes(team)) {
    throw new UnauthorizedError(
      `The token's "${options.teamClaim}" claim must be a team name: a letter, then up to 63 letters, digits, ".", "_" or "-".`,
    );
  }
  const scope = claims?.scope;
  const entries = Array.isArray(scope)
    ? scope.map(String)
    : typeof scope === 'string'
      ? scope.split(/[\s,]+/)
      : [];
  // API Gateway hands array claims to Lambda as "[a b]"; strip the brackets.
  const granted = new Set(entries.map((entry) => entry.replace(/^\[|\]$/g, '')));
  const admin = granted.has(options.scopes.admin);
  const scopes = new Set<Scope>(
    (['read', 'write', 'admin'] as const).filter((name) => admin || granted.has(options.scopes[name])),
  );
  return { sub, team, scopes, admin };
}

/** Each route names the scope it needs; a token without it gets 403, before anything is read or written. */
export function assertScope(principal: Principal, needed: Scope): void {
  if (!principal.scopes.has(needed)) {
    throw new ForbiddenError(`This token lacks the clusters:${needed} scope this request needs.`);
  }
}

/**
 * The cluster a request names: in the caller's team, or, for an admin, in the team `?team=` names.
 * A member naming another team is answered as if the cluster did not exist (404): ids do not leak.
 */
export function clusterRef(principal: Principal, clusterId: string, team?: string): ClusterRef {
  if (team !== undefined && team !== principal.team && !principal.admin) {
    throw new NotFoundError(`No cluster ${clusterId} in team ${principal.team}.`);
  }
  return { team: team ?? principal.team, clusterId };
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
