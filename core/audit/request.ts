/** GET /audit's query (contract: `?team=&clusterId=&since=&limit=&nextToken=`). */
import * as z from 'zod/mini';
import { CLUSTER_ID } from '../cluster/request.ts';
import { TEAM } from '../principal.ts';

export const auditQuerySchema = z.strictObject({
  team: z.optional(z.string().check(z.regex(TEAM, { error: 'must be a team name' }))),
  clusterId: z.optional(
    z.string().check(z.maxLength(64), z.regex(CLUSTER_ID, { error: 'must be a cluster id' })),
  ),
  since: z.optional(
    z.iso.datetime({ offset: true, error: 'must be an ISO-8601 instant such as 2030-01-31T18:00:00Z' }),
  ),
  limit: z.optional(
    z.string().check(z.regex(/^(100|[1-9][0-9]?)$/, { error: 'must be an integer from 1 to 100' })),
  ),
  nextToken: z.optional(z.string().check(z.maxLength(2048))),
});
