/**
 * What the web console needs to know about its deployment, read once from the environment: the
 * OpenID Connect issuer and client it signs in with (on AWS; none locally, where a pasted token
 * is the way in) and the claim that names the team. Nothing here is secret: the page shows it.
 */
import { once } from './once.ts';

export interface ConsoleConfig {
  /** The issuer of the API's JWT authorizer; unset locally. */
  oidcIssuer?: string;
  /** The public (PKCE, no secret) client registered for the console at that issuer. */
  oidcClientId?: string;
  /** Scopes the console asks for. */
  oidcScopes: string;
  teamClaim: string;
}

export function consoleConfigFrom(env: Record<string, string | undefined>): ConsoleConfig {
  const issuer = env.CONSOLE_OIDC_ISSUER?.trim();
  const clientId = env.CONSOLE_OIDC_CLIENT_ID?.trim();
  return {
    // Sign-in through the issuer needs both; with either missing the console offers the pasted token only.
    ...(issuer && clientId ? { oidcIssuer: issuer, oidcClientId: clientId } : {}),
    oidcScopes: env.CONSOLE_OIDC_SCOPES?.trim() || 'openid clusters:read clusters:write',
    teamClaim: env.AUTH_TEAM_CLAIM?.trim() || 'team',
  };
}

export const consoleConfig = once(() => consoleConfigFrom(process.env));
