/**
 * The fallback for a lost stack event (docs/adr/0031-load-and-faults.md). With the fast path a
 * workflow parks on a task token until the stack-event relay wakes it; if EventBridge's event never
 * comes, the workflow would wait for its own fallback poll (minutes). The watchdog, every minute,
 * wakes every parked workflow whose stack has settled, exactly as the relay would: one sweep for
 * all workflows instead of a poll loop in each (Step Functions bills each workflow's transitions).
 */
import type { ClusterRef } from '../cluster/naming.ts';
import type { RunningExecution } from './overdue.ts';

/** The terminal stack statuses, as the EventBridge rule sends them to the relay (serverless.yml). */
export const SETTLED_STACK_STATUSES: readonly string[] = [
  'CREATE_COMPLETE',
  'CREATE_FAILED',
  'ROLLBACK_COMPLETE',
  'ROLLBACK_FAILED',
  'UPDATE_COMPLETE',
  'UPDATE_FAILED',
  'UPDATE_ROLLBACK_COMPLETE',
  'UPDATE_ROLLBACK_FAILED',
  'DELETE_COMPLETE',
  'DELETE_FAILED',
];

/** How often the watchdog sweeps (its schedule in serverless.yml): the worst-case lag it leaves. */
export const SWEEP_SECONDS = 60;

/** What the cluster record says about a parked workflow. */
export interface Parked {
  execution: string;
  waitToken: string;
  stackId: string;
}

export interface LostEventDeps {
  running(): Promise<readonly RunningExecution[]>;
  /** The cluster a lifecycle execution works on (its input's team and clusterId). */
  clusterOf(execution: RunningExecution): Promise<ClusterRef | undefined>;
  /** The record's task token and stack, if a workflow is parked on it. */
  parked(cluster: ClusterRef): Promise<Parked | undefined>;
  /** The stack's status; undefined when CloudFormation no longer knows the stack. */
  stackStatus(stackId: string): Promise<string | undefined>;
  /** Return the token with the status, as the relay does; false when it is no longer waited on. */
  wake(waitToken: string, status: string): Promise<boolean>;
}

export interface SweepReport {
  parked: number;
  woken: { execution: string; status: string }[];
  errors: number;
}

/**
 * Wakes each running execution that is parked on a settled stack. Only the execution the record
 * names, on the stack the record names, is woken (a token of an older execution, or a stack of the
 * same name but another id, is left alone); a wake that comes after the event is a no-op for the
 * workflow (it reads the stack again), so the relay and the sweep may both wake one park.
 */
export async function wakeSettledWorkflows(deps: LostEventDeps): Promise<SweepReport> {
  const report: SweepReport = { parked: 0, woken: [], errors: 0 };
  for (const execution of await deps.running()) {
    try {
      const cluster = await deps.clusterOf(execution);
      const parked = cluster ? await deps.parked(cluster) : undefined;
      if (!parked || parked.execution !== execution.name) continue;
      report.parked += 1;
      const status = await deps.stackStatus(parked.stackId);
      if (!status || !SETTLED_STACK_STATUSES.includes(status)) continue;
      if (await deps.wake(parked.waitToken, status)) report.woken.push({ execution: execution.name, status });
    } catch {
      // One execution's failure must not hide the others'; the next sweep tries again.
      report.errors += 1;
    }
  }
  return report;
}
