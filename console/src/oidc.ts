/**
 * Sign-in on AWS: OpenID Connect authorization code with PKCE (RFC 7636) against the issuer the
 * API's JWT authorizer trusts, as a public client (no secret in the page). The verifier and state
 * wait out the redirect in sessionStorage (they are single-use and worthless without the code);
 * the tokens themselves stay in memory only.
 */
import type { ConsoleConfig } from './config.ts';

const PENDING = 'det-console-oidc';

interface Discovery {
  authorization_endpoint: string;
  token_endpoint: string;
}

const base64url = (bytes: Uint8Array): string =>
  btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');

function randomString(): string {
  return base64url(crypto.getRandomValues(new Uint8Array(32)));
}

export async function challengeOf(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return base64url(new Uint8Array(digest));
}

async function discover(issuer: string): Promise<Discovery> {
  const response = await fetch(`${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`);
  if (!response.ok) throw new Error(`the issuer's discovery document answered ${response.status}`);
  return (await response.json()) as Discovery;
}

const redirectUri = () => `${location.origin}/`;

/** Off to the issuer's sign-in page; it comes back to / with ?code=&state=. */
export async function beginSignIn(config: ConsoleConfig): Promise<void> {
  if (!config.oidcIssuer || !config.oidcClientId) throw new Error('no identity provider is configured');
  const discovery = await discover(config.oidcIssuer);
  const verifier = randomString();
  const state = randomString();
  sessionStorage.setItem(PENDING, JSON.stringify({ verifier, state }));
  const url = new URL(discovery.authorization_endpoint);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: config.oidcClientId,
    redirect_uri: redirectUri(),
    scope: config.oidcScopes,
    state,
    code_challenge: await challengeOf(verifier),
    code_challenge_method: 'S256',
  }).toString();
  location.assign(url.toString());
}

/**
 * Back from the issuer: exchanges the code for an access token (the API's audience) and clears the
 * code from the address bar. Undefined when this page load is not a return from sign-in.
 */
export async function completeSignIn(config: ConsoleConfig): Promise<string | undefined> {
  const params = new URLSearchParams(location.search);
  const code = params.get('code');
  const returnedState = params.get('state');
  if (!code || !config.oidcIssuer || !config.oidcClientId) return undefined;
  const pending = JSON.parse(sessionStorage.getItem(PENDING) ?? 'null') as {
    verifier: string;
    state: string;
  } | null;
  sessionStorage.removeItem(PENDING);
  history.replaceState(null, '', `${location.pathname}${location.hash}`);
  if (!pending || pending.state !== returnedState)
    throw new Error('the sign-in answer does not match the request; sign in again');
  const discovery = await discover(config.oidcIssuer);
  const response = await fetch(discovery.token_endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: redirectUri(),
      client_id: config.oidcClientId,
      code_verifier: pending.verifier,
    }),
  });
  if (!response.ok) throw new Error(`the issuer refused the sign-in (${response.status})`);
  const tokens = (await response.json()) as { access_token?: string };
  if (!tokens.access_token) throw new Error('the issuer returned no access token');
  return tokens.access_token;
}

/** A sign-in link of `npm run token -- --console`: the token in the fragment, never sent to a server. */
export function tokenFromFragment(): string | undefined {
  const match = /(?:^#|&)token=([^&]+)/.exec(location.hash);
  if (!match?.[1]) return undefined;
  history.replaceState(null, '', `${location.pathname}#/clusters`);
  return decodeURIComponent(match[1]);
}
