/** Conditional GETs: an ETag on every successful GET of an API route, 304 when If-None-Match names it. */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { apiHandler } from '../../../functions/http/api-handler.ts';
import { entityTag, matchesIfNoneMatch } from '../../../functions/http/middleware/conditional-get.ts';

let body: unknown = { items: [{ clusterId: 'a' }] };
const handler = apiHandler(async () => ({ status: 200, body }), { scope: 'read', deps: () => ({}) });

function event(method: string, headers: Record<string, string> = {}): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: `${method} /clusters`,
    rawPath: '/clusters',
    rawQueryString: '',
    headers,
    isBase64Encoded: false,
    requestContext: {
      http: { method, path: '/clusters', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'jest' },
      requestId: `r-${Math.random()}`,
      authorizer: {
        jwt: { claims: { sub: 'u', team: 'alpha', scope: 'clusters:read clusters:write' }, scopes: null },
      },
    },
  } as unknown as APIGatewayProxyEventV2;
}

const invoke = (request: APIGatewayProxyEventV2) =>
  handler(request, {} as Context) as Promise<APIGatewayProxyStructuredResultV2>;

describe('conditional GET', () => {
  beforeEach(() => {
    body = { items: [{ clusterId: 'a' }] };
  });

  it('tags a GET answer with a hash of its body and answers 304, without a body, when the tag comes back', async () => {
    const first = await invoke(event('GET'));
    expect(first.statusCode).toBe(200);
    const tag = String(first.headers?.etag);
    expect(tag).toBe(entityTag(first.body as string));
    expect(first.headers?.['cache-control']).toBe('private, no-cache');
    const again = await invoke(event('GET', { 'if-none-match': tag }));
    expect(again.statusCode).toBe(304);
    expect(again.body).toBeUndefined();
    expect(again.headers?.etag).toBe(tag);
    expect(again.headers?.['content-type']).toBeUndefined();
  });

  it('answers 200 with the new body once it changed', async () => {
    const tag = String((await invoke(event('GET'))).headers?.etag);
    body = { items: [] };
    const changed = await invoke(event('GET', { 'if-none-match': tag }));
    expect(changed.statusCode).toBe(200);
    expect(JSON.parse(changed.body as string)).toEqual({ items: [] });
    expect(changed.headers?.etag).not.toBe(tag);
  });

  it('leaves other methods and failures alone', async () => {
    const post = await invoke(event('POST', { 'if-none-match': '*' }));
    expect(post.statusCode).toBe(200);
    expect(post.headers?.etag).toBeUndefined();
    const refused = await handler(
      {
        ...event('GET'),
        requestContext: { ...event('GET').requestContext, authorizer: undefined },
      } as unknown as APIGatewayProxyEventV2,
      {} as Context,
    );
    expect((refused as APIGatewayProxyStructuredResultV2).statusCode).toBe(401);
    expect((refused as APIGatewayProxyStructuredResultV2).headers?.etag).toBeUndefined();
  });

  it('reads If-None-Match as RFC 9110 does: lists, weak tags and *', () => {
    expect(matchesIfNoneMatch('"a", W/"b"', '"b"')).toBe(true);
    expect(matchesIfNoneMatch('*', '"x"')).toBe(true);
    expect(matchesIfNoneMatch('"a"', '"b"')).toBe(false);
    expect(matchesIfNoneMatch(undefined, '"b"')).toBe(false);
  });
});
