/**
 * The console's sign-in on AWS, in a real browser: OpenID Connect authorization code with PKCE
 * against an issuer (a stand-in that checks what a real one checks: the client, the redirect URI,
 * the state round trip and the S256 code verifier). The page is the console function's page with an
 * issuer configured, served beside the local runtime's API; the access token the issuer hands out
 * is a token the API accepts, and it stays in memory (nothing in web storage afterwards).
 */
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Browser } from 'playwright-core';
import { launchBrowser, screenshot, seriousAccessibilityViolations } from '../../console/browser.ts';
import { consolePage, contentSecurityPolicy } from '../../functions/http/console.ts';
import { freePort } from '../../local/ports.ts';
import { apiUrl, tokenFor } from '../support/local-api.ts';

const CLIENT_ID = 'det-console';

interface Issuer {
  origin: string;
  authorizations: Record<string, string>[];
  exchanges: { ok: boolean; why?: string }[];
  server: Server;
}

const readBody = (request: IncomingMessage): Promise<string> =>
  new Promise((resolve) => {
    let text = '';
    request.on('data', (chunk: Buffer) => (text += chunk.toString()));
    request.on('end', () => resolve(text));
  });

async function startIssuer(accessToken: string): Promise<Issuer> {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const codes = new Map<string, Record<string, string>>();
  const issuer: Issuer = {
    origin,
    authorizations: [],
    exchanges: [],
    server: undefined as unknown as Server,
  };
  issuer.server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', origin);
    const cors = { 'access-control-allow-origin': '*' };
    if (url.pathname === '/.well-known/openid-configuration') {
      response.writeHead(200, { 'content-type': 'application/json', ...cors });
      response.end(
        JSON.stringify({
          issuer: `${origin}/`,
          authorization_endpoint: `${origin}/authorize`,
          token_endpoint: `${origin}/token`,
        }),
      );
      return;
    }
    if (url.pathname === '/authorize') {
      const params = Object.fromEntries(url.searchParams);
      issuer.authorizations.push(params);
      const code = randomUUID();
      codes.set(code, params);
      response.writeHead(302, {
        location: `${params.redirect_uri}?code=${code}&state=${encodeURIComponent(params.state ?? '')}`,
      });
      response.end();
      return;
    }
    if (url.pathname === '/token' && request.method === 'POST') {
      void readBody(request).then((text) => {
        const form = Object.fromEntries(new URLSearchParams(text));
        const asked = codes.get(form.code ?? '');
        codes.delete(form.code ?? '');
        const challenge = createHash('sha256')
          .update(form.code_verifier ?? '')
          .digest('base64url');
        const why = !asked
          ? 'unknown or reused code'
          : form.grant_type !== 'authorization_code'
            ? 'grant type'
            : form.client_id !== asked.client_id
              ? 'client'
              : form.redirect_uri !== asked.redirect_uri
                ? 'redirect URI'
                : asked.code_challenge_method !== 'S256' || challenge !== asked.code_challenge
                  ? 'PKCE verifier'
                  : undefined;
        issuer.exchanges.push(why ? { ok: false, why } : { ok: true });
        response.writeHead(why ? 400 : 200, { 'content-type': 'application/json', ...cors });
        response.end(
          JSON.stringify(
            why ? { error: 'invalid_grant' } : { access_token: accessToken, token_type: 'Bearer' },
          ),
        );
      });
      return;
    }
    response.writeHead(404, cors);
    response.end();
  });
  await new Promise<void>((resolve) => issuer.server.listen(port, '127.0.0.1', resolve));
  return issuer;
}

/** The console function's page with the issuer configured; every other path goes to the local API. */
async function startConsole(issuerOrigin: string): Promise<{ origin: string; server: Server }> {
  const config = {
    oidcIssuer: `${issuerOrigin}/`,
    oidcClientId: CLIENT_ID,
    oidcScopes: 'openid clusters:read clusters:write',
    teamClaim: 'team',
  };
  const port = await freePort();
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (url.pathname === '/') {
      response.writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        'content-security-policy': contentSecurityPolicy(config),
      });
      response.end(consolePage(config));
      return;
    }
    void readBody(request).then(async (body) => {
      const headers = Object.fromEntries(
        Object.entries(request.headers).filter(
          ([name, value]) => typeof value === 'string' && name !== 'host',
        ),
      ) as Record<string, string>;
      const answer = await fetch(`${apiUrl()}${request.url}`, {
        method: request.method ?? 'GET',
        headers,
        ...(body ? { body } : {}),
      });
      response.writeHead(answer.status, Object.fromEntries(answer.headers));
      response.end(Buffer.from(await answer.arrayBuffer()));
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { origin: `http://127.0.0.1:${port}`, server };
}

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

describe('console sign-in through the issuer', () => {
  it('runs the authorization code flow with PKCE and keeps the token in memory only', async () => {
    const team = `ui-sso-${Date.now().toString(36)}`;
    const accessToken = await tokenFor(team, { sub: 'ada' });
    const issuer = await startIssuer(accessToken);
    const site = await startConsole(issuer.origin);
    const page = await browser.newPage();
    page.setDefaultTimeout(20_000);
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    try {
      await page.goto(`${site.origin}/`);
      expect(await seriousAccessibilityViolations(page)).toEqual([]);
      await page.getByRole('button', { name: 'Sign in with single sign-on' }).click();
      await page.getByRole('heading', { name: 'Clusters', exact: true }).waitFor();
      await page.getByText(`team ${team}`).waitFor();
      await page.getByText('No clusters yet.').waitFor();
      await screenshot(page, '10-signed-in-through-issuer');

      expect(issuer.authorizations).toHaveLength(1);
      expect(issuer.authorizations[0]).toMatchObject({
        response_type: 'code',
        client_id: CLIENT_ID,
        redirect_uri: `${site.origin}/`,
        code_challenge_method: 'S256',
        scope: 'openid clusters:read clusters:write',
      });
      expect(issuer.exchanges).toEqual([{ ok: true }]);
      // The code left the address bar; no token (nor the verifier) is kept in web storage.
      expect(new URL(page.url()).search).toBe('');
      const stored = (await page.evaluate(
        'JSON.stringify([Object.entries(localStorage), Object.entries(sessionStorage)])',
      )) as string;
      expect(stored).toBe('[[],[]]');
      // Tokens live in memory: a reload signs out.
      await page.reload();
      await page.getByRole('button', { name: 'Sign in with single sign-on' }).waitFor();
      expect(problems).toEqual([]);
    } finally {
      await page.close();
      issuer.server.close();
      site.server.close();
    }
  });
});
