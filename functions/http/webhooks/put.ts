/**
 * PUT /teams/{team}/webhooks/{name}: register or replace a webhook. The answer carries its new signing
 * secret, once: it is kept only in Secrets Manager. No Idempotency-Key record is kept for this route,
 * because it would hold the secret; a repeated PUT simply rotates the secret again.
 */
import { putWebhookSchema } from '../../../core/notifications/webhook-request.ts';
import { putWebhook, type WebhookDeps } from '../../../core/operations/webhooks.ts';
import { parseWith } from '../../../core/validation.ts';
import { auditLog, clock, urlPolicy, webhookSecrets, webhookStore } from '../../deps.ts';
import { apiHandler, type ApiMain } from '../api-handler.ts';
import { webhookName, webhookOf } from './path.ts';

export const main: ApiMain<Omit<WebhookDeps, 'deliveries'>> = async (request, deps) => {
  const target = webhookOf(request);
  const body = parseWith(putWebhookSchema, request.body);
  return {
    status: 200,
    headers: { 'cache-control': 'no-store' },
    body: await putWebhook(deps, request.principal, target, body),
  };
};

export const handler = apiHandler(main, {
  scope: 'write',
  audit: { action: 'webhook.put', target: webhookName, log: auditLog },
  deps: () => ({
    webhooks: webhookStore(),
    secrets: webhookSecrets(),
    clock,
    urlPolicy: urlPolicy(),
  }),
});
