/**
 * One run of the reaper over every READY cluster (idle ones are stopped or deleted per the team's
 * idleAction, expired ones deleted) and every STOPPED one (a database AWS restarted is stopped again;
 * expired clusters and clusters stopped too long are deleted, data kept): observe (agents by tag, one EC2 call per page;
 * the master's API where it matters), decide (core/reaper/decide.ts), then act with conditional
 * writes, so a cluster someone touched meanwhile is left for the next run.
 */
import type { ClusterRecord } from '../cluster/model.ts';
import { stackName, stackNameOf } from '../cluster/naming.ts';
import { ConflictError } from '../errors.ts';
import type { AgentCounter, DatabaseStates, MasterProbe, Notifier, TeardownWarning } from '../ports.ts';
import { decideSchedule, type ScheduleDecision } from '../reaper/decide-schedule.ts';
import { decideStopped, type StoppedDecision } from '../reaper/decide-stopped.ts';
import { startStart } from './start-cluster.ts';
import { decide, type Activity, type Decision } from '../reaper/decide.ts';
import { policyFor } from '../policy.ts';
import { startDelete, type DeleteDeps } from './delete-cluster.ts';
import { startStop } from './stop-cluster.ts';
import type { TeamSpendDeps } from './team-spend.ts';

type AnyDecision = Decision | StoppedDecision | NonNullable<ScheduleDecision>;

export interface ReapDeps extends DeleteDeps, TeamSpendDeps {
  agents: AgentCounter;
  databases: DatabaseStates;
  masters: MasterProbe;
  notifier: Notifier;
  reaper: { graceSeconds: number; pageSize: number; masterConcurrency: number };
}

export interface ReapReport {
  dryRun: boolean;
  pages: number;
  examined: number;
  decisions: { team: string; clusterId: string; decision: AnyDecision['kind']; detail?: string }[];
  errors: { team: string; clusterId: string; error: string }[];
}

export async function reap(deps: ReapDeps, options: { dryRun: boolean }): Promise<ReapReport> {
  const report: ReapReport = { dryRun: options.dryRun, pages: 0, examined: 0, decisions: [], errors: [] };
  const warnings: TeardownWarning[] = [];
  const decided = async (cluster: ClusterRecord, decision: AnyDecision, now: Date) => {
    if (decision.kind === 'none') return;
    const { team, clusterId } = cluster;
    report.decisions.push({ team, clusterId, decision: decision.kind, ...detailOf(decision) });
    if (options.dryRun) return;
    try {
      const warning = await act(deps, cluster, decision, now);
      if (warning) warnings.push(warning);
    } catch (error) {
      // Someone changed the cluster since it was read (keepalive, delete): the next run looks again.
      if (!(error instanceof ConflictError))
        report.errors.push({ team, clusterId, error: (error as Error).message });
    }
  };

  await eachPage(deps, 'READY', report, async (clusters) => {
    const activities = await observe(deps, clusters);
    const now = deps.clock.now();
    for (const cluster of clusters) {
      const scheduled = decideSchedule(cluster, now);
      if (scheduled) {
        await decided(cluster, scheduled, now);
        continue;
      }
      const subject = {
        idle: cluster.idle,
        protected: cluster.parameters.protected,
        idleAction: policyFor(deps.settings.policies, cluster.team).idleAction,
      };
      const activity = activities.get(cluster) ?? { agents: 0 };
      await decided(cluster, decide(subject, activity, now, deps.reaper.graceSeconds), now);
    }
  });

  await eachPage(deps, 'STOPPED', report, async (clusters) => {
    // One RDS call per 100 databases: a database AWS started again is stopped again.
    const databaseOf = (cluster: ClusterRecord) => cluster.outputs.databaseInstanceId;
    const ids = clusters.flatMap((cluster) => databaseOf(cluster) ?? []);
    const states = ids.length > 0 ? await deps.databases.statuses(ids) : new Map<string, string>();
    const now = deps.clock.now();
    for (const cluster of clusters) {
      const scheduled = decideSchedule(cluster, now);
      if (scheduled) {
        await decided(cluster, scheduled, now);
        continue;
      }
      const subject = {
        idle: cluster.idle,
        protected: cluster.parameters.protected,
        ...(cluster.stoppedAt ? { stoppedAt: cluster.stoppedAt } : {}),
        stoppedTeardownAfter: policyFor(deps.settings.policies, cluster.team).stoppedTeardownAfter,
      };
      const database = states.get(databaseOf(cluster) ?? '');
      const observed = database !== undefined ? { database } : {};
      await decided(cluster, decideStopped(subject, observed, now, deps.reaper.graceSeconds), now);
    }
  });

  if (warnings.length > 0) await deps.notifier.teardownWarnings(warnings);
  return report;
}

