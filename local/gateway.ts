/**
 * A local API Gateway (HTTP API): it turns HTTP requests into payload-v2 events for the very handlers
 * serverless.yml deploys, on the routes serverless.yml declares, and checks bearer tokens the way
 * the JWT authorizer would (against the local signing key).
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { parse } from 'yaml';
import { NotFoundError, PayloadTooLargeError, ValidationError } from '../core/errors.ts';
import { MAX_BODY_BYTES } from '../functions/http/api-request.ts';
import { problemResponse } from '../functions/http/middleware/problem-details.ts';
import { verifyToken } from './auth.ts';
import { projectRoot } from './paths.ts';

type Handler = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<APIGatewayProxyStructuredResultV2 | string>;

export interface Route {
  method: string;
  path: string;
  pattern: RegExp;
  parameters: string[];
  /** module path and export, e.g. functions/http/health.handler */
  handler: string;
  functionName: string;
  authorized: boolean;
}

interface ServerlessFunction {
  handler: string;
  events?: { httpApi?: { method: string; path: string; authorizer?: unknown } }[];
}

/** The HTTP routes of serverless.yml. CloudFormation tags are kept as plain values: only routes matter here. */
export function readRoutes(file = join(projectRoot, 'serverless.yml')): Route[] {
  const customTags = ['!Ref', '!GetAtt', '!Sub', '!Join', '!If'].map((tag) => ({
    tag,
    resolve: (value: string) => value,
  }));
  const config = parse(readFileSync(file, 'utf8'), { customTags }) as {
    functions: Record<string, ServerlessFunction>;
  };
  const routes: Route[] = [];
  for (const [functionName, definition] of Object.entries(config.functions)) {
    for (const event of definition.events ?? []) {
      if (!event.httpApi) continue;
      const parameters: string[] = [];
      const pattern = event.httpApi.path.replace(/\{(\w+)\}/g, (_match, name: string) => {
        parameters.push(name);
        return '([^/]+)';
      });
      routes.push({
        method: event.httpApi.method.toUpperCase(),
        path: event.httpApi.path,
        pattern: new RegExp(`^${pattern}$`),
        parameters,
        handler: definition.handler,
        functionName,
        authorized: event.httpApi.authorizer !== undefined,
      });
    }
  }
  return routes;
}

async function loadHandler(route: Route): Promise<Handler> {
  const dot = route.handler.lastIndexOf('.');
  const modulePath = join(projectRoot, `${route.handler.slice(0, dot)}.ts`);
  const module = (await import(pathToFileURL(modulePath).href)) as Record<string, Handler>;
  const handler = module[route.handler.slice(dot + 1)];
  if (!handler) throw new Error(`${route.handler} exports no handler`);
  return handler;
}

export interface GatewayOptions {
  port: number;
  signingKey: Uint8Array;
  log?: (line: string) => void;
}

export async function startGateway(options: GatewayOptions): Promise<Server> {
  const routes = readRoutes();
  const handlers = new Map<Route, Handler>();
  for (const route of routes) handlers.set(route, await loadHandler(route));

  const server = createServer((request, response) => {
    serve(request, response).catch((error: unknown) => {
      options.log?.(`gateway error: ${(error as Error).stack ?? String(error)}`);
      // The gateway's own failures are problem documents too (a 500 naming only a request id).
      if (!response.headersSent) send(response, problem(error as Error));
    });
  });

  // Idle keep-alive connections outlive the client's (undici: 4 s): a server closing one as the client
  // reuses it resets that request (ECONNRESET), as a load balancer's 60 s idle timeout avoids on AWS.
  server.keepAliveTimeout = 65_000;

  async function serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const started = Date.now();
    const url = new URL(request.url ?? '/', 'http://localhost');
    const method = (request.method ?? 'GET').toUpperCase();
    const matches = routes.filter((route) => route.pattern.test(url.pathname));
    const route = matches.find((candidate) => candidate.method === method);
    if (!route) {
      // API Gateway answers unknown routes itself ({"message":"Not Found"}); locally the answer is
      // the contract's problem document, so every error a client meets here has one shape.
      const known = matches.map((candidate) => candidate.method).join(', ');
      send(
        response,
        problem(
          new NotFoundError(
            known
              ? `${method} is not served on ${url.pathname}; it answers ${known}.`
              : `No route ${method} ${url.pathname}; see GET /openapi.json for the API.`,
          ),
        ),
      );
      return;
    }
    // What API Gateway does before the function runs, in its order: the path, then the token
    // (the body is not read for a request that is refused), then the body's size.
    const pathParameters = decodePath(url, route);
    if (!pathParameters) {
      refuse(
        response,
        request,
        problem(new ValidationError([{ field: 'path', message: 'is not valid percent-encoding' }])),
      );
      return;
    }
    let claims: Record<string, string> | undefined;
    if (route.authorized) {
      const token = /^Bearer\s+(.+)$/i.exec(request.headers.authorization ?? '')?.[1];
      claims = token ? await verifyToken(options.signingKey, token) : undefined;
      if (!claims) {
        refuse(response, request, unauthorized());
        return;
      }
    }
    const body = await readBody(request, MAX_BODY_BYTES);
    if (!body) {
      refuse(
        response,
        request,
        problem(new PayloadTooLargeError(`The body is larger than ${MAX_BODY_BYTES / 1024} KiB.`)),
      );
      return;
    }
    const event = toEvent(request, url, route, body, claims, pathParameters);
    const result = await (handlers.get(route) as Handler)(
      event,
      lambdaContext(route, event.requestContext.requestId),
    );
    send(response, typeof result === 'string' ? { statusCode: 200, body: result } : result);
    options.log?.(
      `${method} ${url.pathname} -> ${typeof result === 'string' ? 200 : result.statusCode} ${Date.now() - started}ms`,
    );
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  return server;
}

