/**
 * Every HTTP function is `apiHandler(main)`: middy with one error mapper, optional idempotency, and
 * a `main` that takes the parsed request and the injected dependencies (tests call `main` directly).
 */
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { withDeadline } from '../../adapters/aws/deadline.ts';
import { config } from '../../adapters/config.ts';
import { assertScope, type Scope } from '../../core/principal.ts';
import { principalOf, readApiRequest, type ApiRequest } from './api-request.ts';
import { conditionalGet } from './middleware/conditional-get.ts';
import type { AuditLog } from '../../core/audit/entry.ts';
import { auditTrail, type AuditSpec } from './middleware/audit-trail.ts';
import { idempotency, type IdempotencyDeps } from './middleware/idempotency.ts';
import { problemDetails } from './middleware/problem-details.ts';
import { logOutcome, requestLog } from './middleware/request-log.ts';

export interface ApiResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type ApiMain<D> = (request: ApiRequest, deps: D) => Promise<ApiResponse>;

export interface ApiHandlerOptions<D> {
  /** The scope a token needs for this route (contract, "Auth and tenancy"); checked first. */
  scope: Scope;
  /** Builds what `main` needs (adapters from ../deps.ts); tests pass fakes. */
  deps: () => D;
  /** Mutating endpoints honour Idempotency-Key with this store. */
  idempotency?: IdempotencyDeps;
  /** State-changing routes: an audit entry for each accepted request (middleware/audit-trail.ts). */
  audit?: AuditSpec & { log: () => AuditLog };
}

/** What a route requires, read off its handler (the unit harness and the route checks use it). */
export interface RouteSettings {
  scope: Scope;
  idempotent: boolean;
  /** Writes an audit entry for each accepted request. */
  audited: boolean;
}

export function apiHandler<D>(main: ApiMain<D>, options: ApiHandlerOptions<D>) {
  const handler = middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>({ requestEnd: logOutcome })
    .use(problemDetails())
    .use(requestLog())
    // ETag and 304 on every GET (answers that did not change cost a poller almost nothing).
    .use(conditionalGet())
    // 401, then 403, before the body is read or anything is claimed or written.
    .use({ before: async (request) => assertScope(principalOf(request.event), options.scope) });
  if (options.idempotency) handler.use(idempotency(options.idempotency));
  if (options.audit) handler.use(auditTrail(options.audit, options.audit.log));
  const settings: RouteSettings = {
    scope: options.scope,
    idempotent: options.idempotency !== undefined,
    audited: options.audit !== undefined,
  };
  const handle = handler.handler(async (event) => toHttp(await main(readApiRequest(event), options.deps())));
  // Every AWS call of the request, middlewares included, shares one budget (adapters/aws/deadline.ts).
  return Object.assign(
    (event: APIGatewayProxyEventV2, context: Context) =>
      withDeadline(Date.now() + requestBudgetMs(context, config().api.gatewayLimitSeconds * 1000), () =>
        handle(event, context),
      ),
    { settings },
  );
}

/** API Gateway gives an integration 29 s (30 s at most); the answer needs time to leave. */
const GATEWAY_LIMIT_MS = 29_000;
/**
 * What the budget leaves for the answer and, after a step that failed at the deadline, for undoing
 * what the request wrote (each such call gets one short try, adapters/aws/http.ts MIN_ATTEMPT_MS).
 */
const ANSWER_MARGIN_MS = 8_000;

/**
 * How long AWS calls may take in this request: what the function and API Gateway both still
 * allow, less the margin to write the answer (and, after a failed step, to undo what it wrote).
 */
export function requestBudgetMs(
  context: Pick<Context, 'getRemainingTimeInMillis'> | undefined,
  gatewayLimitMs = GATEWAY_LIMIT_MS,
): number {
  const remaining = context?.getRemainingTimeInMillis?.() ?? gatewayLimitMs;
  return Math.max(0, Math.min(remaining, gatewayLimitMs) - ANSWER_MARGIN_MS);
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
