/**
 * Every HTTP function is `apiHandler(main)`: middy with one error mapper, optional idempotency, and
 * a `main` that takes the parsed request and the injected dependencies (tests call `main` directly).
 */
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { assertScope, type Scope } from '../../core/principal.ts';
import { principalOf, readApiRequest, type ApiRequest } from './api-request.ts';
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
    // 401, then 403, before the body is read or anything is claimed or written.
    .use({ before: async (request) => assertScope(principalOf(request.event), options.scope) });
  if (options.idempotency) handler.use(idempotency(options.idempotency));
  if (options.audit) handler.use(auditTrail(options.audit, options.audit.log));
  const settings: RouteSettings = {
    scope: options.scope,
    idempotent: options.idempotency !== undefined,
    audited: options.audit !== undefined,
  };
  return Object.assign(
    handler.handler(async (event) => toHttp(await main(readApiRequest(event), options.deps()))),
    { settings },
  );
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
