/**
 * An API Gateway HTTP API (v2) event, read once into what the operations need: the caller (from the
 * JWT claims the gateway verified), the JSON body (content type and size checked) and parameters.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { config } from '../../adapters/config.ts';
import { PayloadTooLargeError, UnsupportedMediaTypeError, ValidationError } from '../../core/errors.ts';
import { principalFromClaims, type Principal } from '../../core/principal.ts';

export const MAX_BODY_BYTES = 16 * 1024;

export interface ApiRequest {
  principal: Principal;
  /** The parsed JSON body; undefined when the request had none. */
  body: unknown;
  rawBody: string;
  path: Record<string, string>;
  query: Record<string, string>;
  headers: Record<string, string>;
  method: string;
  rawPath: string;
  requestId: string;
}

type JwtEvent = APIGatewayProxyEventV2 & {
  requestContext: { authorizer?: { jwt?: { claims?: Record<string, unknown> } } };
};

const parsed = new WeakMap<object, ApiRequest>();

/** The caller, from the verified claims: 401 unless they name an owner and a well-formed team. */
export function principalOf(event: APIGatewayProxyEventV2): Principal {
  return principalFromClaims((event as JwtEvent).requestContext.authorizer?.jwt?.claims, config().auth);
}

export function readApiRequest(event: APIGatewayProxyEventV2): ApiRequest {
  const cached = parsed.get(event);
  if (cached) return cached;
  const headers = lowerCaseKeys(event.headers ?? {});
  const principal = principalOf(event);
  const rawBody = event.body
    ? event.isBase64Encoded
      ? Buffer.from(event.body, 'base64').toString('utf8')
      : event.body
    : '';
  const request: ApiRequest = {
    principal,
    body: parseBody(rawBody, headers['content-type']),
    rawBody,
    path: definedValues(event.pathParameters ?? {}),
    query: definedValues(event.queryStringParameters ?? {}),
    headers,
    method: event.requestContext.http.method,
    rawPath: event.rawPath,
    requestId: event.requestContext.requestId,
  };
  parsed.set(event, request);
  return request;
}

function parseBody(raw: string, contentType: string | undefined): unknown {
  if (raw.length === 0) return undefined;
  if (Buffer.byteLength(raw, 'utf8') > MAX_BODY_BYTES) {
    throw new PayloadTooLargeError(`The body is larger than ${MAX_BODY_BYTES / 1024} KiB.`);
  }
  const mediaType = contentType?.split(';')[0]?.trim().toLowerCase();
  if (mediaType !== 'application/json' && !mediaType?.endsWith('+json')) {
    throw new UnsupportedMediaTypeError(
      `Send the body as application/json (got ${mediaType ?? 'no content type'}).`,
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (error) {
    throw new ValidationError([
      { field: 'body', message: `is not valid JSON (${(error as Error).message})` },
    ]);
  }
  const malformed = firstLoneSurrogate(value, 'body');
  if (malformed) {
    throw new ValidationError([
      {
        field: malformed,
        message: 'holds a lone UTF-16 surrogate (a half of a \\u pair), which is not text',
      },
    ]);
  }
  return value;
}

/** JSON's \u escapes can spell half of a surrogate pair, which no store or service accepts as text. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function firstLoneSurrogate(value: unknown, path: string): string | undefined {
  if (typeof value === 'string') return LONE_SURROGATE.test(value) ? path : undefined;
  if (!value || typeof value !== 'object') return undefined;
  for (const [key, inner] of Object.entries(value)) {
    const at = path === 'body' ? key : `${path}.${key}`;
    if (LONE_SURROGATE.test(key)) return at;
    const found = firstLoneSurrogate(inner, at);
    if (found) return found;
  }
  return undefined;
}

function lowerCaseKeys(values: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(values).flatMap(([key, value]) =>
      value === undefined ? [] : [[key.toLowerCase(), value]],
    ),
  );
}

function definedValues(values: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(values).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}
