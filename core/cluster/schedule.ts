/**
 * A cluster's schedule: `autostop` and `autostart`, five-field cron expressions read in the cluster's
 * IANA time zone (croner evaluates them, daylight-saving changes included: a time that does not
 * exist that day fires at the first moment after it, a time that occurs twice fires once). The
 * reaper stops and starts the cluster at those times (docs/adr/0026-stop-and-start.md).
 */
import { Cron } from 'croner';

export interface Schedule {
  timezone: string;
  autostart?: string;
  autostop?: string;
}

export type ScheduleAction = 'autostop' | 'autostart';

/** A schedule may not fire more often than this: a stop and a start each take minutes and cost. */
export const MIN_INTERVAL_SECONDS = 3600;
/** How far back the reaper looks for a missed firing (a reaper that was down longer acts on the latest). */
const LOOKBACK_MS = 7 * 86400 * 1000;
const CRON_FIELDS = /^\S+(\s+\S+){4}$/;

export function timezoneProblem(timezone: string): string | undefined {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
    return timezone.includes('/') || timezone === 'UTC'
      ? undefined
      : 'must be an IANA time zone such as Europe/Berlin or UTC';
  } catch {
    return 'must be an IANA time zone such as Europe/Berlin or UTC';
  }
}

/** Why a cron expression cannot be a schedule, or undefined when it can. */
export function cronProblem(expression: string, timezone: string): string | undefined {
  if (!CRON_FIELDS.test(expression.trim())) {
    return 'must be a cron expression of five fields: minute hour day-of-month month day-of-week';
  }
  let cron: Cron;
  try {
    cron = new Cron(expression, { timezone, paused: true, mode: '5-part' });
  } catch (error) {
    return `is not a cron expression (${(error as Error).message.replace(/^CronPattern: /, '')})`;
  }
  const runs = cron.nextRuns(12, new Date('2026-01-01T00:00:00Z'));
  if (runs.length === 0) return 'never fires';
  for (let index = 1; index < runs.length; index++) {
    const gap = (runs[index]?.getTime() ?? 0) - (runs[index - 1]?.getTime() ?? 0);
    if (gap < MIN_INTERVAL_SECONDS * 1000) return 'may fire at most once an hour';
  }
  return undefined;
}

/** The last instant in (after, until] at which `expression` fires, or undefined. */
export function lastFiring(expression: string, timezone: string, after: Date, until: Date): Date | undefined {
  const cron = new Cron(expression, { timezone, paused: true, mode: '5-part' });
  let from = new Date(Math.max(after.getTime(), until.getTime() - LOOKBACK_MS));
  let last: Date | undefined;
  for (;;) {
    const next = cron.nextRun(from);
    if (!next || next.getTime() > until.getTime()) return last;
    last = next;
    from = next;
  }
}

/**
 * What the schedule asks for now: the latest action that fired since `checkedAt` (the last time the
 * reaper looked), with the instant it fired. Nothing when neither fired; the later one when both did.
 */
export function dueAction(
  schedule: Schedule,
  checkedAt: Date,
  now: Date,
): { action: ScheduleAction; at: Date; expression: string } | undefined {
  let due: { action: ScheduleAction; at: Date; expression: string } | undefined;
  for (const action of ['autostop', 'autostart'] as const) {
    const expression = schedule[action];
    if (!expression) continue;
    const at = lastFiring(expression, schedule.timezone, checkedAt, now);
    if (at && (!due || at.getTime() > due.at.getTime())) due = { action, at, expression };
  }
  return due;
}
