/**
 * Signed AWS requests without the SDK's clients: SigV4 over fetch, with the SDK's standard retry
 * behaviour (throttling, 5xx, timeouts and network errors; full jitter on an exponential base).
 * Lambda cold starts pay for every byte of client code they import; the few calls the control
 * plane makes need only this (docs/adr/0015-aws-calls-without-sdk-clients.md).
 */
import { DependencyUnavailableError } from '../../core/errors.ts';
import { currentDeadline } from './deadline.ts';
import { credentialsFromEnv, sign } from './sigv4.ts';

/** An error answered by an AWS service: `name` is its error code (e.g. ConditionalCheckFailedException). */
export class AwsServiceError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly httpStatus?: number,
    /** The error document's other fields (e.g. DynamoDB's CancellationReasons). */
    readonly details: Record<string, unknown> = {},
  ) {
    super(`${code}: ${message}`);
    this.name = code;
  }
}

export interface AwsHttpOptions {
  /** The SigV4 signing name (states for Step Functions, events for EventBridge...). */
  signingName: string;
  region: string;
  /** Default: https://<endpointPrefix>.<region>.amazonaws.com/ */
  endpoint?: string;
  endpointPrefix?: string;
  timeoutMs?: number;
  maxAttempts?: number;
  baseDelayMs?: number;
}

export interface AwsResponse {
  status: number;
  text: string;
  /** x-amzn-ErrorType, where a JSON service names its error in a header. */
  errorType: string | null;
}

export class AwsHttp {
  private readonly scope: { region: string; service: string };
  private readonly endpoint: URL;
  private readonly timeoutMs: number;
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;

  constructor(options: AwsHttpOptions) {
    this.endpoint = new URL(
      options.endpoint ??
        `https://${options.endpointPrefix ?? options.signingName}.${options.region}.amazonaws.com/`,
    );
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.maxAttempts = options.maxAttempts ?? 4;
    this.baseDelayMs = options.baseDelayMs ?? 100;
    this.scope = { region: options.region, service: options.signingName };
  }

  /**
   * POST a body; `toError` reads a service's error document out of a non-2xx answer. Retries what
   * may pass, as the SDK clients do, and throws the last error. Within a budget (./deadline.ts)
   * each attempt and each pause ends by the deadline, and what is still transient then is a
   * DependencyUnavailableError (a 503 with Retry-After), never a hang or a bare 500.
   */
  async post(
    headers: Record<string, string>,
    body: string,
    toError: (response: AwsResponse) => AwsServiceError,
  ): Promise<string> {
    const deadline = currentDeadline();
    for (let attempt = 1; ; attempt++) {
      try {
        const response = await this.send(headers, body, this.attemptTimeout(deadline));
        if (response.status >= 200 && response.status < 300) return response.text;
        throw toError(response);
      } catch (error) {
        if (!isTransient(error)) throw error;
        const pause = Math.random() * this.baseDelayMs * 2 ** (attempt - 1);
        const outOfTime = deadline !== undefined && Date.now() + pause + MIN_ATTEMPT_MS > deadline;
        if (attempt >= this.maxAttempts || outOfTime) {
          // Outside a budget the caller (a worker, a workflow relay) sees the service's own error.
          if (deadline === undefined) throw error;
          throw new DependencyUnavailableError(this.scope.service, retryAfterSeconds(error), {
            cause: error,
          });
        }
        await new Promise((resolve) => setTimeout(resolve, pause));
      }
    }
  }

  /**
   * An attempt may use what is left of the budget (a slow answer beats a retry that repeats the
   * work), but at least MIN_ATTEMPT_MS: a write that undoes a half-done request still gets its try.
   */
  private attemptTimeout(deadline: number | undefined): number {
    if (deadline === undefined) return this.timeoutMs;
    return Math.max(MIN_ATTEMPT_MS, deadline - Date.now());
  }

  private async send(headers: Record<string, string>, body: string, timeoutMs: number): Promise<AwsResponse> {
    const signed = sign(
      { method: 'POST', url: this.endpoint, headers, body },
      this.scope,
      // Read at each call, as the SDK's environment provider does.
      credentialsFromEnv(process.env),
      new Date(),
    );
    const response = await fetch(this.endpoint, {
      method: 'POST',
      headers: signed,
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });
    return {
      status: response.status,
      text: await response.text(),
      errorType: response.headers.get('x-amzn-errortype'),
    };
  }
}

/** The shortest try worth making, even past the deadline. */
const MIN_ATTEMPT_MS = 2000;

/** Throttling asks callers to slow down more than a timeout or a 5xx does. */
function retryAfterSeconds(error: unknown): number {
  const throttled =
    error instanceof AwsServiceError && (THROTTLING_CODES.has(error.code) || error.httpStatus === 429);
  return throttled ? 10 : 5;
}

/** What the SDK's standard retry strategy retries (@smithy/core service-error-classification). */
const RETRYABLE_CODES = new Set([
  // throttling
  'BandwidthLimitExceeded',
  'EC2ThrottledException',
  'LimitExceededException',
  'PriorRequestNotComplete',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'ThrottledException',
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'TransactionInProgressException',
  // transient
  'RequestTimeout',
  'RequestTimeoutException',
]);
const THROTTLING_CODES = new Set([...RETRYABLE_CODES].filter((code) => !code.startsWith('RequestTimeout')));
const RETRYABLE_STATUSES = new Set([429, 500, 502, 503, 504]);

/** Cancellation reasons of a transaction that say nothing about its conditions. */
const PASSING_REASONS = new Set([
  'TransactionConflict',
  'ThrottlingError',
  'ProvisionedThroughputExceeded',
  'None',
]);

/**
 * DynamoDB cancelled a transaction only because another one was writing the same items (a burst
 * of creates on one team's quota item) or it was throttled: no condition failed, so the same
 * transaction (same ClientRequestToken, so idempotent) may pass. The SDK does not retry these.
 */
function isTransactionConflict(error: AwsServiceError): boolean {
  if (error.code !== 'TransactionCanceledException') return false;
  const codes = ((error.details.CancellationReasons as { Code?: string }[] | undefined) ?? []).map(
    (reason) => reason.Code ?? 'None',
  );
  return codes.some((code) => code !== 'None') && codes.every((code) => PASSING_REASONS.has(code));
}

/** Worth another try: throttling, a 5xx, a timeout (TimeoutError) or a network failure (TypeError). */
export function isTransient(error: unknown): boolean {
  if (error instanceof AwsServiceError)
    return (
      RETRYABLE_CODES.has(error.code) ||
      RETRYABLE_STATUSES.has(error.httpStatus ?? 0) ||
      isTransactionConflict(error)
    );
  // By name, not class: fetch's errors (a DOMException on timeout) may come from another realm.
  const name = (error as { name?: unknown } | null)?.name;
  return name === 'TimeoutError' || name === 'TypeError' || name === 'AbortError';
}
