/**
 * Cluster records and workflow inputs for the scenario tests, built with the same core functions
 * the API uses (stack parameters, tags, execution names), so the workflows see what they would see
 * in production.
 */
import type { ClusterParameters, ClusterRecord } from '../../../core/cluster/model.ts';
import {
  executionName,
  OWNERSHIP_TAGS,
  secretName,
  stackName,
  STACK_MANAGED_BY,
  upgradeSnapshotName,
  type Operation,
} from '../../../core/cluster/naming.ts';
import { toStackParameters, updateParameters } from '../../../core/cluster/stack-parameters.ts';
import { createWorkflowInput } from '../../../core/workflow/create-input.ts';
import type {
  CreateInput,
  DeleteInput,
  StartInput,
  StopInput,
  UpdateInput,
  UpgradeInput,
  WorkflowTiming,
} from '../../../core/workflow/inputs.ts';
import { FakeAws, PRODUCTION_TIMING } from '../../../aws-model/fake-aws.ts';

export { FakeAws, PRODUCTION_TIMING };

/** Every cluster here is team ml's, and its stacks are named under this prefix. */
export const TEAM = 'ml';
export const PREFIX = 'detcp-test-';

/** The stack name the API gives a cluster (core/cluster/naming.ts). */
export const stackOf = (clusterId: string) => stackName(PREFIX, clusterId);

/** The tags that make a stack a cluster's own (the create sends them with the rest). */
export const ownershipTags = (clusterId: string, team = TEAM) => [
  { Key: OWNERSHIP_TAGS.managedBy, Value: STACK_MANAGED_BY },
  { Key: OWNERSHIP_TAGS.team, Value: team },
  { Key: OWNERSHIP_TAGS.clusterId, Value: clusterId },
];

/** A complete stack of the cluster, as an earlier create left it: named and tagged as its own. */
export function ownedStack(aws: FakeAws, clusterId: string, parameters: Record<string, string> = {}) {
  return aws.addCompleteStack(stackOf(clusterId), parameters, ownershipTags(clusterId));
}

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
  return executionName({ team: TEAM, clusterId }, operation, new Date(aws.clock.now() + offsetMs));
}

/** The record as the API leaves it when it starts `operation` (status and owning execution set). */
export function seed(aws: FakeAws, clusterId: string, changes: Partial<ClusterRecord> = {}): ClusterRecord {
  const now = new Date(aws.clock.now()).toISOString();
  const record: ClusterRecord = {
    clusterId,
    team: TEAM,
    owner: 'ada',
    deploymentType: 'simple',
    status: 'CREATING',
    parameters: PARAMETERS,
    outputs: {},
    secretName: secretName({ team: TEAM, clusterId }, 1, new Date(aws.clock.now())),
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

export function createInput(
  record: ClusterRecord,
  timing: Partial<WorkflowTiming> = {},
  options: { previousStackId?: string } = {},
): CreateInput {
  return createWorkflowInput(record, {
    stackName: stackOf(record.clusterId),
    template: { Resources: { MasterInstance: { Type: 'AWS::EC2::Instance' } } },
    inputs: { secretName: record.secretName ?? '' },
    timing: { ...PRODUCTION_TIMING, ...timing },
    ...options,
  });
}

export function updateInput(
  record: ClusterRecord,
  after: ClusterParameters,
  timing: Partial<WorkflowTiming> = {},
): UpdateInput {
  return {
    team: record.team,
    clusterId: record.clusterId,
    stack: { id: record.stackId ?? '', parameters: updateParameters(record.parameters, after).parameters },
    timing: { ...PRODUCTION_TIMING, ...timing },
  };
}

/** The upgrade's input as core/operations/upgrade-cluster.ts builds it: the version alone changes. */
export function upgradeInput(
  record: ClusterRecord,
  to: string,
  options: { drainSeconds?: number; timing?: Partial<WorkflowTiming>; now: Date },
): UpgradeInput {
  const after = { ...record.parameters, determinedVersion: to };
  return {
    team: record.team,
    clusterId: record.clusterId,
    parameters: {
      upgrade: updateParameters(record.parameters, after).parameters,
      rollback: updateParameters(after, record.parameters).parameters,
    },
    versions: { from: record.parameters.determinedVersion, to },
    snapshot: upgradeSnapshotName(record, to, options.now),
    drainSeconds: options.drainSeconds ?? 1800,
    timing: { ...PRODUCTION_TIMING, ...options.timing },
  };
}

export function deleteInput(
  clusterId: string,
  options: { purge?: boolean; recordTtl?: string } = {},
  timing: Partial<WorkflowTiming> = {},
): DeleteInput {
  return {
    team: TEAM,
    clusterId,
    purge: options.purge ?? false,
    recordTtl: options.recordTtl ?? '1790000000',
    timing: { ...PRODUCTION_TIMING, ...timing },
  };
}

/** Stop and start find everything through the record: team, id and timing are their whole input. */
export function parkInput(clusterId: string, timing: Partial<WorkflowTiming> = {}): StopInput & StartInput {
  return { team: TEAM, clusterId, timing: { ...PRODUCTION_TIMING, ...timing } };
}

/** The stack's parameters as the create sends them, for stacks made outside a create. */
export function stackParameters(record: ClusterRecord): Record<string, string> {
  return toStackParameters(record.parameters, { secretName: record.secretName ?? '' });
}
