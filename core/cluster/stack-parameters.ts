/**
 * The one place where a cluster's parameters become CloudFormation template parameters.
 * Every template declares exactly these keys (templates/src/parameters.ts reads this table).
 */
import type { ClusterParameters } from './model.ts';
import { agentAmi } from './determined-versions.ts';
import { OWNERSHIP_TAGS, type ClusterRef } from './naming.ts';

export interface StackInputs {
  /** Secrets Manager name of the cluster secret; the stack reads the DB password from it. */
  secretName: string;
  /** When restoring: the torn-down cluster's retained bucket and final DB snapshot. */
  restore?: { checkpointBucket: string; dbSnapshot: string };
  /** Whose cluster it is: its agents carry the team and cluster-id cost-allocation tags. */
  owner?: ClusterRef;
}

/**
 * The agents' tags: the user's, and the cost-allocation tags the stack carries (team, cluster-id),
 * which CloudFormation cannot copy to instances the master launches itself. At most
 * COST_TAG_BYTES of the parameter's 4,096 bytes (core/cluster/request.ts leaves them free).
 */
export function agentTags(parameters: ClusterParameters, owner?: ClusterRef): string {
  const tags = {
    ...parameters.tags,
    ...(owner ? { [OWNERSHIP_TAGS.team]: owner.team, [OWNERSHIP_TAGS.clusterId]: owner.clusterId } : {}),
  };
  return JSON.stringify(Object.entries(tags).map(([key, value]) => ({ key, value })));
}
export const COST_TAG_BYTES = 256;

type Render = (parameters: ClusterParameters) => string;

/** Template parameter name -> how its value is rendered from the cluster's parameters. */
export const PARAMETER_SOURCES = {
  Keypair: (p) => p.keypair,
  MasterInstanceType: (p) => p.masterInstanceType,
  CpuAgentInstanceType: (p) => p.cpuAgentInstanceType,
  GpuAgentInstanceType: (p) => p.gpuAgentInstanceType,
  InboundCidr: (p) => p.inboundCidr,
  MaxCpuContainersPerAgent: (p) => String(p.maxCpuContainersPerAgent),
  MaxIdleAgentPeriod: (p) => p.maxIdleAgentPeriod,
  MaxDynamicAgents: (p) => String(p.maxDynamicAgents),
  SpotEnabled: (p) => String(p.spot),
  SpotMaxPrice: (p) => p.spotMaxPrice ?? '',
  DeterminedVersion: (p) => p.determinedVersion,
  // The agents' image belongs to the release (core/cluster/determined-versions.json), so an upgrade changes it too.
  AgentAmi: (p) => agentAmi(p.determinedVersion, p.region),
  AgentTags: (p) => agentTags(p),
} satisfies Record<string, Render>;

export type ParameterKey =
  | keyof typeof PARAMETER_SOURCES
  | 'ClusterSecretName'
  | 'ExistingCheckpointBucket'
  | 'DbSnapshotIdentifier'
  | 'MasterBootTimeoutSeconds';

/** How long a stack waits for its master to answer: det-deploy's stack wait (about 20 min). */
export const MASTER_BOOT_TIMEOUT_SECONDS = 1200;

/** Every template parameter with its value. All are sent explicitly, so updates can reuse them. */
export function toStackParameters(
  parameters: ClusterParameters,
  inputs: StackInputs,
): Record<ParameterKey, string> {
  const rendered = Object.fromEntries(
    Object.entries(PARAMETER_SOURCES).map(([key, render]) => [key, render(parameters)]),
  ) as Record<keyof typeof PARAMETER_SOURCES, string>;
  return {
    ...rendered,
    AgentTags: agentTags(parameters, inputs.owner),
    ClusterSecretName: inputs.secretName,
    ExistingCheckpointBucket: inputs.restore?.checkpointBucket ?? '',
    DbSnapshotIdentifier: inputs.restore?.dbSnapshot ?? '',
    MasterBootTimeoutSeconds: String(MASTER_BOOT_TIMEOUT_SECONDS),
  };
}

export interface CfnParameter {
  ParameterKey: string;
  ParameterValue?: string;
  UsePreviousValue?: boolean;
}

export function asCfnParameters(values: Record<string, string>): CfnParameter[] {
  return Object.entries(values).map(([ParameterKey, ParameterValue]) => ({ ParameterKey, ParameterValue }));
}

/**
 * The UpdateStack parameter list: new values for what changed, UsePreviousValue for everything else
 * (det-deploy reverted omitted flags to template defaults; we keep the previous values).
 */
export function updateParameters(
  before: ClusterParameters,
  after: ClusterParameters,
  owner?: ClusterRef,
): { parameters: CfnParameter[]; changed: string[] } {
  const changed: string[] = [];
  const list = [
    ...Object.keys(PARAMETER_SOURCES),
    'ClusterSecretName',
    'ExistingCheckpointBucket',
    'DbSnapshotIdentifier',
    'MasterBootTimeoutSeconds',
  ].map((key): CfnParameter => {
    const render = (PARAMETER_SOURCES as Record<string, Render>)[key];
    if (render && render(before) !== render(after)) {
      changed.push(key);
      const value = key === 'AgentTags' ? agentTags(after, owner) : render(after);
      return { ParameterKey: key, ParameterValue: value };
    }
    return { ParameterKey: key, UsePreviousValue: true };
  });
  return { parameters: list, changed };
}
