/** Starts the lifecycle workflows (statemachines/*.asl.json) on Step Functions. */
import type { Operation } from '../core/cluster/naming.ts';
import type { Workflows } from '../core/ports.ts';
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
}
