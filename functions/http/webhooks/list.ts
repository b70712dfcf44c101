/** GET /teams/{team}/webhooks: the team's webhooks, without secrets. */
import { listWebhooks, type WebhookDeps } from '../../../core/operations/webhooks.ts';
import { webhookStore } from '../../deps.ts';
import { apiHandler, type ApiMain } from '../api-handler.ts';
import { webhookOf } from './path.ts';

export const main: ApiMain<Pick<WebhookDeps, 'webhooks'>> = async (request, deps) => ({
  status: 200,
  body: await listWebhooks(deps, request.principal, webhookOf(request).team),
});

export const handler = apiHandler(main, { scope: 'read', deps: () => ({ webhooks: webhookStore() }) });
