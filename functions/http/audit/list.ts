/** GET /audit: who did what, newest first, inside the caller's team (every team's for an admin). */
import type { AuditLog } from '../../../core/audit/entry.ts';
import { auditQuerySchema } from '../../../core/audit/request.ts';
import { readAudit } from '../../../core/operations/read-audit.ts';
import { parseWith } from '../../../core/validation.ts';
import { auditLog } from '../../deps.ts';
import { apiHandler, type ApiMain } from '../api-handler.ts';

export const main: ApiMain<{ audit: AuditLog }> = async (request, deps) => {
  const query = parseWith(auditQuerySchema, request.query);
  const page = await readAudit(deps, request.principal, {
    ...(query.team ? { team: query.team } : {}),
    ...(query.clusterId ? { clusterId: query.clusterId } : {}),
    ...(query.since ? { since: new Date(query.since).toISOString() } : {}),
    ...(query.limit ? { limit: Number(query.limit) } : {}),
    ...(query.nextToken ? { nextToken: query.nextToken } : {}),
  });
  return { status: 200, body: page };
};

export const handler = apiHandler(main, { scope: 'read', deps: () => ({ audit: auditLog() }) });
