/**
 * The workflow watchdog, every minute: counts lifecycle executions running past their budget
 * (core/workflow/overdue.ts) and emits the count every run, zero included, so the OverdueWorkflows
 * alarm fires on a stuck workflow and, through missing data, on a watchdog that stopped running.
 * Then it wakes the workflows parked on a stack that has settled, in case the stack's event was
 * lost (core/workflow/lost-events.ts).
 */
import { sfnClient } from '../../adapters/aws-clients.ts';
import { config } from '../../adapters/config.ts';
import { StepFunctionsExecutions } from '../../adapters/executions.ts';
import { logger } from '../../adapters/logger.ts';
import { metrics, type MetricsPublisher } from '../../adapters/metrics.ts';
import { point } from '../../core/metrics/catalogue.ts';
import {
  overdueExecutions,
  type OverdueExecution,
  type RunningExecution,
} from '../../core/workflow/overdue.ts';
import { upgradeBudgetSeconds } from '../../core/operations/upgrade-cluster.ts';
import { timingFrom } from '../../core/workflow/inputs.ts';
import { wakeSettledWorkflows, type SweepReport } from '../../core/workflow/lost-events.ts';
import { restartDelete } from '../../core/operations/delete-cluster.ts';
import { releaseStranded, type StrandedReport } from '../../core/workflow/stranded.ts';
import { StaleRecordError } from '../../core/errors.ts';
import type { DynamoClusterStore } from '../../adapters/cluster-store.ts';
import { clock, clusterStore, parkedWorkflows, settings, stacks, workflows } from '../deps.ts';

/** Time a workflow may spend besides its stack wait: checks, the root-cause search, status writes. */
export const GRACE_SECONDS = 15 * 60;

export interface WatchdogDeps {
  running(): Promise<RunningExecution[]>;
  budgetSeconds: Readonly<Record<string, number>>;
  now(): Date;
  publisher: MetricsPublisher;
}

export async function main(deps: WatchdogDeps): Promise<OverdueExecution[]> {
  const budgets = Object.values(deps.budgetSeconds);
  const overdue = overdueExecutions(await deps.running(), {
    budgetSeconds: deps.budgetSeconds,
    defaultBudgetSeconds: budgets.length > 0 ? Math.max(...budgets) : 3600,
    graceSeconds: GRACE_SECONDS,
    now: deps.now(),
  });
  for (const execution of overdue) logger.warn('workflow running past its budget', { ...execution });
  deps.publisher.publish([point('OverdueWorkflows', overdue.length)]);
  return overdue;
}

export const handler = async (): Promise<{
  overdue: number;
  lostEvents: SweepReport;
  stranded: StrandedReport;
}> => {
  logger.resetKeys();
  const current = config();
  const executions = new StepFunctionsExecutions(sfnClient(), current.stateMachines);
  const running = await executions.running();
  const budgets = timingFrom(current.workflow).budgetSeconds;
  const overdue = await main({
    running: async () => running,
    budgetSeconds: {
      ...budgets,
      upgrade: upgradeBudgetSeconds(budgets.update, current.workflow.upgradeDrainMinutes * 60),
    },
    now: () => new Date(),
    publisher: metrics(),
  });
  const lostEvents = await wakeSettledWorkflows({
    running: async () => running,
    clusterOf: (execution) => executions.clusterOf(execution),
    parked: (cluster) => parkedWorkflows().parked(cluster),
    stackStatus: (stackId) => stacks().status(stackId),
    wake: (token, status) => executions.wake(token, status),
  });
  if (lostEvents.woken.length > 0 || lostEvents.errors > 0)
    logger.warn('woke workflows whose stack event was late or lost', { ...lostEvents });
  // Records in progress with no workflow (docs/adr/0033-claimed-workflows.md).
  const store = clusterStore() as DynamoClusterStore;
  const stranded = await releaseStranded({
    inProgress: () => store.inProgress(),
    running: new Set(running.map((execution) => execution.name)),
    releaseUnclaimed: (record, expect, changes) => store.releaseUnclaimed(record, expect, changes),
    markOnVersion: async (record, changes) => {
      try {
        await store.update(record, { version: record.version, statuses: [record.status] }, changes);
        return true;
      } catch (error) {
        if (error instanceof StaleRecordError) return false;
        throw error;
      }
    },
    restartDelete: (record) =>
      restartDelete({ store, workflows: workflows(), clock, settings: settings() }, record),
    now: new Date(),
  });
  if (stranded.released.length > 0 || stranded.errors > 0)
    logger.warn('released records left in progress without a workflow', { ...stranded });
  return { overdue: overdue.length, lostEvents, stranded };
};
