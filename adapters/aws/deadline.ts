/**
 * The time budget of the work in progress (an API request, say), shared by every AWS call made
 * on its behalf: the calls retry throttling and 5xx only while the budget lasts, so a busy or
 * silent AWS ends as a 503 the caller can retry, not a request that outlives API Gateway's 29 s
 * (docs/adr/0031-load-and-faults.md). Work outside a budget (workers) uses each client's own limits.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

const budget = new AsyncLocalStorage<number>();

/** Run `work` with AWS calls bounded to finish by `deadline` (epoch ms); a nested budget only narrows. */
export function withDeadline<T>(deadline: number, work: () => Promise<T>): Promise<T> {
  const outer = budget.getStore();
  return budget.run(outer === undefined ? deadline : Math.min(outer, deadline), work);
}

/** The deadline (epoch ms) of the work in progress, if it has one. */
export function currentDeadline(): number | undefined {
  return budget.getStore();
}
