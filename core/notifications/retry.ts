/**
 * When a failed delivery is tried again: the wait after the n-th failed attempt. The waits add up to
 * just over 24 hours (contract: "retried with backoff for at least 24 h"); after the last one the
 * delivery is given up and parked in the dead-letter queue (docs/notifications.md).
 */
export const RETRY_WAITS_SECONDS = [
  5, 30, 120, 300, 900, 1800, 3600, 7200, 14400, 21600, 21600, 21600,
] as const;

/** Attempts in all: the first one and one after each wait (the queue's maxReceiveCount). */
export const MAX_ATTEMPTS = RETRY_WAITS_SECONDS.length + 1;

/**
 * The wait after failed attempt `attempt` (1-based), scaled (the local runtime shortens it), or
 * undefined once the attempts are used up.
 */
export function retryAfterSeconds(attempt: number, scale = 1): number | undefined {
  const wait = RETRY_WAITS_SECONDS[attempt - 1];
  if (wait === undefined) return undefined;
  return Math.max(1, Math.round(wait * scale));
}
