/** The webhook routes' inputs (contract: PUT /teams/{team}/webhooks/{name} `{url, events, format}`). */
import * as z from 'zod/mini';
import { TEAM } from '../principal.ts';
import { EVENT_TYPES } from './events.ts';
import { WEBHOOK_FORMATS } from './payload.ts';

export const WEBHOOK_NAME = /^[a-zA-Z][-a-zA-Z0-9_]{0,63}$/;
export const MAX_WEBHOOKS_PER_TEAM = 20;
export const MAX_URL_LENGTH = 2048;

export const webhookPathSchema = z.object({
  team: z.string().check(z.regex(TEAM, { error: 'must be a team name' })),
  name: z.optional(
    z.string().check(
      z.regex(WEBHOOK_NAME, {
        error: 'must start with a letter and hold up to 64 letters, digits, "-" or "_"',
      }),
    ),
  ),
});

export const putWebhookSchema = z.strictObject({
  url: z.string().check(z.minLength(1), z.maxLength(MAX_URL_LENGTH)),
  events: z
    .array(z.enum(EVENT_TYPES))
    .check(
      z.minLength(1, { error: `must name at least one of ${EVENT_TYPES.join(', ')}` }),
      z.maxLength(EVENT_TYPES.length),
    ),
  format: z.optional(z.enum(WEBHOOK_FORMATS)),
});
export type PutWebhookRequest = z.infer<typeof putWebhookSchema>;
