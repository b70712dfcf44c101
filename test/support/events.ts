/** API Gateway HTTP API (payload v2) events, as the JWT authorizer hands them to Lambda. */
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';

export interface EventOptions {
  method: string;
  path: string;
  /** The route template, e.g. /clusters/{clusterId}; defaults to `path`. */
  route?: string;
  body?: unknown;
  rawBody?: string;
  headers?: Record<string, string>;
  query?: Record<string, string>;
  claims?: Record<string, string> | null;
}

let counter = 0;

export function apiEvent(options: EventOptions): APIGatewayProxyEventV2 {
  const route = options.route ?? options.path;
  const names = [...route.matchAll(/\{(\w+)\}/g)].map((match) => match[1] as string);
  const pattern = new RegExp(`^${route.replace(/\{\w+\}/g, '([^/]+)')}$`);
  const values = pattern.exec(options.path)?.slice(1) ?? [];
  const pathParameters = Object.fromEntries(names.map((name, index) => [name, values[index] ?? '']));
  const body = options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  const claims =
    options.claims === undefined
      ? { sub: 'alice', team: 'alpha', scope: 'clusters:read clusters:write' }
      : options.claims;
  const headers = {
    ...(body !== undefined && options.rawBody === undefined ? { 'content-type': 'application/json' } : {}),
    ...options.headers,
  };
  counter += 1;
  return {
    version: '2.0',
    routeKey: `${options.method} ${route}`,
    rawPath: options.path,
    rawQueryString: new URLSearchParams(options.query ?? {}).toString(),
    headers,
    ...(options.query ? { queryStringParameters: options.query } : {}),
    ...(names.length > 0 ? { pathParameters } : {}),
    requestContext: {
      accountId: '123456789012',
      apiId: 'test',
      domainName: 'test.local',
      domainPrefix: 'test',
      http: {
        method: options.method,
        path: options.path,
        protocol: 'HTTP/1.1',
        sourceIp: '127.0.0.1',
        userAgent: 'jest',
      },
      requestId: `request-${counter}`,
      routeKey: `${options.method} ${route}`,
      stage: '$default',
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
      ...(claims ? { authorizer: { jwt: { claims, scopes: null } } } : {}),
    } as APIGatewayProxyEventV2['requestContext'],
    ...(body !== undefined ? { body } : {}),
    isBase64Encoded: false,
  };
}

export const lambdaContext = {
  awsRequestId: 'test',
  functionName: 'test',
  getRemainingTimeInMillis: () => 30_000,
} as unknown as Context;
