/**
 * Cluster records and workflow inputs for the scenario tests, built with the same core functions
 * the API uses (stack parameters, tags, execution names), so the workflows see what they would see
 * in production.
 */
import type { ClusterParameters, ClusterRecord } from '../../../core/cluster/model.ts';
import { executionName, secretName, type Operation } from '../../../core/cluster/naming.ts';
import {
  asCfnParameters,
  toStackParameters,
  updateParameters,
} from '../../../core/cluster/stack-parameters.ts';
import { stackTags } from '../../../core/operations/create-cluster.ts';
import type { CreateInput, DeleteInput, UpdateInput, WorkflowTiming } from '../../../core/workflow/inputs.ts';
import { FakeAws, PRODUCTION_TIMING } from '../../support/fake-aws.ts';

export { FakeAws, PRODUCTION_TIMING };

export const PARAMETERS: ClusterParameters = {
  keypair: 'ml-key',
  deploymentType: 'simple',
  masterInstanceType: 'm5.large',
  cpuAgentInstanceType: 't2.xlarge',
  gpuAgentInstanceType: 'p2.8xlarge',
  inboundCidr: '10.0.0.0/8',
  region: 'us-east-1',
  maxCpuContainersPerAgent: 100,
  maxIdleAgentPeriod: '10m',
  maxDynamicAgents: 5,
  spot: false,
  determinedVersion: '0.38.0',
  idleTimeout: 'never',
  protected: false,
  tags: { project: 'vision' },
};

export function name(clusterId: string, operation: Operation, aws: FakeAws, offsetMs = 0): string {
  return executionName(clusterId, operation, new Date(aws.clock.now() + offsetMs));
}

/** The record as the API leaves it when it starts `operation` (status and owning execution set). */
export function seed(aws: FakeAws, clusterId: string, changes: Partial<ClusterRecord> = {}): ClusterRecord {
  const now = new Date(aws.clock.now()).toISOString();
  const record: ClusterRecord = {
    clusterId,
    team: 'ml',
    owner: 'ada',
    deploymentType: 'simple',
    status: 'CREATING',
    parameters: PARAMETERS,
    outputs: {},
    secretName: secretName(clusterId, 1, new Date(aws.clock.now())),
    createdAt: now,
    updatedAt: now,
    version: 1,
    idle: { idleTimeout: 'never' },
    ...changes,
  };
  aws.seedCluster(record);
  if (record.secretName) aws.secrets.set(record.secretName, {});
  return record;
}

export function createInput(record: ClusterRecord, timing: Partial<WorkflowTiming> = {}): CreateInput {
  return {
    clusterId: record.clusterId,
    stack: {
      name: record.clusterId,
      template: { Resources: { MasterInstance: { Type: 'AWS::EC2::Instance' } } },
      parameters: asCfnParameters(
        toStackParameters(record.parameters, { secretName: record.secretName ?? '' }),
      ),
      tags: stackTags(record),
    },
    timing: { ...PRODUCTION_TIMING, ...timing },
  };
}

export function updateInput(
  record: ClusterRecord,
  after: ClusterParameters,
  timing: Partial<WorkflowTiming> = {},
): UpdateInput {
  return {
    clusterId: record.clusterId,
    stack: { name: record.clusterId, parameters: updateParameters(record.parameters, after).parameters },
    timing: { ...PRODUCTION_TIMING, ...timing },
  };
}

export function deleteInput(
  clusterId: string,
  options: { purge?: boolean; recordTtl?: string } = {},
  timing: Partial<WorkflowTiming> = {},
): DeleteInput {
  return {
    clusterId,
    purge: options.purge ?? false,
    recordTtl: options.recordTtl ?? '1790000000',
    timing: { ...PRODUCTION_TIMING, ...timing },
  };
}

/** The stack's parameters as the create sends them, for stacks made outside a create. */
export function stackParameters(record: ClusterRecord): Record<string, string> {
  return toStackParameters(record.parameters, { secretName: record.secretName ?? '' });
}
