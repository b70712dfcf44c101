/**
 * Every HTTP function is `apiHandler(main)`: middy with one error mapper, optional idempotency, and
 * a `main` that takes the parsed request and the injected dependencies (tests call `main` directly).
 */
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { config } from '../../adapters/config.ts';
import { logger } from '../../adapters/logger.ts';
import type { IdempotencyStore } from '../../core/ports.ts';
import { readApiRequest, type ApiRequest } from './api-request.ts';
import { idempotency } from './middleware/idempotency.ts';
import { problemDetails } from './middleware/problem-details.ts';

export interface ApiResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type ApiMain<D> = (request: ApiRequest, deps: D) => Promise<ApiResponse>;

export interface ApiHandlerOptions<D> {
  /** Builds what `main` needs (adapters from ../deps.ts); tests pass fakes. */
  deps: () => D;
  /** Mutating endpoints honour Idempotency-Key with this store. */
  idempotency?: () => IdempotencyStore;
}

export function apiHandler<D>(main: ApiMain<D>, options: ApiHandlerOptions<D>) {
  const handler = middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
    .use(problemDetails())
    .use({
      before: async (request) => {
        logger.resetKeys();
        const { requestId, http } = request.event.requestContext;
        logger.appendKeys({
          requestId,
          route: `${http.method} ${request.event.rawPath}`,
          clusterId: request.event.pathParameters?.clusterId,
        });
      },
      after: async (request) => logOutcome(request.event, request.response),
    });
  if (options.idempotency) handler.use(idempotency(options.idempotency));
  return handler.handler(async (event) => toHttp(await main(readApiRequest(event), options.deps())));
}

/** One line per answered request: who, which cluster, the outcome. Never a body or a header. */
export function logOutcome(
  event: APIGatewayProxyEventV2,
  response: APIGatewayProxyStructuredResultV2 | undefined,
): void {
  const claims = (event.requestContext as { authorizer?: { jwt?: { claims?: Record<string, unknown> } } })
    .authorizer?.jwt?.claims;
  let body: { clusterId?: unknown; status?: unknown } = {};
  try {
    body = response?.body ? (JSON.parse(response.body) as typeof body) : {};
  } catch {
    // not JSON: nothing to pick from it
  }
  logger.info('request handled', {
    status: response?.statusCode,
    ...(typeof claims?.[config().auth.teamClaim] === 'string'
      ? { team: claims[config().auth.teamClaim] }
      : {}),
    ...(typeof claims?.sub === 'string' ? { owner: claims.sub } : {}),
    ...(typeof body.clusterId === 'string' ? { clusterId: body.clusterId } : {}),
    ...(typeof body.status === 'string' ? { clusterStatus: body.status } : {}),
  });
}

export function toHttp(response: ApiResponse): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: response.status,
    headers: {
      ...(response.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...response.headers,
    },
    ...(response.body !== undefined ? { body: JSON.stringify(response.body) } : {}),
  };
}
