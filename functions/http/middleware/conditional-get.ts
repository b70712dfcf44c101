/**
 * Conditional GETs (RFC 9110): every successful GET answer carries an ETag, a hash of its body,
 * and a request whose If-None-Match names it gets 304 without the body. Pollers (the console,
 * `det-deploy status`) then pay one small answer when nothing changed.
 */
import { createHash } from 'node:crypto';
import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

export function entityTag(body: string): string {
  return `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
}

/** True when an If-None-Match value (a list, weak or strong, or *) matches the tag. */
export function matchesIfNoneMatch(header: string | undefined, tag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((candidate) => candidate.trim().replace(/^W\//, '') === tag);
}

export function conditionalGet(): MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2> {
  return {
    after: async (request) => {
      const { event, response } = request;
      if (event.requestContext.http.method !== 'GET' || !response) return;
      if (response.statusCode !== 200 || typeof response.body !== 'string') return;
      const tag = entityTag(response.body);
      // private: answers depend on the caller's token; no-cache: revalidate before reusing.
      const headers: Record<string, string | number | boolean> = {
        ...response.headers,
        etag: tag,
        'cache-control': 'private, no-cache',
      };
      if (matchesIfNoneMatch(event.headers?.['if-none-match'], tag)) {
        const { 'content-type': _type, ...rest } = headers;
        request.response = { statusCode: 304, headers: rest };
        return;
      }
      request.response = { ...response, headers };
    },
  };
}
