/**
 * Go-style durations as det-deploy and Determined's master.yaml use them ("90s", "10m", "1h30m").
 * Units are limited to h, m and s: finer units make no sense for agents or idle clusters.
 */
const UNIT_SECONDS = { h: 3600, m: 60, s: 1 } as const;
const DURATION = /^(?:(\d{1,6})h)?(?:(\d{1,6})m)?(?:(\d{1,6})s)?$/;

/** Seconds in a Go-style duration, or undefined when the text is not one. */
export function parseDuration(text: string): number | undefined {
  const match = DURATION.exec(text);
  if (!match || text.length === 0) return undefined;
  const [, h, m, s] = match;
  return Number(h ?? 0) * UNIT_SECONDS.h + Number(m ?? 0) * UNIT_SECONDS.m + Number(s ?? 0) * UNIT_SECONDS.s;
}

/** The shortest Go-style rendering of a number of seconds, e.g. 5400 -> "1h30m". */
export function formatDuration(totalSeconds: number): string {
  if (totalSeconds === 0) return '0s';
  let rest = totalSeconds;
  let text = '';
  for (const [unit, size] of Object.entries(UNIT_SECONDS)) {
    const count = Math.floor(rest / size);
    if (count > 0) text += `${count}${unit}`;
    rest -= count * size;
  }
  return text;
}
