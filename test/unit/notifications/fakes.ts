/** In-memory webhooks, secrets, queue, delivery log and receiver for the notification tests. */
import type { TeamEvent } from '../../../core/notifications/events.ts';
import type {
  Delivery,
  DeliveryLog,
  DeliveryQueue,
  WebhookSecrets,
  WebhookStore,
  WebhookSubscription,
  WebhookTransport,
} from '../../../core/notifications/ports.ts';

export class MemoryWebhooks implements WebhookStore, DeliveryLog {
  readonly items = new Map<string, WebhookSubscription>();
  readonly deliveries = new Map<string, { status: number; attempt: number }>();

  async get(team: string, name: string) {
    return this.items.get(`${team}/${name}`);
  }
  async list(team: string) {
    return [...this.items.values()].filter((item) => item.team === team);
  }
  async put(subscription: WebhookSubscription) {
    this.items.set(`${subscription.team}/${subscription.name}`, subscription);
  }
  async remove(team: string, name: string) {
    const existing = this.items.get(`${team}/${name}`);
    this.items.delete(`${team}/${name}`);
    return existing;
  }
  async delivered(delivery: Delivery) {
    return this.deliveries.has(`${delivery.team}/${delivery.webhook}/${delivery.event.id}`);
  }
  async record(delivery: Delivery, outcome: { status: number; attempt: number }) {
    const key = `${delivery.team}/${delivery.webhook}/${delivery.event.id}`;
    if (this.deliveries.has(key)) return false;
    this.deliveries.set(key, outcome);
    return true;
  }
}

export class MemorySecrets implements WebhookSecrets {
  readonly values = new Map<string, string>();
  async store(team: string, name: string, secret: string) {
    const id = `arn:secret:${team}/${name}`;
    this.values.set(id, secret);
    return id;
  }
  async read(id: string) {
    const value = this.values.get(id);
    if (!value) throw new Error('no such secret');
    return value;
  }
  async remove(id: string) {
    this.values.delete(id);
  }
}

export class MemoryQueue implements DeliveryQueue {
  readonly messages: Delivery[] = [];
  async enqueue(deliveries: Delivery[]) {
    this.messages.push(...deliveries);
  }
}

export interface Posted {
  url: string;
  body: string;
  headers: Record<string, string>;
}

/** Answers each POST with the next scripted status (or throws an Error given instead), then 200. */
export class ScriptedReceiver implements WebhookTransport {
  readonly posted: Posted[] = [];
  constructor(private readonly script: (number | Error)[] = []) {}
  async post(url: string, body: string, headers: Record<string, string>) {
    this.posted.push({ url, body, headers });
    const next = this.script.shift() ?? 200;
    if (next instanceof Error) throw next;
    return { status: next };
  }
}

export function subscription(overrides: Partial<WebhookSubscription> = {}): WebhookSubscription {
  return {
    team: 'bars',
    name: 'hook',
    url: 'https://hooks.example.com/det',
    events: ['cluster.ready', 'cluster.deleted'],
    format: 'json',
    secretId: 'arn:secret:bars/hook',
    secretVersion: 'v1',
    createdAt: '2030-01-01T00:00:00.000Z',
    updatedAt: '2030-01-01T00:00:00.000Z',
    updatedBy: 'alice',
    ...overrides,
  };
}

export function teamEvent(overrides: Partial<TeamEvent> = {}): TeamEvent {
  return {
    id: 'msg_0123456789abcdef0123456789abcdef',
    team: 'bars',
    type: 'cluster.ready',
    timestamp: '2030-01-01T00:00:00.000Z',
    subject: 'c1',
    data: { clusterId: 'c1', team: 'bars', status: 'READY' },
    ...overrides,
  };
}