/** Every page of the clusters in one status, through the reaper's sparse index. */
async function eachPage(
  deps: ReapDeps,
  status: 'READY' | 'STOPPED',
  report: ReapReport,
  visit: (clusters: ClusterRecord[]) => Promise<void>,
): Promise<void> {
  let nextToken: string | undefined;
  do {
    const page = await deps.store.listReapable({
      limit: deps.reaper.pageSize,
      status,
      ...(nextToken ? { nextToken } : {}),
    });
    nextToken = page.nextToken;
    report.pages += 1;
    const clusters = page.items.filter((cluster) => cluster.status === status);
    report.examined += clusters.length;
    if (clusters.length > 0) await visit(clusters);
  } while (nextToken);
}

/**
 * Agents for the whole page in one call, by the agent tag named after each cluster's stack. The
 * master is only asked whether it answers at its recorded address, without credentials: that
 * explains an idle verdict in the timeline and never makes one (docs/adr/0019-reaper-probe-without-credentials.md).
 */
async function observe(deps: ReapDeps, clusters: ClusterRecord[]): Promise<Map<ClusterRecord, Activity>> {
  const stacks = new Map(
    clusters.map((cluster) => [
      cluster,
      cluster.stackId
        ? stackNameOf(cluster.stackId)
        : stackName(deps.settings.stackPrefix, cluster.clusterId),
    ]),
  );
  const agents = await deps.agents.runningAgents([...stacks.values()]);
  const activities = new Map(
    clusters.map((cluster) => [cluster, { agents: agents.get(stacks.get(cluster) ?? '') ?? 0 } as Activity]),
  );
  const toProbe = clusters.filter(
    (cluster) =>
      !cluster.parameters.protected &&
      cluster.idle.idleTimeout !== 'never' &&
      activities.get(cluster)?.agents === 0 &&
      cluster.outputs.masterUrl,
  );
  await forEachLimited(toProbe, deps.reaper.masterConcurrency, async (cluster) => {
    const activity = activities.get(cluster);
    if (activity) activity.master = await deps.masters.reachable(cluster.outputs.masterUrl ?? '');
  });
  return activities;
}

async function act(
  deps: ReapDeps,
  cluster: ClusterRecord,
  decision: AnyDecision,
  now: Date,
): Promise<TeardownWarning | undefined> {
  const at = now.toISOString();
  const expect = { version: cluster.version, statuses: [cluster.status] };
  /** The idle clock moved: store it, and say why on the timeline where there is something to say. */
  const recordIdle = async (
    idle: ClusterRecord['idle'],
    event?: { kind: 'idle' | 'teardown-cancelled' | 'teardown-warning'; message: string },
  ) => {
    await deps.store.update(cluster, expect, { idle });
    if (event) await deps.store.appendEvent(cluster, { at, source: 'control-plane', ...event });
  };
  switch (decision.kind) {
    case 'track':
      await recordIdle(decision.idle, decision.note ? { kind: 'idle', message: decision.note } : undefined);
      return undefined;
    case 'cancel':
      await recordIdle(decision.idle, { kind: 'teardown-cancelled', message: decision.message });
      return undefined;
    case 'warn':
      await recordIdle(decision.idle, { kind: 'teardown-warning', message: decision.message });
      return {
        clusterId: cluster.clusterId,
        team: cluster.team,
        owner: cluster.owner,
        reason: decision.reason,
        teardownAt: decision.idle.teardownAt ?? at,
        message: decision.message,
      };
    case 'schedule-stop':
    case 'schedule-start': {
      const applied = { ...cluster, idle: { ...cluster.idle, scheduleCheckedAt: decision.checkedAt } };
      const options = { by: 'the schedule', reason: `As scheduled: ${decision.reason}.` };
      if (decision.kind === 'schedule-stop') await startStop(deps, applied, options);
      else await startStart(deps, applied, options);
      return undefined;
    }
    case 'schedule-noted':
      await deps.store.update(cluster, expect, {
        idle: { ...cluster.idle, scheduleCheckedAt: decision.checkedAt },
      });
      return undefined;
    case 'restop':
      await startStop(deps, cluster, {
        by: 'the reaper',
        reason: `Stopped again by the reaper: ${decision.reason}.`,
        from: 'STOPPED',
      });
      return undefined;
    case 'teardown':
      if (decision.action === 'stop') {
        await startStop(deps, cluster, {
          by: 'the idle reaper',
          reason: `Stopped by the reaper: ${decision.reason}.`,
        });
        return undefined;
      }
      await startDelete(deps, cluster, {
        purge: false,
        by: 'the idle reaper',
        reason: `Torn down by the reaper: ${decision.reason}.`,
      });
      return undefined;
    default:
      return undefined;
  }
}

function detailOf(decision: AnyDecision): { detail?: string } {
  if (decision.kind === 'warn' || decision.kind === 'cancel') return { detail: decision.message };
  if (
    decision.kind === 'restop' ||
    decision.kind === 'schedule-stop' ||
    decision.kind === 'schedule-start' ||
    decision.kind === 'schedule-noted'
  )
    return { detail: decision.reason };
  if (decision.kind === 'teardown') return { detail: `${decision.action}: ${decision.reason}` };
  if (decision.kind === 'track' && decision.note) return { detail: decision.note };
  return {};
}

async function forEachLimited<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const runners = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await work(item);
    }
  });
  await Promise.all(runners);
}
