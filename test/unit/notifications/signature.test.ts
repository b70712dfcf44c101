/**
 * Signatures as the Standard Webhooks spec defines them: checked with the spec's reference verifier
 * (the standardwebhooks package) and with the algorithm written out (HMAC-SHA256 over id.timestamp.body,
 * base64, under the base64-decoded key after `whsec_`), as the acceptance check computes it.
 */
import { createHmac } from 'node:crypto';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import {
  generateWebhookSecret,
  isWebhookSecret,
  signedHeaders,
} from '../../../core/notifications/signature.ts';

const body = JSON.stringify({ type: 'cluster.ready', timestamp: '2030-01-01T00:00:00.000Z', data: { a: 1 } });

describe('webhook signatures', () => {
  it('generates whsec_ secrets of 32 random bytes', () => {
    const secret = generateWebhookSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    expect(Buffer.from(secret.slice(6), 'base64')).toHaveLength(32);
    expect(isWebhookSecret(secret)).toBe(true);
    expect(generateWebhookSecret()).not.toBe(secret);
  });

  it('verifies with the reference implementation', () => {
    const secret = generateWebhookSecret();
    const headers = signedHeaders(secret, 'msg_1', new Date(), body);
    expect(new Webhook(secret).verify(body, { ...headers })).toEqual(JSON.parse(body));
  });

  it('is the HMAC-SHA256 of id.timestamp.body under the decoded key, prefixed v1,', () => {
    const secret = generateWebhookSecret();
    const at = new Date('2030-01-01T00:00:00.900Z');
    const headers = signedHeaders(secret, 'msg_2', at, body);
    expect(headers['webhook-timestamp']).toBe(String(Math.floor(at.getTime() / 1000)));
    const mac = createHmac('sha256', Buffer.from(secret.slice('whsec_'.length), 'base64'))
      .update(`msg_2.${headers['webhook-timestamp']}.${body}`)
      .digest('base64');
    expect(headers['webhook-signature']).toBe(`v1,${mac}`);
  });

  it('does not verify under another secret, another body or another id', () => {
    const secret = generateWebhookSecret();
    const headers = signedHeaders(secret, 'msg_3', new Date(), body);
    expect(() => new Webhook(generateWebhookSecret()).verify(body, { ...headers })).toThrow(
      WebhookVerificationError,
    );
    expect(() => new Webhook(secret).verify(`${body} `, { ...headers })).toThrow(WebhookVerificationError);
    expect(() => new Webhook(secret).verify(body, { ...headers, 'webhook-id': 'msg_4' })).toThrow(
      WebhookVerificationError,
    );
  });
});
