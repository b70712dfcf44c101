/**
 * The reaper's settlement of spend: for every cluster whose spend is open, read its timeline since
 * its cursor (status changes, and the agent counts recorded there), note a new agent count, charge
 * the intervals (core/cost/meter.ts) and add them to its team's months in one conditional write.
 */
import type { ClusterRecord } from '../cluster/model.ts';
import { stackNameOf } from '../cluster/naming.ts';
import { clusterRates } from '../cost/estimate.ts';
import type { SpendLedger } from '../cost/ledger.ts';
import { accrue, billedParts, type MeterChange, type SpendCursor } from '../cost/meter.ts';
import type { PriceList } from '../cost/price-list.ts';
import { ConflictError } from '../errors.ts';
import type { AgentCounter, Clock, ClusterStore } from '../ports.ts';
import type { TimelineEntry } from '../timeline.ts';

export interface SettleDeps {
  store: Pick<ClusterStore, 'appendEvent'>;
  ledger: SpendLedger;
  agents: AgentCounter;
  prices: PriceList;
  clock: Clock;
}

export interface SettleReport {
  settled: number;
  closed: number;
  /** USD added to the teams' ledgers by this run. */
  charged: number;
  /** Teams with a cluster whose spend is open: the ones whose budgets are checked next. */
  teams: string[];
  errors: { team: string; clusterId: string; error: string }[];
}

export async function settleSpend(deps: SettleDeps, options: { pageSize: number }): Promise<SettleReport> {
  const report: SettleReport = { settled: 0, closed: 0, charged: 0, teams: [], errors: [] };
  const teams = new Set<string>();
  let nextToken: string | undefined;
  do {
    const page = await deps.ledger.unsettled({
      limit: options.pageSize,
      ...(nextToken ? { nextToken } : {}),
    });
    nextToken = page.nextToken;
    const counts = await agentCounts(deps, page.items);
    const now = deps.clock.now();
    for (const record of page.items) {
      teams.add(record.team);
      try {
        const outcome = await settleOne(deps, record, counts.get(record), now);
        if (outcome) {
          report.settled += 1;
          report.charged += outcome.charged;
          if (outcome.closed) report.closed += 1;
        }
      } catch (error) {
        // Settled by another run meanwhile: nothing lost, the next run goes on from its cursor.
        if (!(error instanceof ConflictError))
          report.errors.push({
            team: record.team,
            clusterId: record.clusterId,
            error: (error as Error).message,
          });
      }
    }
  } while (nextToken);
  report.teams = [...teams].sort();
  return report;
}

/** Agents of every cluster that may run some, one EC2 call per page (by the tag named after each stack). */
async function agentCounts(deps: SettleDeps, records: ClusterRecord[]): Promise<Map<ClusterRecord, number>> {
  const running = records.filter((record) => record.stackId && billedParts(record.status).running);
  if (running.length === 0) return new Map();
  const byStack = await deps.agents.runningAgents(running.map((record) => stackNameOf(record.stackId ?? '')));
  return new Map(running.map((record) => [record, byStack.get(stackNameOf(record.stackId ?? '')) ?? 0]));
}

async function settleOne(
  deps: SettleDeps,
  record: ClusterRecord,
  agents: number | undefined,
  now: Date,
): Promise<{ charged: number; closed: boolean } | undefined> {
  const cursor = record.spend;
  if (!cursor) return undefined;
  const entries = await deps.ledger.timelineSince(record, cursor.through);
  const changes = entries.flatMap(toChange);
  const last = latest(cursor, changes);
  // The record's status is the authority: one the timeline has not caught up with applies from the
  // record's last write (a workflow writes the status a moment before its timeline entry), and last.
  if (record.status !== last.status)
    changes.push({ at: latestOf(record.updatedAt, last.at), status: record.status });
  if (agents !== undefined && agents !== last.agents) {
    const at = now.toISOString();
    await deps.store.appendEvent(record, {
      at,
      source: 'control-plane',
      kind: 'agents',
      agents,
      message: `${agents} dynamic agent${agents === 1 ? '' : 's'} running (was ${last.agents}).`,
    });
    changes.push({ at, agents });
  }
  const accrued = accrue(cursor, changes, now, clusterRates(record.parameters, deps.prices));
  const to: SpendCursor = {
    ...accrued.cursor,
    ...(cursor.budgetStopAt && accrued.cursor.status === 'READY'
      ? { budgetStopAt: cursor.budgetStopAt }
      : {}),
  };
  const close = to.status === 'DELETED';
  const charged = Object.values(accrued.charges).reduce((sum, usd) => sum + usd, 0);
  const unchanged = charged === 0 && !close && to.status === cursor.status && to.agents === cursor.agents;
  if (unchanged) return undefined;
  await deps.ledger.settle(record, { from: cursor, to, charges: accrued.charges, close });
  return { charged, closed: close };
}

function toChange(entry: TimelineEntry): MeterChange[] {
  if (entry.status === undefined && entry.agents === undefined) return [];
  return [
    {
      at: entry.at,
      ...(entry.status !== undefined ? { status: entry.status } : {}),
      ...(entry.agents !== undefined ? { agents: Number(entry.agents) } : {}),
    },
  ];
}

/** The state after the changes (the meter's rule: leaving a running status ends its agents), and when. */
function latest(cursor: SpendCursor, changes: MeterChange[]): { status: string; agents: number; at: string } {
  let { status, agents, through: at } = cursor;
  for (const change of [...changes].sort((a, b) => Date.parse(a.at) - Date.parse(b.at))) {
    if (change.status !== undefined) status = change.status;
    if (change.agents !== undefined) agents = change.agents;
    else if (!billedParts(status).running) agents = 0;
    at = latestOf(at, change.at);
  }
  return { status, agents, at };
}

function latestOf(a: string, b: string): string {
  return Date.parse(a) >= Date.parse(b) ? a : b;
}
