/**
 * The loop of a Lambda event source mapping, run locally (local/stream-poller.ts for the table's
 * stream, local/queue-poller.ts for the webhook queue): `poll` every `intervalMs`, one run at a
 * time (a tick while a run is still going is skipped), a failed run logged and tried again on the
 * next tick.
 */
export interface Poller {
  stop(): void;
}

export function pollEvery(
  name: string,
  poll: () => Promise<void>,
  options: { intervalMs: number; log: (line: string) => void },
): Poller {
  let running = false;
  let stopped = false;
  const timer = setInterval(() => {
    if (running || stopped) return;
    running = true;
    poll()
      .catch((error: unknown) => options.log(`${name}: ${(error as Error).message}`))
      .finally(() => {
        running = false;
      });
  }, options.intervalMs);
  return {
    stop: () => {
      stopped = true;
      clearInterval(timer);
    },
  };
}
