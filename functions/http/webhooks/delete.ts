/** DELETE /teams/{team}/webhooks/{name}: remove a webhook and its secret; queued deliveries are dropped. */
import { deleteWebhook, type WebhookDeps } from '../../../core/operations/webhooks.ts';
import { auditLog, webhookSecrets, webhookStore } from '../../deps.ts';
import { apiHandler, type ApiMain } from '../api-handler.ts';
import { webhookName, webhookOf } from './path.ts';

export const main: ApiMain<Pick<WebhookDeps, 'webhooks' | 'secrets'>> = async (request, deps) => {
  await deleteWebhook(deps, request.principal, webhookOf(request));
  return { status: 204 };
};

export const handler = apiHandler(main, {
  scope: 'write',
  audit: { action: 'webhook.delete', target: webhookName, log: auditLog },
  deps: () => ({ webhooks: webhookStore(), secrets: webhookSecrets() }),
});
