/**
 * Spend, accrued (pure): a cluster's timeline is a series of states (its status and how many agents
 * the reaper counted), each billed at the hourly rate of the parts that status runs, split at UTC
 * month boundaries. The cursor stored on the record says how far the team's month has been charged,
 * so settling again from it charges nothing twice (docs/adr/0027-cost-and-budgets.md).
 */
import { agentHourly, MINIMUM_SECONDS, type CostRates } from './estimate.ts';

/** What the team's ledger holds of one cluster: settled up to `through`, in this state. */
export interface SpendCursor {
  through: string;
  /** The cluster status at `through`, or NONE before its first create. */
  status: string;
  /** Dynamic agents running at `through`, as the reaper last counted them. */
  agents: number;
  /** Minimum charges (MINIMUM_SECONDS) paid in advance up to these instants. */
  prepaidUntil?: { instances?: string; database?: string };
  /** The UTC month (YYYY-MM) of `monthUsd`: what the cluster cost in it up to `through`. */
  month: string;
  monthUsd: number;
  /** Set by the budget check on a READY cluster of a team over budget: when it is to be stopped. */
  budgetStopAt?: string;
}

/** A change of state on the timeline: a status, an agent count, or both. */
export interface MeterChange {
  at: string;
  status?: string;
  agents?: number;
}

/** Statuses in which the master (and bastion), the database and any agents run. */
const RUNNING = new Set([
  'CREATING',
  'READY',
  'UPDATING',
  'UPDATE_FAILED',
  'STOPPING',
  'STARTING',
  'STOP_FAILED',
  'START_FAILED',
  'DELETING',
]);
/** Statuses in which only the stack's standing parts (storage, addresses, NAT, file systems) are billed. */
const STANDING_ONLY = new Set(['STOPPED', 'DELETE_FAILED']);

export function billedParts(status: string): { standing: boolean; running: boolean } {
  if (RUNNING.has(status)) return { standing: true, running: true };
  return { standing: STANDING_ONLY.has(status), running: false };
}

/** The status of a cursor before the cluster's first create. */
export const NO_STATUS = 'NONE';

/** A cursor for a cluster nothing has been charged for yet. */
export function openCursor(at: Date): SpendCursor {
  return { through: at.toISOString(), status: NO_STATUS, agents: 0, month: monthOf(at), monthUsd: 0 };
}

/** The UTC month of an instant: YYYY-MM. */
export function monthOf(at: Date | string): string {
  return new Date(at).toISOString().slice(0, 7);
}

/** USD per hour in a state: what `hourly` of the contract shows for a cluster in it. */
export function hourlyIn(rates: CostRates, status: string, agents: number): number {
  const parts = billedParts(status);
  let total = parts.standing ? rates.standing : 0;
  if (parts.running) total += rates.instances + rates.database + agents * agentHourly(rates);
  return total;
}

/**
 * Charge the time from the cursor to `until` through `changes` (any order; those before the
 * cursor are applied at it, those after `until` are ignored). Changes are assignments, so applying
 * one twice charges nothing twice. Returns the charges per UTC month and the cursor at `until`.
 */
export function accrue(
  cursor: SpendCursor,
  changes: readonly MeterChange[],
  until: Date,
  rates: CostRates,
): { cursor: SpendCursor; charges: Record<string, number> } {
  const charges: Record<string, number> = {};
  const add = (month: string, usd: number) => {
    if (usd > 0) charges[month] = (charges[month] ?? 0) + usd;
  };
  const end = Math.max(until.getTime(), Date.parse(cursor.through));
  let t = Date.parse(cursor.through);
  let status = cursor.status;
  let agents = cursor.agents;
  const prepaid = {
    instances: parseOptional(cursor.prepaidUntil?.instances),
    database: parseOptional(cursor.prepaidUntil?.database),
  };

  const charge = (from: number, to: number) => {
    if (to <= from) return;
    const parts = billedParts(status);
    for (const [month, seconds] of splitByMonth(from, to)) {
      const perHour =
        (parts.standing ? rates.standing : 0) + (parts.running ? agents * agentHourly(rates) : 0);
      add(month, (perHour * seconds) / 3600);
    }
    if (!parts.running) return;
    for (const [part, rate] of [
      ['instances', rates.instances],
      ['database', rates.database],
    ] as const) {
      const start = Math.max(from, prepaid[part] ?? from);
      for (const [month, seconds] of splitByMonth(start, to)) add(month, (rate * seconds) / 3600);
    }
  };

  const ordered = [...changes].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  for (const change of ordered) {
    const at = Math.max(Date.parse(change.at), t);
    if (at > end) break;
    charge(t, at);
    t = at;
    const wasRunning = billedParts(status).running;
    if (change.status !== undefined) status = change.status;
    if (change.agents !== undefined) agents = change.agents;
    const running = billedParts(status).running;
    if (!running) {
      agents = change.agents ?? 0;
      prepaid.instances = undefined;
      prepaid.database = undefined;
    } else if (!wasRunning) {
      // A billable start: AWS's minimum charge for the master and the database, paid at once.
      const month = monthOf(new Date(at));
      add(month, (rates.instances * MINIMUM_SECONDS.master) / 3600);
      add(month, (rates.database * MINIMUM_SECONDS.database) / 3600);
      prepaid.instances = at + MINIMUM_SECONDS.master * 1000;
      prepaid.database = at + MINIMUM_SECONDS.database * 1000;
    }
  }
  charge(t, end);

  const endMonth = monthOf(new Date(end));
  const carried = cursor.month === endMonth ? cursor.monthUsd : 0;
  const prepaidUntil = {
    ...(prepaid.instances !== undefined && prepaid.instances > end
      ? { instances: new Date(prepaid.instances).toISOString() }
      : {}),
    ...(prepaid.database !== undefined && prepaid.database > end
      ? { database: new Date(prepaid.database).toISOString() }
      : {}),
  };
  return {
    charges,
    cursor: {
      through: new Date(end).toISOString(),
      status,
      agents,
      ...(Object.keys(prepaidUntil).length > 0 ? { prepaidUntil } : {}),
      month: endMonth,
      monthUsd: carried + (charges[endMonth] ?? 0),
    },
  };
}

function parseOptional(at: string | undefined): number | undefined {
  return at === undefined ? undefined : Date.parse(at);
}

/** [month, seconds] for each UTC month the interval [from, to) touches. */
export function splitByMonth(from: number, to: number): [string, number][] {
  const pieces: [string, number][] = [];
  let start = from;
  while (start < to) {
    const date = new Date(start);
    const next = Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1);
    const stop = Math.min(next, to);
    pieces.push([monthOf(date), (stop - start) / 1000]);
    start = stop;
  }
  return pieces;
}
