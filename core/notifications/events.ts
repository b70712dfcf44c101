/**
 * The events a team's webhooks can receive (contract, "Notifications and audit"), and their ids.
 * An event's id is derived from what it reports, so the same change reported twice (a stream batch
 * retried, a reaper run repeated) carries the same id, and a receiver drops the second copy.
 */
import { createHash } from 'node:crypto';

export const EVENT_TYPES = [
  'cluster.ready',
  'cluster.failed',
  'cluster.teardown-warning',
  'cluster.stopped',
  'cluster.started',
  'cluster.deleted',
  'cluster.upgraded',
  'team.budget-threshold',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** Sent by POST /teams/{team}/webhooks/{name}/test to that one webhook, whatever it subscribes to. */
export const TEST_EVENT = 'webhook.test';
export type DeliverableType = EventType | typeof TEST_EVENT;

export interface TeamEvent {
  /** Stable across retries and duplicates: the `webhook-id` receivers deduplicate on. */
  id: string;
  team: string;
  type: DeliverableType;
  /** ISO-8601: when the reported change happened. */
  timestamp: string;
  /** What the event is about (a cluster id): deliveries to one webhook about one subject keep their order. */
  subject: string;
  data: Record<string, unknown>;
}

/** `msg_` and 32 hex digits of SHA-256 over the parts that identify the change. */
export function eventId(parts: readonly string[]): string {
  return `msg_${createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 32)}`;
}

export const isEventType = (value: string): value is EventType =>
  (EVENT_TYPES as readonly string[]).includes(value);

/**
 * An event about `subject` (a cluster id; default the team). Its id comes from the type, team,
 * subject and `dedupeKey` (default: the instant), so the same report made twice is one event.
 */
export function teamEvent(
  team: string,
  type: EventType,
  data: Record<string, unknown>,
  options: { subject?: string; dedupeKey?: string; at: Date },
): TeamEvent {
  const subject = options.subject ?? `team:${team}`;
  return {
    id: eventId([type, team, subject, options.dedupeKey ?? options.at.toISOString()]),
    team,
    type,
    timestamp: options.at.toISOString(),
    subject,
    data: { team, ...data },
  };
}
