/**
 * Idempotency-Key (contract, "Idempotency and concurrency"): the first response to a key is stored
 * and replayed for a retry with the same body; the same key with another body is 422.
 * Keys are scoped to the caller's team and to the method and path.
 */
import { createHash } from 'node:crypto';
import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { ValidationError } from '../../../core/errors.ts';
import type { IdempotencyStore } from '../../../core/ports.ts';
import { readApiRequest } from '../api-request.ts';

const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;
const claimed = Symbol('idempotency-key');

type Event = APIGatewayProxyEventV2 & { [claimed]?: string };

export function idempotency(
  store: () => IdempotencyStore,
): MiddlewareObj<Event, APIGatewayProxyStructuredResultV2> {
  return {
    before: async (request) => {
      const api = readApiRequest(request.event);
      const key = api.headers['idempotency-key'];
      if (key === undefined) return undefined;
      if (!KEY_PATTERN.test(key)) {
        throw new ValidationError([
          { field: 'Idempotency-Key', message: 'must be 1..255 visible ASCII characters' },
        ]);
      }
      const scopedKey = `IDEMPOTENCY#${api.principal.team}#${api.method} ${api.rawPath}#${key}`;
      const fingerprint = createHash('sha256')
        .update(`${api.method} ${api.rawPath}?${JSON.stringify(api.query)}\n${api.rawBody}`)
        .digest('hex');
      const stored = await store().claim(scopedKey, fingerprint);
      if (stored)
        return {
          statusCode: stored.status,
          headers: { ...stored.headers, 'idempotent-replayed': 'true' },
          body: stored.body,
        };
      request.event[claimed] = scopedKey;
      return undefined;
    },
    after: async (request) => {
      const key = request.event[claimed];
      const response = request.response;
      if (!key || !response) return;
      // Only outcomes are remembered; a failure can be retried under the same key.
      if (response.statusCode !== undefined && response.statusCode >= 400) {
        await store().release(key);
        return;
      }
      await store().complete(key, {
        status: response.statusCode ?? 200,
        headers: Object.fromEntries(
          Object.entries(response.headers ?? {}).map(([name, value]) => [name, String(value)]),
        ),
        body: response.body ?? '',
      });
    },
    onError: async (request) => {
      const key = request.event[claimed];
      if (key) await store().release(key);
    },
  };
}
