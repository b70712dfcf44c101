/** The team and webhook name of a /teams/{team}/webhooks/{name} route, validated. */
import { webhookPathSchema } from '../../../core/notifications/webhook-request.ts';
import { parseWith } from '../../../core/validation.ts';
import type { ApiRequest } from '../api-request.ts';

export function webhookOf(request: ApiRequest): { team: string; name: string } {
  const path = parseWith(webhookPathSchema, request.path);
  return { team: path.team, name: path.name ?? '' };
}

export const webhookName = (request: ApiRequest): string | undefined => request.path.name;
