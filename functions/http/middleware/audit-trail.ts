/**
 * The audit entry of an accepted state-changing request (contract, "Notifications and audit"): who
 * (the token's sub), which team's what (the cluster or webhook the answer names), the action, the
 * answer's status and the request id. Written after the answer is known and only for a 2xx: a
 * refused request changed nothing. An idempotent replay skips it (middy skips every `after` then),
 * so a retried request is recorded once. Never a body, a header or a secret.
 */
import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { logger } from '../../../adapters/logger.ts';
import { metrics } from '../../../adapters/metrics.ts';
import type { AuditEntry, AuditLog } from '../../../core/audit/entry.ts';
import { point } from '../../../core/metrics/catalogue.ts';
import { readApiRequest, type ApiRequest } from '../api-request.ts';

export interface AuditSpec {
  /** `cluster.create`, `webhook.put`, ... */
  action: string;
  /** What else the request names besides a cluster (a webhook's name). */
  target?: (request: ApiRequest) => string | undefined;
  /** Requests of the route that change nothing (a dry run). */
  skip?: (request: ApiRequest) => boolean;
}

export function entryFor(
  spec: AuditSpec,
  request: ApiRequest,
  response: APIGatewayProxyStructuredResultV2,
  at: Date,
): AuditEntry {
  let body: { team?: unknown; clusterId?: unknown } = {};
  try {
    body = response.body ? (JSON.parse(response.body) as typeof body) : {};
  } catch {
    // not JSON: the path names what was acted on
  }
  const team =
    typeof body.team === 'string'
      ? body.team
      : (request.path.team ?? request.query.team ?? request.principal.team);
  const clusterId =
    request.path.clusterId ?? (typeof body.clusterId === 'string' ? body.clusterId : undefined);
  const target = spec.target?.(request);
  return {
    at: at.toISOString(),
    actor: request.principal.sub,
    team,
    action: spec.action,
    ...(clusterId ? { clusterId } : {}),
    ...(target ? { target } : {}),
    outcome: 'accepted',
    requestId: request.requestId,
    ...(team !== request.principal.team ? { actorTeam: request.principal.team } : {}),
    detail: `HTTP ${response.statusCode ?? 200}`,
  };
}

export function auditTrail(
  spec: AuditSpec,
  log: () => AuditLog,
): MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2> {
  return {
    after: async ({ event, response }) => {
      const status = response?.statusCode ?? 200;
      if (!response || status < 200 || status >= 300) return;
      const request = readApiRequest(event);
      if (spec.skip?.(request)) return;
      const entry = entryFor(spec, request, response, new Date());
      try {
        await log().append([entry]);
      } catch (error) {
        // The change is made and answered; the entry stays in the log line and the alarm counts it.
        logger.error('audit entry not written', { entry, error: (error as Error).message });
        metrics().publish([point('AuditWriteFailures', 1)]);
      }
    },
  };
}