function unauthorized(): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: 401,
    headers: { 'content-type': 'application/problem+json', 'www-authenticate': 'Bearer' },
    body: JSON.stringify({
      type: 'urn:det-control-plane:problem:unauthorized',
      title: 'Unauthorized',
      status: 401,
      detail:
        'Send a valid bearer token in the Authorization header (locally: npm run token -- --team NAME).',
    }),
  };
}

function problem(error: Error): APIGatewayProxyStructuredResultV2 {
  return problemResponse(error, randomUUID());
}

/** Answer without reading (the rest of) the body, and close the connection rather than drain it. */
function refuse(
  response: ServerResponse,
  request: IncomingMessage,
  result: APIGatewayProxyStructuredResultV2,
): void {
  send(response, { ...result, headers: { ...result.headers, connection: 'close' } });
  response.once('finish', () => request.destroy());
}

/** The body, or undefined once it passes `limit` bytes (by its Content-Length or as it arrives). */
function readBody(request: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  if (Number(request.headers['content-length'] ?? 0) > limit) return Promise.resolve(undefined);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        request.off('data', onData);
        request.pause();
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    };
    request.on('data', onData);
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

/** The route's path parameters, percent-decoded; undefined when the encoding is malformed. */
function decodePath(url: URL, route: Route): Record<string, string> | undefined {
  const match = route.pattern.exec(url.pathname);
  try {
    return Object.fromEntries(
      route.parameters.map((name, index) => [name, decodeURIComponent(match?.[index + 1] ?? '')]),
    );
  } catch {
    return undefined;
  }
}

export function toEvent(
  request: IncomingMessage,
  url: URL,
  route: Route,
  body: Buffer,
  claims: Record<string, string> | undefined,
  pathParameters: Record<string, string>,
): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
  }
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams)
    query[name] = name in query ? `${query[name]},${value}` : value;
  const now = new Date();
  const requestId = randomUUID();
  const text = body.toString('utf8');
  const binary = body.length > 0 && Buffer.from(text, 'utf8').length !== body.length;
  return {
    version: '2.0',
    routeKey: `${route.method} ${route.path}`,
    rawPath: url.pathname,
    rawQueryString: url.search.replace(/^\?/, ''),
    headers,
    ...(Object.keys(query).length > 0 ? { queryStringParameters: query } : {}),
    ...(route.parameters.length > 0 ? { pathParameters } : {}),
    requestContext: {
      accountId: '123456789012',
      apiId: 'local',
      domainName: url.host,
      domainPrefix: 'local',
      http: {
        method: route.method,
        path: url.pathname,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId,
      routeKey: `${route.method} ${route.path}`,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
      ...(claims ? { authorizer: { jwt: { claims, scopes: null } } } : {}),
    } as APIGatewayProxyEventV2['requestContext'],
    ...(body.length > 0 ? { body: binary ? body.toString('base64') : text } : {}),
    isBase64Encoded: binary,
  };
}

function lambdaContext(route: Route, requestId: string): Context {
  // API Gateway gives an integration 29 s; a loaded emulator may need longer (LOCAL_LAMBDA_TIMEOUT_SECONDS).
  const deadline = Date.now() + Number(process.env.LOCAL_LAMBDA_TIMEOUT_SECONDS ?? 29) * 1000;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: route.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${route.functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${route.functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => deadline - Date.now(),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

function send(response: ServerResponse, result: APIGatewayProxyStructuredResultV2): void {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(result.headers ?? {})) headers[name] = String(value);
  response.writeHead(result.statusCode ?? 200, headers);
  response.end(result.body ?? '');
}
