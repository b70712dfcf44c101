/** Starts the lifecycle workflows (statemachines/*.asl.json) on Step Functions. */
import { StartExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import type { Operation } from '../core/cluster/naming.ts';
import type { Workflows } from '../core/ports.ts';

export class StepFunctionsWorkflows implements Workflows {
  constructor(
    private readonly sfn: SFNClient,
    private readonly stateMachines: Record<Operation, string>,
  ) {}

  async start(operation: Operation, executionName: string, input: object): Promise<void> {
    // The name makes StartExecution idempotent: a retry with the same name and input is a no-op.
    await this.sfn.send(
      new StartExecutionCommand({
        stateMachineArn: this.stateMachines[operation],
        name: executionName,
        input: JSON.stringify(input),
      }),
    );
  }
}
