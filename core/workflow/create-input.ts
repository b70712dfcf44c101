/**
 * The create workflow's input, built in one place for the API, the workflow tests and the bench:
 * the stack's name, template, parameters (from the request's parameters and what the control plane
 * adds) and tags, and the timing of the deployment.
 */
import type { ClusterRecord } from '../cluster/model.ts';
import { asCfnParameters, toStackParameters, type StackInputs } from '../cluster/stack-parameters.ts';
import { STACK_MANAGED_BY, SYSTEM_TAGS } from '../names/shared.ts';
import type { CreateInput, WorkflowTiming } from './inputs.ts';

/** Tags on the stack (CloudFormation copies them to every resource it creates); the system's win. */
export function stackTags(record: ClusterRecord): { Key: string; Value: string }[] {
  const own = {
    [SYSTEM_TAGS.managedBy]: STACK_MANAGED_BY,
    [SYSTEM_TAGS.deploymentType]: record.deploymentType,
    [SYSTEM_TAGS.team]: record.team,
    [SYSTEM_TAGS.owner]: record.owner,
    [SYSTEM_TAGS.clusterId]: record.clusterId,
  };
  return Object.entries({ ...record.parameters.tags, ...own }).map(([Key, Value]) => ({ Key, Value }));
}

export interface CreateInputOptions {
  stackName: string;
  template: object;
  inputs: StackInputs;
  timing: WorkflowTiming;
  /** A failed earlier incarnation's stack, which the create may remove if it still holds the name. */
  previousStackId?: string;
}

export function createWorkflowInput(record: ClusterRecord, options: CreateInputOptions): CreateInput {
  return {
    team: record.team,
    clusterId: record.clusterId,
    keypair: record.parameters.keypair,
    ...(options.previousStackId ? { previousStackId: options.previousStackId } : {}),
    stack: {
      name: options.stackName,
      template: options.template,
      parameters: asCfnParameters(toStackParameters(record.parameters, options.inputs)),
      tags: stackTags(record),
    },
    timing: options.timing,
  };
}
