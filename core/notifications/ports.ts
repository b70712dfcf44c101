/** What webhooks need from the outside world; adapters/ implements these over AWS, tests in memory. */
import type { DeliverableType, EventType, TeamEvent } from './events.ts';
import type { WebhookFormat } from './payload.ts';

export interface WebhookSubscription {
  team: string;
  name: string;
  url: string;
  events: EventType[];
  format: WebhookFormat;
  /** Secrets Manager id of the signing secret; the secret itself is never in the table. */
  secretId: string;
  /** Changes whenever the secret does, so a cached secret is never used after a rotation. */
  secretVersion: string;
  createdAt: string;
  updatedAt: string;
  /** The `sub` that last registered it. */
  updatedBy: string;
}

export interface WebhookStore {
  get(team: string, name: string): Promise<WebhookSubscription | undefined>;
  /** A team's webhooks, by name (at most MAX_WEBHOOKS_PER_TEAM). */
  list(team: string): Promise<WebhookSubscription[]>;
  put(subscription: WebhookSubscription): Promise<void>;
  /** The removed subscription, or undefined when there was none. */
  remove(team: string, name: string): Promise<WebhookSubscription | undefined>;
}

export interface WebhookSecrets {
  /** Store the secret under the webhook's name (a new secret, or a new value of the existing one); its id. */
  store(team: string, name: string, secret: string): Promise<string>;
  read(secretId: string, version: string): Promise<string>;
  remove(secretId: string): Promise<void>;
}

/** One event for one webhook: a message of the delivery queue. */
export interface Delivery {
  team: string;
  webhook: string;
  event: TeamEvent;
}

export interface DeliveryQueue {
  /** Queue deliveries; the same event for the same webhook twice within minutes is queued once. */
  enqueue(deliveries: Delivery[]): Promise<void>;
}

/** Which deliveries succeeded (kept for a while), so that a duplicate is never sent twice. */
export interface DeliveryLog {
  delivered(delivery: Delivery): Promise<boolean>;
  /** Record a success; false when it was recorded already. */
  record(delivery: Delivery, outcome: { status: number; attempt: number; at: string }): Promise<boolean>;
}

export interface WebhookResponse {
  status: number;
}

/** One POST to a receiver: no redirects, a timeout, and the address checks of core/notifications/url-guard.ts. */
export interface WebhookTransport {
  post(url: string, body: string, headers: Record<string, string>): Promise<WebhookResponse>;
}

export type { DeliverableType };
