/** POST /teams/{team}/webhooks/{name}/test: queue a `webhook.test` event for that webhook (202). */
import { testWebhook, type WebhookDeps } from '../../../core/operations/webhooks.ts';
import { auditLog, clock, deliveryQueue, webhookStore } from '../../deps.ts';
import { apiHandler, type ApiMain } from '../api-handler.ts';
import { webhookName, webhookOf } from './path.ts';

export const main: ApiMain<Pick<WebhookDeps, 'webhooks' | 'deliveries' | 'clock'>> = async (
  request,
  deps,
) => ({
  status: 202,
  body: await testWebhook(deps, request.principal, webhookOf(request), request.requestId),
});

export const handler = apiHandler(main, {
  scope: 'write',
  audit: { action: 'webhook.test', target: webhookName, log: auditLog },
  deps: () => ({ webhooks: webhookStore(), deliveries: deliveryQueue(), clock }),
});
