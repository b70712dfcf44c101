/**
 * The request log: one structured line per answered request (who, which cluster, the outcome), never a
 * body or a header. The line is written from middy's requestEnd hook, not from a middleware's
 * `after`: an early response (an idempotent replay) skips every `after`, and an error's answer is only
 * known once the error mapper has run.
 */
import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { config } from '../../../adapters/config.ts';
import { logger } from '../../../adapters/logger.ts';
import { metrics } from '../../../adapters/metrics.ts';
import { requestPoints } from '../../../core/metrics/requests.ts';

interface LoggedRequest {
  event: APIGatewayProxyEventV2;
  response: APIGatewayProxyStructuredResultV2 | undefined;
}

/** When each request's handling began (the local gateway serves several at once in one process). */
const started = new WeakMap<APIGatewayProxyEventV2, number>();

/** Tags every line the request logs with its id, route and cluster. */
export function requestLog(): MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2> {
  return {
    before: async ({ event }) => {
      started.set(event, performance.now());
      logger.resetKeys();
      const { requestId, http } = event.requestContext;
      logger.appendKeys({
        requestId,
        route: `${http.method} ${event.rawPath}`,
        clusterId: event.pathParameters?.clusterId,
      });
    },
  };
}

/** middy's requestEnd: every answer, replayed or mapped from an error included, logged and counted. */
export function logOutcome({ event, response }: LoggedRequest): void {
  const begun = started.get(event);
  metrics().publish(
    requestPoints({
      routeKey: event.routeKey,
      status: response?.statusCode,
      elapsedMs: begun === undefined ? 0 : performance.now() - begun,
    }),
  );
  const claims = (event.requestContext as { authorizer?: { jwt?: { claims?: Record<string, unknown> } } })
    .authorizer?.jwt?.claims;
  let body: { clusterId?: unknown; status?: unknown } = {};
  try {
    body = response?.body ? (JSON.parse(response.body) as typeof body) : {};
  } catch {
    // not JSON: nothing to pick from it
  }
  const team = claims?.[config().auth.teamClaim];
  logger.info('request handled', {
    status: response?.statusCode,
    ...(typeof team === 'string' ? { team } : {}),
    ...(typeof claims?.sub === 'string' ? { owner: claims.sub } : {}),
    ...(typeof body.clusterId === 'string' ? { clusterId: body.clusterId } : {}),
    ...(typeof body.status === 'string' ? { clusterStatus: body.status } : {}),
    ...(response?.headers?.['idempotent-replayed'] === 'true' ? { replayed: true } : {}),
  });
}
