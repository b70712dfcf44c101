/** GET /clusters/{clusterId}/events: the timeline, newest first. */
import { eventsQuerySchema } from '../../../core/cluster/request.ts';
import { clusterTimeline, type TimelineDeps } from '../../../core/operations/timeline.ts';
import { parseWith } from '../../../core/validation.ts';
import { clusterStore, stacks } from '../../deps.ts';
import { apiHandler, type ApiMain } from '../api-handler.ts';
import { clusterOf } from './path.ts';
import { DEFAULT_PAGE_SIZE } from './list.ts';

export const main: ApiMain<TimelineDeps> = async (request, deps) => {
  const query = parseWith(eventsQuerySchema, request.query);
  const page = await clusterTimeline(deps, request.principal, clusterOf(request, query.team), {
    limit: query.limit ? Number(query.limit) : DEFAULT_PAGE_SIZE,
    ...(query.nextToken ? { nextToken: query.nextToken } : {}),
  });
  return { status: 200, body: page };
};

export const handler = apiHandler(main, {
  scope: 'read',
  deps: () => ({ store: clusterStore(), stacks: stacks() }),
});
