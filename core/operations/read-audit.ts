/**
 * GET /audit: a member reads their own team's trail; an admin every team's, or the one `?team=`
 * names. A member naming another team gets an empty page, as GET /clusters answers it.
 */
import type { AuditEntry, AuditLog } from '../audit/entry.ts';
import type { Page } from '../ports.ts';
import type { Principal } from '../principal.ts';

export const DEFAULT_AUDIT_PAGE = 50;

export async function readAudit(
  deps: { audit: AuditLog },
  principal: Principal,
  query: { team?: string; clusterId?: string; since?: string; limit?: number; nextToken?: string },
): Promise<Page<AuditEntry>> {
  const { team, limit, ...rest } = query;
  if (team !== undefined && team !== principal.team && !principal.admin) return { items: [] };
  const scope = principal.admin ? team : principal.team;
  return deps.audit.list({
    ...rest,
    limit: limit ?? DEFAULT_AUDIT_PAGE,
    ...(scope !== undefined ? { team: scope } : {}),
  });
}
