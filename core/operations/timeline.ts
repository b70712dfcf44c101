/**
 * GET /clusters/{id}/events: the control plane's own entries merged with the stack's events, newest
 * first. One opaque token resumes both sources after the last entry returned.
 */
import type { ClusterRef } from '../cluster/naming.ts';
import { ValidationError } from '../errors.ts';
import { assertCanSee, type Principal } from '../principal.ts';
import type { Page } from '../ports.ts';
import { isAfter, newerFirst, type TimelineEntry } from '../timeline.ts';
import type { OperationDeps } from './deps.ts';

interface Cursor {
  at: string;
  id: string;
}

export type TimelineDeps = Pick<OperationDeps, 'store' | 'stacks'>;

export async function clusterTimeline(
  deps: TimelineDeps,
  principal: Principal,
  ref: ClusterRef,
  query: { limit: number; nextToken?: string },
): Promise<Page<TimelineEntry>> {
  const cluster = assertCanSee(principal, await deps.store.get(ref), ref.clusterId);
  const after = decodeCursor(query.nextToken);
  const [own, stack] = await Promise.all([
    deps.store.listEvents(cluster, { limit: query.limit, ...(after ? { after } : {}) }),
    cluster.stackId ? stackEventsAfter(deps, cluster.stackId, after, query.limit) : Promise.resolve([]),
  ]);
  const merged = [...own, ...stack].sort(newerFirst).slice(0, query.limit);
  const last = merged.at(-1);
  const more = own.length + stack.length > merged.length || merged.length === query.limit;
  return { items: merged, ...(last && more ? { nextToken: encodeCursor(last) } : {}) };
}

/** CloudFormation pages only forwards from the newest event, so skip to the cursor. */
async function stackEventsAfter(
  deps: Pick<OperationDeps, 'stacks'>,
  stackId: string,
  after: Cursor | undefined,
  limit: number,
): Promise<TimelineEntry[]> {
  const found: TimelineEntry[] = [];
  let token: string | undefined;
  do {
    const page = await deps.stacks.events(stackId, token);
    found.push(...page.items.filter((entry) => !after || isAfter(entry, after)));
    token = page.nextToken;
  } while (token && found.length < limit);
  return found.slice(0, limit);
}

function encodeCursor(entry: TimelineEntry): string {
  return Buffer.from(JSON.stringify({ at: entry.at, id: entry.id })).toString('base64url');
}

const CURSOR_AT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;
const CURSOR_ID = /^[\x21-\x7e]{1,256}$/;

/** The cursor names a place in this cluster's own timeline only; anything else is a 400. */
function decodeCursor(token: string | undefined): Cursor | undefined {
  if (token === undefined) return undefined;
  try {
    const value = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Partial<Cursor>;
    if (
      typeof value.at === 'string' &&
      typeof value.id === 'string' &&
      CURSOR_AT.test(value.at) &&
      CURSOR_ID.test(value.id) &&
      Object.keys(value).length === 2
    )
      return { at: value.at, id: value.id };
  } catch {
    // fall through
  }
  throw new ValidationError([{ field: 'nextToken', message: 'is not a token this API returned' }]);
}
