/**
 * The lifecycle workflows' running executions, read from Step Functions for the watchdog: which
 * run past their budget, and which are parked on a stack whose event was lost (wake them).
 */
import type { ClusterRef } from '../core/cluster/naming.ts';
import type { RunningExecution } from '../core/workflow/overdue.ts';
import { AwsServiceError } from './aws/http.ts';
import type { StepFunctionsClient } from './aws/services.ts';

/** SendTaskSuccess with a token nobody waits on any more (used, timed out, execution ended). */
const STALE_TOKEN = new Set(['TaskTimedOut', 'TaskDoesNotExist', 'InvalidToken']);

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
            ...(execution.executionArn ? { arn: execution.executionArn } : {}),
          });
        }
        nextToken = page.nextToken;
        pages += 1;
      } while (nextToken && pages < MAX_PAGES);
    }
    return found;
  }

  /** The cluster an execution works on: every lifecycle workflow's input names its team and id. */
  async clusterOf(execution: RunningExecution): Promise<ClusterRef | undefined> {
    if (!execution.arn) return undefined;
    const { input } = await this.sfn.call('DescribeExecution', { executionArn: execution.arn });
    const parsed = JSON.parse(input ?? '{}') as { team?: unknown; clusterId?: unknown };
    return typeof parsed.team === 'string' && typeof parsed.clusterId === 'string'
      ? { team: parsed.team, clusterId: parsed.clusterId }
      : undefined;
  }

  /** Returns a parked workflow's token with the stack's status, in the relay's output shape. */
  async wake(taskToken: string, status: string): Promise<boolean> {
    try {
      await this.sfn.call('SendTaskSuccess', {
        taskToken,
        output: JSON.stringify({
          status,
          'status-reason': 'seen by the watchdog; the stack event was late or lost',
        }),
      });
      return true;
    } catch (error) {
      if (error instanceof AwsServiceError && STALE_TOKEN.has(error.code)) return false;
      throw error;
    }
  }
}
