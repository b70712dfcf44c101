/**
 * The console function: the page with the deployment's settings as data (never as script), a CSP
 * without inline script, the hashed assets, and the console's JavaScript budget (100 KB gzipped).
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import assets from '../../../console/dist/assets.json' with { type: 'json' };
import { consoleConfigFrom } from '../../../adapters/console-config.ts';
import { consoleGzipBytes, TARGET_GZIP_BYTES } from '../../../console/budget.ts';
import { consolePage, contentSecurityPolicy, handler } from '../../../functions/http/console.ts';
import { openApiDocument } from '../../../functions/http/openapi-document.ts';
import { CREATE_DEFAULTS } from '../../../core/cluster/request.ts';

const get = (rawPath: string, asset?: string) =>
  handler({
    rawPath,
    ...(asset ? { pathParameters: { asset } } : {}),
  } as APIGatewayProxyEventV2) as Promise<APIGatewayProxyStructuredResultV2>;

describe('console function', () => {
  it('serves the page as HTML with a CSP that runs only its own script', async () => {
    const page = await get('/');
    expect(page.statusCode).toBe(200);
    expect(page.headers?.['content-type']).toBe('text/html; charset=utf-8');
    const csp = String(page.headers?.['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toMatch(/unsafe-(inline|eval)/);
    // No CDN: every script and style sheet is the console's own.
    expect(page.body).not.toMatch(/(src|href)="https?:/);
    expect(page.body).toMatch(/<script type="module" src="\/console\/app\.[0-9a-f]{12}\.js"><\/script>/);
  });

  it('serves every asset the page names, cacheable for good, and 404 as problem+json for any other', async () => {
    const page = (await get('/')).body as string;
    const names = [...page.matchAll(/\/console\/(app\.[0-9a-f]+\.(?:js|css))/g)].map(
      (match) => match[1] as string,
    );
    expect(names).toHaveLength(2);
    for (const name of names) {
      const asset = await get(`/console/${name}`, name);
      expect(asset.statusCode).toBe(200);
      expect(asset.headers?.['cache-control']).toContain('immutable');
      expect(asset.body).toBe((assets.files as Record<string, { body: string }>)[name]?.body);
    }
    const missing = await get('/console/constructor', 'constructor');
    expect(missing.statusCode).toBe(404);
    expect(missing.headers?.['content-type']).toBe('application/problem+json');
  });

  it('puts the deployment settings in a JSON data block that cannot close the script element', () => {
    const html = consolePage({ oidcScopes: 'openid', teamClaim: '</script><script>alert(1)</script>' });
    expect(html).toContain('<script type="application/json" id="console-config">');
    expect(html).not.toContain('</script><script>alert(1)');
    expect(html).toContain('\\u003c/script>');
  });

  it('signs in through the issuer only when both issuer and client are set, and lets the page reach the issuer', () => {
    expect(consoleConfigFrom({})).toEqual({
      oidcScopes: 'openid clusters:read clusters:write',
      teamClaim: 'team',
    });
    expect(consoleConfigFrom({ CONSOLE_OIDC_ISSUER: 'https://id.example.com/' }).oidcIssuer).toBeUndefined();
    const config = consoleConfigFrom({
      CONSOLE_OIDC_ISSUER: 'https://id.example.com/tenant/',
      CONSOLE_OIDC_CLIENT_ID: 'console',
      AUTH_TEAM_CLAIM: 'https://example.com/team',
    });
    expect(config).toMatchObject({ oidcIssuer: 'https://id.example.com/tenant/', oidcClientId: 'console' });
    expect(contentSecurityPolicy(config)).toContain("connect-src 'self' https://id.example.com;");
  });

  it('keeps its JavaScript within 100 KB gzipped', () => {
    const { js } = consoleGzipBytes();
    expect(js).toBeGreaterThan(1000);
    expect(js).toBeLessThanOrEqual(TARGET_GZIP_BYTES);
  });

  it('documents each create field with the default the API applies and its rule (the form reads them)', () => {
    const schemas = (
      openApiDocument() as {
        components: {
          schemas: Record<
            string,
            { properties: Record<string, { default?: unknown; description?: string; enum?: unknown[] }> }
          >;
        };
      }
    ).components.schemas;
    const fields = schemas.CreateCluster?.properties ?? {};
    for (const [name, value] of Object.entries(CREATE_DEFAULTS))
      expect({ name, value: fields[name]?.default }).toEqual({ name, value });
    for (const [name, field] of Object.entries(fields))
      expect({ name, described: Boolean(field.description) }).toEqual({ name, described: true });
    expect(fields.cpuAgentInstanceType?.enum).toContain('t2.xlarge');
  });
});
