/**
 * The one place where a cluster's parameters become CloudFormation template parameters.
 * Every template declares exactly these keys (templates/src/parameters.ts reads this table).
 */
import type { ClusterParameters } from './model.ts';

export interface StackInputs {
  /** Secrets Manager name of the cluster secret; the stack reads the DB password from it. */
  secretName: string;
  /** When restoring: the torn-down cluster's retained bucket and final DB snapshot. */
  restore?: { checkpointBucket: string; dbSnapshot: string };
}

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
  AgentTags: (p) => JSON.stringify(Object.entries(p.tags).map(([key, value]) => ({ key, value }))),
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
      return { ParameterKey: key, ParameterValue: render(after) };
    }
    return { ParameterKey: key, UsePreviousValue: true };
  });
  return { parameters: list, changed };
}
