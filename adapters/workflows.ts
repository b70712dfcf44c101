/** Starts the lifecycle workflows (statemachines/*.asl.json) on Step Functions. */
import type { Operation } from '../core/cluster/naming.ts';
import type { Workflows } from '../core/ports.ts';
import { AwsServiceError } from './aws/http.ts';
import type { StepFunctionsClient } from './aws/services.ts';
import { currentTraceHeader } from './tracing.ts';

export class StepFunctionsWorkflows implements Workflows {
  constructor(
    private readonly sfn: StepFunctionsClient,
    private readonly stateMachines: Record<Operation, string>,
    /** The caller's X-Ray trace, so the execution joins it (adapters/tracing.ts). */
    private readonly traceHeader: () => string | undefined = currentTraceHeader,
  ) {}

  async start(operation: Operation, executionName: string, input: object): Promise<void> {
    // The name makes StartExecution idempotent: a retry with the same name and input is a no-op.
    const traceHeader = this.traceHeader();
    await this.sfn.call('StartExecution', {
      stateMachineArn: this.stateMachines[operation],
      name: executionName,
      input: JSON.stringify(input),
      ...(traceHeader ? { traceHeader } : {}),
    });
  }

  async exists(operation: Operation, executionName: string): Promise<boolean> {
    const machine = this.stateMachines[operation];
    try {
      await this.sfn.call('DescribeExecution', {
        executionArn: `${machine.replace(':stateMachine:', ':execution:')}:${executionName}`,
      });
      return true;
    } catch (error) {
      if (error instanceof AwsServiceError && error.code === 'ExecutionDoesNotExist') return false;
      throw error;
    }
  }
}
