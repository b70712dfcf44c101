/**
 * Which running workflow executions are past their budget. A workflow bounds its own stack wait by
 * `timing.budgetSeconds` and then records a failure, so one still running well after that is stuck
 * (a lost task token with the fallback poll disabled, a throttled retry loop, a bug): the watchdog
 * (functions/watchdog/) counts them for the OverdueWorkflows alarm.
 */
export interface RunningExecution {
  workflow: string;
  name: string;
  startedAt: Date;
  /** The execution's ARN, where the listing gave it. */
  arn?: string;
}

export interface OverdueExecution extends RunningExecution {
  runningSeconds: number;
  budgetSeconds: number;
}

export function overdueExecutions(
  executions: readonly RunningExecution[],
  options: {
    /** The stack-wait budget of each workflow, in seconds; a workflow without one gets `defaultBudgetSeconds`. */
    budgetSeconds: Readonly<Record<string, number>>;
    defaultBudgetSeconds: number;
    /** Time a workflow spends besides its stack wait (checks, root-cause search, status writes). */
    graceSeconds: number;
    now: Date;
  },
): OverdueExecution[] {
  return executions.flatMap((execution) => {
    const budgetSeconds = options.budgetSeconds[execution.workflow] ?? options.defaultBudgetSeconds;
    const runningSeconds = Math.floor((options.now.getTime() - execution.startedAt.getTime()) / 1000);
    return runningSeconds > budgetSeconds + options.graceSeconds
      ? [{ ...execution, runningSeconds, budgetSeconds }]
      : [];
  });
}
