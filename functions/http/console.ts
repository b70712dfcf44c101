/**
 * GET / and GET /console/{asset} (no auth): the web console (contract, "Console"). The page and its
 * content-hashed script and style come from console/dist/assets.json, built by `npm run
 * build:console` and bundled into this function, so the console deploys with the API, from the
 * same origin (docs/adr/0029-web-console.md). The page loads without a token; everything it shows
 * it asks the public API for, with the signed-in user's token.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import assets from '../../console/dist/assets.json' with { type: 'json' };
import { consoleConfig, type ConsoleConfig } from '../../adapters/console-config.ts';
import { problemType, PROBLEM_CONTENT_TYPE } from './middleware/problem-details.ts';

const CONFIG_PLACEHOLDER = '<!--console-config-->';
const files = assets.files as Record<string, { type: string; body: string }>;

/** Scripts and styles from this origin only (no inline script, no CDN); API calls to this origin and the issuer. */
export function contentSecurityPolicy(config: ConsoleConfig): string {
  const issuer = config.oidcIssuer ? ` ${new URL(config.oidcIssuer).origin}` : '';
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    `connect-src 'self'${issuer}`,
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** The page with the deployment's settings as a JSON data block (not a script: CSP does not run it). */
export function consolePage(config: ConsoleConfig): string {
  const json = JSON.stringify(config).replace(/</g, '\\u003c');
  return assets.html.replace(
    CONFIG_PLACEHOLDER,
    `<script type="application/json" id="console-config">${json}</script>`,
  );
}

const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

export const handler = async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
  const name = event.pathParameters?.asset;
  if (name === undefined) {
    const config = consoleConfig();
    return {
      statusCode: 200,
      headers: {
        'content-type': 'text/html; charset=utf-8',
        'content-security-policy': contentSecurityPolicy(config),
        // The page names the hashed assets of this deployment: always ask again.
        'cache-control': 'no-cache',
        ...SECURITY_HEADERS,
      },
      body: consolePage(config),
    };
  }
  const file = Object.hasOwn(files, name) ? files[name] : undefined;
  if (!file) {
    return {
      statusCode: 404,
      headers: { 'content-type': PROBLEM_CONTENT_TYPE },
      body: JSON.stringify({
        type: problemType('not-found'),
        title: 'Not Found',
        status: 404,
        detail: 'The console has no such file (its files are named by their content; reload the page).',
      }),
    };
  }
  return {
    statusCode: 200,
    headers: {
      'content-type': file.type,
      'cache-control': 'public, max-age=31536000, immutable',
      ...SECURITY_HEADERS,
    },
    body: file.body,
  };
};
