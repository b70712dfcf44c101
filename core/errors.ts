/**
 * The one error hierarchy of the control plane. Domain code throws these; a single middleware
 * (functions/http/middleware/problem-details.ts) maps them to RFC 9457 problem+json responses.
 * Anything that is not a ControlPlaneError becomes a bare 500 with a request id.
 */
export interface FieldError {
  field: string;
  message: string;
}

export abstract class ControlPlaneError extends Error {
  abstract readonly status: number;
  abstract readonly title: string;
  /** Short slug; the problem `type` is derived from it. */
  abstract readonly kind: string;

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }

  /** Extension members of the problem document (RFC 9457, section 3.2). */
  get extensions(): Record<string, unknown> {
    return {};
  }
}

export class ValidationError extends ControlPlaneError {
  readonly status = 400;
  readonly title = 'Invalid request';
  readonly kind = 'validation';

  constructor(
    readonly errors: FieldError[],
    message = summarise(errors),
  ) {
    super(message);
  }
}

export class UnauthorizedError extends ControlPlaneError {
  readonly status = 401;
  readonly title = 'Unauthorized';
  readonly kind = 'unauthorized';
}

/** The token is valid but lacks the scope the route needs (contract, "Auth and tenancy"). */
export class ForbiddenError extends ControlPlaneError {
  readonly status = 403;
  readonly title = 'Forbidden';
  readonly kind = 'forbidden';
}

export class NotFoundError extends ControlPlaneError {
  readonly status = 404;
  readonly title = 'Not found';
  readonly kind = 'not-found';
}

export class ConflictError extends ControlPlaneError {
  readonly status = 409;
  readonly title = 'Conflict';
  readonly kind = 'conflict';
}

/** A conditional write found the record changed since it was read; reading again may succeed. */
export class StaleRecordError extends ConflictError {}

export class PayloadTooLargeError extends ControlPlaneError {
  readonly status = 413;
  readonly title = 'Payload too large';
  readonly kind = 'payload-too-large';
}

export class UnsupportedMediaTypeError extends ControlPlaneError {
  readonly status = 415;
  readonly title = 'Unsupported media type';
  readonly kind = 'unsupported-media-type';
}

export class IdempotencyKeyReusedError extends ControlPlaneError {
  readonly status = 422;
  readonly title = 'Idempotency key reused';
  readonly kind = 'idempotency-key-reused';
}

export class QuotaExceededError extends ControlPlaneError {
  readonly status = 429;
  readonly title = 'Quota exceeded';
  readonly kind = 'quota-exceeded';
}

/** AWS is throttling or unreachable: the caller may retry after `retryAfterSeconds` (Retry-After). */
export class ServiceUnavailableError extends ControlPlaneError {
  readonly status = 503;
  readonly title = 'Service unavailable';
  readonly kind = 'service-unavailable';

  constructor(
    message: string,
    readonly retryAfterSeconds = 5,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/**
 * An AWS service stayed throttled, failing (5xx) or silent for the whole of the request's budget,
 * retries included: nothing more was written, and the same request may be sent again after
 * `retryAfterSeconds` (docs/adr/0031-load-and-faults.md). Thrown by the AWS clients themselves.
 */
export class DependencyUnavailableError extends ServiceUnavailableError {
  constructor(
    readonly dependency: string,
    retryAfterSeconds = 5,
    options?: ErrorOptions,
  ) {
    super(
      `AWS (${dependency}) is busy or not answering; send the same request again shortly.`,
      retryAfterSeconds,
      options,
    );
  }
}

/** The team's month-to-date spend has reached its monthly budget (contract, "Money"). */
export class BudgetExceededError extends ControlPlaneError {
  readonly status = 429;
  readonly title = 'Budget exceeded';
  readonly kind = 'budget-exceeded';

  constructor(
    message: string,
    readonly budget: { budgetUsd: number; spentUsd: number },
  ) {
    super(message);
  }

  override get extensions(): Record<string, unknown> {
    return { ...this.budget };
  }
}

function summarise(errors: FieldError[]): string {
  const [first, ...rest] = errors;
  if (!first) return 'The request is not valid.';
  const more = rest.length > 0 ? ` (and ${rest.length} more)` : '';
  return `${first.field}: ${first.message}${more}`;
}
