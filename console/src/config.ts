/** The deployment's settings, put in the page by the console function as a JSON data block. */
export interface ConsoleConfig {
  oidcIssuer?: string;
  oidcClientId?: string;
  oidcScopes: string;
  teamClaim: string;
}

export function readConfig(): ConsoleConfig {
  const block = document.getElementById('console-config');
  const parsed = block?.textContent ? (JSON.parse(block.textContent) as Partial<ConsoleConfig>) : {};
  return { oidcScopes: 'openid clusters:read clusters:write', teamClaim: 'team', ...parsed };
}

export interface Identity {
  sub: string;
  team: string;
  admin: boolean;
  /** Seconds since the epoch. */
  exp: number;
}

/**
 * Who a token says its bearer is, for display and for the team page's path. The API checks the
 * token; the console only reads it (an unreadable token is refused before any request).
 */
export function identityOf(token: string, teamClaim: string): Identity | undefined {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  try {
    const text = atob(payload.replace(/-/g, '+').replace(/_/g, '/'));
    const claims = JSON.parse(text) as Record<string, unknown>;
    const team = claims[teamClaim];
    if (typeof team !== 'string' || !team) return undefined;
    const scope = typeof claims.scope === 'string' ? claims.scope.split(' ') : [];
    return {
      sub: typeof claims.sub === 'string' ? claims.sub : 'unknown',
      team,
      admin: scope.includes('clusters:admin'),
      exp: typeof claims.exp === 'number' ? claims.exp : 0,
    };
  } catch {
    return undefined;
  }
}
