/** The lifecycle workflows' running executions, read from Step Functions for the watchdog. */
import type { RunningExecution } from '../core/workflow/overdue.ts';
import type { StepFunctionsClient } from './aws/services.ts';

/** Pages of 100 per workflow; more running executions than this would be an incident of its own. */
const MAX_PAGES = 10;

export class StepFunctionsExecutions {
  constructor(
    private readonly sfn: StepFunctionsClient,
    private readonly stateMachines: Readonly<Record<string, string>>,
  ) {}

  async running(): Promise<RunningExecution[]> {
    const found: RunningExecution[] = [];
    for (const [workflow, stateMachineArn] of Object.entries(this.stateMachines)) {
      let nextToken: string | undefined;
      let pages = 0;
      do {
        const page = await this.sfn.call('ListExecutions', {
          stateMachineArn,
          statusFilter: 'RUNNING',
          maxResults: 100,
          ...(nextToken ? { nextToken } : {}),
        });
        for (const execution of page.executions ?? []) {
          if (execution.startDate === undefined) continue;
          found.push({
            workflow,
            name: execution.name ?? '',
            startedAt: new Date(execution.startDate * 1000),
          });
        }
        nextToken = page.nextToken;
        pages += 1;
      } while (nextToken && pages < MAX_PAGES);
    }
    return found;
  }
}
