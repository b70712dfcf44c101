/**
 * Polling without hammering: one request at a time per poller, the next one no sooner than
 * `everyMs` (at least 2 s) after the last answer, and on errors a doubling backoff up to a minute.
 * A hidden tab does not poll.
 */
import { useEffect, useRef, useState } from 'preact/hooks';

export const MIN_POLL_MS = 2000;
const MAX_BACKOFF_MS = 60_000;

export interface Polled<T> {
  data?: T;
  error?: Error;
  /** Ask now (after a user action), still one request at a time. */
  refresh: () => void;
}

export function usePoll<T>(load: () => Promise<T>, everyMs: number, key: string): Polled<T> {
  // Tagged with the key it answers: after the key changes (another filter), the last key's data is
  // not shown as this one's, not even for the one render before the effect below restarts.
  const [state, setState] = useState<{ key?: string; data?: T; error?: Error }>({});
  const wake = useRef<() => void>(() => undefined);
  // The interval may change between answers (busy or not) without restarting the poller.
  const interval = useRef(everyMs);
  interval.current = everyMs;
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let running = false;
    let failures = 0;
    setState({ key });
    const tick = async () => {
      if (stopped || running) return;
      running = true;
      clearTimeout(timer);
      try {
        if (document.visibilityState !== 'hidden') {
          const data = await load();
          failures = 0;
          if (!stopped) setState({ key, data });
        }
      } catch (error) {
        failures += 1;
        if (!stopped) setState((previous) => ({ ...previous, key, error: error as Error }));
      } finally {
        running = false;
        const every = interval.current;
        const delay = Math.max(
          MIN_POLL_MS,
          failures ? Math.min(MAX_BACKOFF_MS, every * 2 ** failures) : every,
        );
        if (!stopped) timer = setTimeout(tick, delay);
      }
    };
    wake.current = () => void tick();
    void tick();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [key]);
  const { key: answered, ...current } = state;
  return { ...(answered === key ? current : {}), refresh: () => wake.current() };
}
