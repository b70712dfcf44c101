/**
 * A team's webhooks: register or replace (a new signing secret each time, returned once), list (no
 * secrets), remove, and send a test event. A member manages their own team's; an admin any team's.
 * Another team's webhooks are answered as absent (404), as clusters are.
 */
import { ConflictError, NotFoundError, ValidationError } from '../errors.ts';
import { eventId, TEST_EVENT, type TeamEvent } from '../notifications/events.ts';
import type {
  DeliveryQueue,
  WebhookSecrets,
  WebhookStore,
  WebhookSubscription,
} from '../notifications/ports.ts';
import { generateWebhookSecret } from '../notifications/signature.ts';
import { webhookUrlProblem, type UrlPolicy } from '../notifications/url-guard.ts';
import { MAX_WEBHOOKS_PER_TEAM, type PutWebhookRequest } from '../notifications/webhook-request.ts';
import type { Clock } from '../ports.ts';
import type { Principal } from '../principal.ts';

export interface WebhookDeps {
  webhooks: WebhookStore;
  secrets: WebhookSecrets;
  deliveries: DeliveryQueue;
  clock: Clock;
  urlPolicy: UrlPolicy;
  generateSecret?: () => string;
}

/** A webhook as the API shows it: never its secret, nor where the secret is kept. */
export type WebhookView = Omit<WebhookSubscription, 'secretId' | 'secretVersion'>;

export function toWebhookView(subscription: WebhookSubscription): WebhookView {
  const { secretId: _id, secretVersion: _version, ...view } = subscription;
  return view;
}

/** The team a webhook route names, if the caller may manage it; else 404, as if it did not exist. */
export function assertTeam(principal: Principal, team: string): string {
  if (team !== principal.team && !principal.admin) throw new NotFoundError(`No team ${team} here.`);
  return team;
}

export async function putWebhook(
  deps: Omit<WebhookDeps, 'deliveries'>,
  principal: Principal,
  target: { team: string; name: string },
  request: PutWebhookRequest,
): Promise<WebhookView & { secret: string }> {
  const team = assertTeam(principal, target.team);
  const problem = webhookUrlProblem(request.url, deps.urlPolicy);
  if (problem) throw new ValidationError([{ field: 'url', message: problem }]);
  const existing = await deps.webhooks.get(team, target.name);
  if (!existing && (await deps.webhooks.list(team)).length >= MAX_WEBHOOKS_PER_TEAM) {
    throw new ConflictError(
      `Team ${team} has ${MAX_WEBHOOKS_PER_TEAM} webhooks already; remove one before adding another.`,
    );
  }
  const now = deps.clock.now().toISOString();
  const secret = (deps.generateSecret ?? generateWebhookSecret)();
  const secretId = await deps.secrets.store(team, target.name, secret);
  const subscription: WebhookSubscription = {
    team,
    name: target.name,
    url: request.url,
    events: [...new Set(request.events)],
    format: request.format ?? 'json',
    secretId,
    secretVersion: eventId([secretId, now, secret.slice(-8)]).slice(4, 20),
    createdAt: existing?.createdAt ?? now,
    updatedAt: now,
    updatedBy: principal.sub,
  };
  await deps.webhooks.put(subscription);
  return { ...toWebhookView(subscription), secret };
}

export async function listWebhooks(
  deps: Pick<WebhookDeps, 'webhooks'>,
  principal: Principal,
  team: string,
): Promise<{ items: WebhookView[] }> {
  const items = await deps.webhooks.list(assertTeam(principal, team));
  return { items: items.map(toWebhookView) };
}

export async function deleteWebhook(
  deps: Pick<WebhookDeps, 'webhooks' | 'secrets'>,
  principal: Principal,
  target: { team: string; name: string },
): Promise<void> {
  const removed = await deps.webhooks.remove(assertTeam(principal, target.team), target.name);
  if (!removed) throw new NotFoundError(`Team ${target.team} has no webhook ${target.name}.`);
  await deps.secrets.remove(removed.secretId);
}

export async function testWebhook(
  deps: Pick<WebhookDeps, 'webhooks' | 'deliveries' | 'clock'>,
  principal: Principal,
  target: { team: string; name: string },
  requestId: string,
): Promise<{ eventId: string }> {
  const team = assertTeam(principal, target.team);
  const subscription = await deps.webhooks.get(team, target.name);
  if (!subscription) throw new NotFoundError(`Team ${team} has no webhook ${target.name}.`);
  const timestamp = deps.clock.now().toISOString();
  const event: TeamEvent = {
    id: eventId([TEST_EVENT, team, target.name, requestId]),
    team,
    type: TEST_EVENT,
    timestamp,
    subject: `webhook:${target.name}`,
    data: { webhook: target.name, team, requestedBy: principal.sub },
  };
  await deps.deliveries.enqueue([{ team, webhook: target.name, event }]);
  return { eventId: event.id };
}
