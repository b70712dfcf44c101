/**
 * The request budget (docs/adr/0031-load-and-faults.md): what a request leaves its AWS calls, and
 * how running out of time is answered: a 503 with Retry-After, never a 500.
 */
import { currentDeadline } from '../../../adapters/aws/deadline.ts';
import { apiHandler, requestBudgetMs } from '../../../functions/http/api-handler.ts';
import { problemResponse } from '../../../functions/http/middleware/problem-details.ts';
import { loadConfig } from '../../../adapters/config.ts';
import { apiEvent, lambdaContext } from '../../support/events.ts';

describe('the request budget', () => {
  it('is what API Gateway and the function both allow, less 8 s for the answer', () => {
    expect(requestBudgetMs({ getRemainingTimeInMillis: () => 300_000 })).toBe(21_000);
    expect(requestBudgetMs({ getRemainingTimeInMillis: () => 10_000 })).toBe(2_000);
    expect(requestBudgetMs({ getRemainingTimeInMillis: () => 1_000 })).toBe(0);
    expect(requestBudgetMs(undefined)).toBe(21_000);
    // Behind a gateway that waits longer (the local one, LOCAL_LAMBDA_TIMEOUT_SECONDS=300).
    expect(requestBudgetMs({ getRemainingTimeInMillis: () => 300_000 }, 300_000)).toBe(292_000);
    expect(loadConfig({ ...process.env, API_GATEWAY_LIMIT_SECONDS: '300' }).api.gatewayLimitSeconds).toBe(
      300,
    );
    expect(() => loadConfig({ ...process.env, API_GATEWAY_LIMIT_SECONDS: '0' })).toThrow(
      /API_GATEWAY_LIMIT_SECONDS/,
    );
  });

  it('is in force for everything the handler runs', async () => {
    let seen: number | undefined;
    const handler = apiHandler(
      async () => {
        seen = currentDeadline();
        return { status: 200, body: {} };
      },
      { scope: 'read', deps: () => ({}) },
    );
    const before = Date.now();
    await handler(apiEvent({ method: 'GET', path: '/health' }), lambdaContext);
    expect(seen).toBeGreaterThanOrEqual(before + requestBudgetMs(lambdaContext) - 50);
    expect(seen).toBeLessThanOrEqual(Date.now() + requestBudgetMs(lambdaContext));
    expect(currentDeadline()).toBeUndefined();
  });

  it('answers a handler cut off by middy at the function timeout with a 503 and Retry-After', () => {
    const timeout = Object.assign(new Error('[AbortError]: The operation was aborted.'), {
      name: 'TimeoutError',
      cause: { package: '@middy/core' },
    });
    const response = problemResponse(timeout, 'r-1');
    expect(response.statusCode).toBe(503);
    expect(response.headers?.['retry-after']).toBe('5');
    expect(response.headers?.['content-type']).toBe('application/problem+json');
  });
});
