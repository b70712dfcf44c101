/**
 * X-Ray: the right to send traces for every role a function or workflow runs with, and the sampling
 * rule for workflow executions that no caller's trace decides for (docs/operations.md, "Tracing").
 * Lambda samples its own invocations at a rate X-Ray fixes; a workflow started by a traced function
 * follows that function's decision (adapters/tracing.ts).
 */
import { arn, ref, type Json, type Resources } from './cfn.ts';
import type { ServiceShape } from './service.ts';

export const tracingParameters: Record<string, Json> = {
  TracingSampleRate: {
    Type: 'Number',
    Default: 0.05,
    MinValue: 0,
    MaxValue: 1,
    Description: 'Share of workflow executions X-Ray records when no caller trace decides (0 to 1)',
  },
};

export function tracingResources(shape: ServiceShape): Resources {
  const roles = [
    ...new Set([
      ...shape.functions.map((entry) => entry.role),
      ...shape.stateMachines.map((entry) => entry.role),
    ]),
  ].sort();
  return {
    TracingPolicy: {
      Type: 'AWS::IAM::ManagedPolicy',
      Properties: {
        Description: 'Send X-Ray traces (every function and workflow of the control plane)',
        Roles: roles.map(ref),
        PolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Action: [
                'xray:PutTraceSegments',
                'xray:PutTelemetryRecords',
                'xray:GetSamplingRules',
                'xray:GetSamplingTargets',
              ],
              // X-Ray's actions take no resource.
              Resource: '*',
            },
          ],
        },
      },
    },
    WorkflowSamplingRule: {
      Type: 'AWS::XRay::SamplingRule',
      Properties: {
        SamplingRule: {
          // One rule per stage (rule names are per account and region, at most 32 characters).
          RuleName: 'detcp-workflows-${sls:stage}',
          Priority: 9000,
          FixedRate: ref('TracingSampleRate'),
          ReservoirSize: 1,
          ServiceName: '*',
          ServiceType: 'AWS::StepFunctions::StateMachine',
          Host: '*',
          HTTPMethod: '*',
          URLPath: '*',
          ResourceARN: arn('states', 'stateMachine:', ref('AWS::StackName'), '-*'),
          Version: 1,
        },
      },
    },
  };
}
