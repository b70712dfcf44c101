/**
 * What a webhook receives: the Standard Webhooks body `{type, timestamp, data}` (format `json`), or
 * a Slack incoming-webhook message (format `slack`): one line of text that says what happened, to
 * which cluster, and what to do about it.
 */
import type { TeamEvent } from './events.ts';

export const WEBHOOK_FORMATS = ['json', 'slack'] as const;
export type WebhookFormat = (typeof WEBHOOK_FORMATS)[number];

const text = (value: unknown): string => (typeof value === 'string' ? value : '');

/** The sentence a person reads in chat. Slack's mrkdwn: `*bold*`, `<url|label>`. */
export function summary(event: TeamEvent): string {
  const data = event.data;
  const cluster = `*${text(data.clusterId) || event.subject}* (team ${event.team})`;
  switch (event.type) {
    case 'cluster.ready':
      return `:white_check_mark: Cluster ${cluster} is ready${data.masterUrl ? `: <${text(data.masterUrl)}>` : '.'}`;
    case 'cluster.started':
      return `:arrow_forward: Cluster ${cluster} was started again${data.masterUrl ? `: <${text(data.masterUrl)}>` : '.'}`;
    case 'cluster.failed':
      return `:x: Cluster ${cluster}: the ${text(data.operation) || 'operation'} failed. ${text(data.reason)}`;
    case 'cluster.teardown-warning':
      return `:warning: Cluster ${cluster} will be ${text(data.action) || 'torn down'} at ${text(data.teardownAt)} (${text(data.reason)}). ${text(data.howToKeep)}`;
    case 'cluster.stopped':
      return `:double_vertical_bar: Cluster ${cluster} is stopped; it costs only its storage now.`;
    case 'cluster.deleted':
      return `:wastebasket: Cluster ${cluster} was deleted${data.reason ? `: ${text(data.reason)}` : '.'}`;
    case 'cluster.upgraded':
      return `:arrow_up: Cluster ${cluster} runs Determined ${text(data.toVersion)} now (was ${text(data.fromVersion)}).`;
    case 'team.budget-threshold':
      return `:moneybag: Team ${event.team} has spent ${String(data.spentUsd ?? '?')} USD of its ${String(data.budgetUsd ?? '?')} USD monthly budget (${String(data.percent ?? '?')} %).`;
    case 'webhook.test':
      return `:wave: Test event for webhook *${text(data.webhook)}* of team ${event.team}: deliveries work.`;
    default:
      return `${String(event.type)} for ${cluster}`;
  }
}

/** The body sent, as the exact text that is signed. */
export function renderBody(event: TeamEvent, format: WebhookFormat): string {
  if (format === 'slack') return JSON.stringify({ text: summary(event) });
  return JSON.stringify({ type: event.type, timestamp: event.timestamp, data: event.data });
}
