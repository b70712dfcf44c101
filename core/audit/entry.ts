/**
 * The audit trail (contract, "Notifications and audit"): who did what to which cluster or webhook,
 * and how it ended. Entries are appended, never changed (the functions' roles may only put them);
 * kept 400 days. They hold ids, names and outcomes, never a request body, a secret or a token.
 */
import type { Page } from '../ports.ts';

export const AUDIT_RETENTION_DAYS = 400;

/** Actors that are not a person: the control plane's own scheduled and workflow actions. */
export type SystemActor = 'reaper' | 'workflow';

export interface AuditEntry {
  at: string;
  /** The token's `sub`, or `reaper` / `workflow`. */
  actor: string;
  /** The team whose cluster or webhook it was (an admin may act on another team's). */
  team: string;
  /** `cluster.create`, `cluster.delete`, `webhook.put`, ... */
  action: string;
  clusterId?: string;
  /** What else the action named (a webhook's name). */
  target?: string;
  /** `accepted` for an API request; the status a workflow reached; `done`/`failed` for the reaper. */
  outcome: string;
  /** The API request id, the workflow execution's name, or the reaper run's id. */
  requestId: string;
  /** The caller's own team when it differs from `team` (an admin's action on another team). */
  actorTeam?: string;
  /** A short reason (a failure's root cause, the reaper's verdict); no secrets. */
  detail?: string;
}

export interface AuditQuery {
  /** One team's entries; without it, every team's (admins only). */
  team?: string;
  clusterId?: string;
  /** Entries at or after this instant (ISO-8601). */
  since?: string;
  limit: number;
  nextToken?: string;
}

/** Append-only: there is no update and no delete. */
export interface AuditLog {
  append(entries: readonly AuditEntry[]): Promise<void>;
  /** Newest first; `nextToken` is opaque and bound to the query. */
  list(query: AuditQuery): Promise<Page<AuditEntry>>;
}

const MAX_DETAIL = 512;

/** Bounds the free text an entry may carry. */
export function boundedDetail(text: string | undefined): { detail?: string } {
  if (!text) return {};
  return { detail: text.length > MAX_DETAIL ? `${text.slice(0, MAX_DETAIL - 1)}…` : text };
}
