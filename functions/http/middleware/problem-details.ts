/**
 * The one place errors become HTTP: ControlPlaneErrors map to RFC 9457 problem+json with their
 * status; anything else is logged and answered with a bare 500 that names only the request id.
 */
import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { logger } from '../../../adapters/logger.ts';
import { ControlPlaneError, ServiceUnavailableError, ValidationError } from '../../../core/errors.ts';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export function problemType(kind: string): string {
  return `urn:det-control-plane:problem:${kind}`;
}

/**
 * middy ends a handler that reaches the function's timeout with a TimeoutError. The AWS calls
 * keep to a shorter budget (adapters/aws/deadline.ts), so this is a machine too slow to keep it;
 * still a dependency's slowness, not a bug: a 503 the caller may retry, not a 500.
 */
function isOutOfTime(error: unknown): boolean {
  const cause = (error as { cause?: { package?: unknown } } | null)?.cause;
  return (error as Error | null)?.name === 'TimeoutError' && cause?.package === '@middy/core';
}

export function problemResponse(error: unknown, requestId: string): APIGatewayProxyStructuredResultV2 {
  if (isOutOfTime(error)) {
    logger.warn('request ran out of time', { requestId });
    return problemResponse(
      new ServiceUnavailableError('The request ran out of time; send the same request again shortly.'),
      requestId,
    );
  }
  if (error instanceof ControlPlaneError) {
    const body: Record<string, unknown> = {
      type: problemType(error.kind),
      title: error.title,
      status: error.status,
      detail: error.message,
      ...error.extensions,
    };
    if (error instanceof ValidationError) body.errors = error.errors;
    return {
      statusCode: error.status,
      headers: {
        'content-type': PROBLEM_CONTENT_TYPE,
        ...(error instanceof ServiceUnavailableError
          ? { 'retry-after': String(error.retryAfterSeconds) }
          : {}),
      },
      body: JSON.stringify(body),
    };
  }
  logger.error('request failed', { requestId, error: error as Error });
  return {
    statusCode: 500,
    headers: { 'content-type': PROBLEM_CONTENT_TYPE },
    body: JSON.stringify({
      type: problemType('internal'),
      title: 'Internal error',
      status: 500,
      detail: `The request failed. Quote request id ${requestId} when you report it.`,
      requestId,
    }),
  };
}

export function problemDetails(): MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2> {
  return {
    onError: async (request) => {
      if (request.response !== undefined && request.error === undefined) return;
      request.response = problemResponse(request.error, request.event.requestContext?.requestId ?? 'unknown');
    },
  };
}
