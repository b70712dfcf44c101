/** Entries of a cluster's timeline (GET /clusters/{id}/events), newest first. */
export interface TimelineEntry {
  /** Unique within the timeline; with `at` it fixes the order (at, then id, both descending). */
  id: string;
  at: string;
  /** Who saw it: the control plane itself, or CloudFormation's stack events. */
  source: 'control-plane' | 'stack';
  kind: string;
  message: string;
  status?: string;
  /** On `agents` entries: the dynamic agents the reaper counted running (core/cost/meter.ts). */
  agents?: number;
  resource?: { logicalId: string; type: string; status: string; reason?: string };
}

export type NewTimelineEntry = Omit<TimelineEntry, 'id'>;

/** Timeline order: newest first, ties broken by id. */
export function newerFirst(a: { at: string; id: string }, b: { at: string; id: string }): number {
  if (a.at !== b.at) return a.at < b.at ? 1 : -1;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

/** True when `entry` comes after `cursor` in timeline order. */
export function isAfter(entry: { at: string; id: string }, cursor: { at: string; id: string }): boolean {
  return newerFirst(cursor, entry) < 0;
}
