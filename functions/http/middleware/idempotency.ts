/**
 * Idempotency-Key (contract, "Idempotency and concurrency"): the first response to a key is stored
 * and replayed for a retry with the same body; the same key with another body is 422.
 * Keys are scoped to the caller's team and to the method and path. The stored fingerprint is an
 * HMAC under the control plane's key, over the request without its secret fields: the table holds
 * nothing a password could be recovered from (docs/adr/0020-opaque-tokens-and-keyed-fingerprints.md).
 */
import { createHmac } from 'node:crypto';
import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { SECRET_FIELDS } from '../../../core/cluster/request.ts';
import { ValidationError } from '../../../core/errors.ts';
import type { IdempotencyStore } from '../../../core/ports.ts';
import { readApiRequest, type ApiRequest } from '../api-request.ts';

const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;
const claimed = Symbol('idempotency-key');

type Event = APIGatewayProxyEventV2 & { [claimed]?: string };

export interface IdempotencyDeps {
  store: () => IdempotencyStore;
  /** The HMAC key of fingerprints (adapters/api-key.ts). */
  fingerprintKey: () => Promise<Buffer>;
}

/** HMAC-SHA-256 of method, path, query and the body with its secret fields left out. */
export function fingerprint(request: ApiRequest, key: Buffer): string {
  const body = request.body;
  const withoutSecrets =
    body && typeof body === 'object' && !Array.isArray(body)
      ? Object.fromEntries(
          Object.entries(body).filter(([field]) => !(SECRET_FIELDS as readonly string[]).includes(field)),
        )
      : body;
  return createHmac('sha256', key)
    .update(
      `${request.method} ${request.rawPath}?${JSON.stringify(request.query)}\n${JSON.stringify(withoutSecrets ?? null)}`,
    )
    .digest('hex');
}

export function idempotency(deps: IdempotencyDeps): MiddlewareObj<Event, APIGatewayProxyStructuredResultV2> {
  const { store } = deps;
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
      const stored = await store().claim(scopedKey, fingerprint(api, await deps.fingerprintKey()));
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
