/**
 * The workflow watchdog, on a schedule: counts lifecycle executions running past their budget
 * (core/workflow/overdue.ts) and emits the count every run, zero included, so the OverdueWorkflows
 * alarm fires on a stuck workflow and, through missing data, on a watchdog that stopped running.
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

export const handler = async (): Promise<{ overdue: number }> => {
  logger.resetKeys();
  const current = config();
  const executions = new StepFunctionsExecutions(sfnClient(), current.stateMachines);
  const budgets = timingFrom(current.workflow).budgetSeconds;
  const overdue = await main({
    running: () => executions.running(),
    budgetSeconds: {
      ...budgets,
      upgrade: upgradeBudgetSeconds(budgets.update, current.workflow.upgradeDrainMinutes * 60),
    },
    now: () => new Date(),
    publisher: metrics(),
  });
  return { overdue: overdue.length };
};
