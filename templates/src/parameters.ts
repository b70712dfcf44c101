/**
 * Template parameters: exactly the keys of core/cluster/stack-parameters.ts, one per request field.
 * Every value is sent on create, so updates can send UsePreviousValue for what did not change.
 */
import { MASTER_BOOT_TIMEOUT_SECONDS, type ParameterKey } from '../../core/cluster/stack-parameters.ts';
import { AGENT_INSTANCE_TYPES } from '../../core/cluster/instance-types.ts';
import { CREATE_DEFAULTS } from '../../core/cluster/request.ts';
import { equals, not, type Fragment, type Parameter } from './cfn.ts';

const DURATION_PATTERN = '^(\\d+h)?(\\d+m)?(\\d+s)?$';

const declarations: Record<ParameterKey, Parameter> = {
  Keypair: {
    Type: 'AWS::EC2::KeyPair::KeyName',
    Description: 'EC2 key pair for the master and the agents (--keypair)',
  },
  MasterInstanceType: {
    Type: 'String',
    Description: 'Instance type of the master (--master-instance-type)',
    Default: CREATE_DEFAULTS.masterInstanceType,
    AllowedPattern: '^[a-z][a-z0-9-]*\\.[a-z0-9]+$',
  },
  CpuAgentInstanceType: {
    Type: 'String',
    Description: 'Instance type of the CPU pool agents (--cpu-agent-instance-type)',
    Default: CREATE_DEFAULTS.cpuAgentInstanceType,
    AllowedValues: [...AGENT_INSTANCE_TYPES],
  },
  GpuAgentInstanceType: {
    Type: 'String',
    Description: 'Instance type of the GPU pool agents (--gpu-agent-instance-type)',
    Default: CREATE_DEFAULTS.gpuAgentInstanceType,
    AllowedValues: [...AGENT_INSTANCE_TYPES],
  },
  InboundCidr: {
    Type: 'String',
    Description: 'CIDR block allowed to reach the web UI (8080) and SSH (--inbound-cidr)',
    Default: CREATE_DEFAULTS.inboundCidr,
    AllowedPattern: '^(\\d{1,3}\\.){3}\\d{1,3}/\\d{1,2}$',
  },
  ClusterSecretName: {
    Type: 'String',
    Description: 'Secrets Manager secret with the database and initial admin passwords (from --db-password)',
    NoEcho: true,
    MaxLength: 256,
  },
  MaxCpuContainersPerAgent: {
    Type: 'Number',
    Description: 'Containers per CPU pool agent (--max-cpu-containers-per-agent)',
    Default: CREATE_DEFAULTS.maxCpuContainersPerAgent,
    MinValue: 1,
    MaxValue: 1000,
  },
  MaxIdleAgentPeriod: {
    Type: 'String',
    Description: 'How long an idle agent lives before the master terminates it (--max-idle-agent-period)',
    Default: CREATE_DEFAULTS.maxIdleAgentPeriod,
    AllowedPattern: DURATION_PATTERN,
  },
  MaxDynamicAgents: {
    Type: 'Number',
    Description: 'Most agents per pool at one time (--max-dynamic-agents)',
    Default: CREATE_DEFAULTS.maxDynamicAgents,
    MinValue: 0,
    MaxValue: 1000,
  },
  SpotEnabled: {
    Type: 'String',
    Description: 'Use spot instances for agents (--spot)',
    Default: 'false',
    AllowedValues: ['true', 'false'],
  },
  SpotMaxPrice: {
    Type: 'String',
    Description: 'Highest spot price; empty means the on-demand price (--spot-max-price)',
    Default: '',
    AllowedPattern: '^(\\d+(\\.\\d+)?)?$',
  },
  DeterminedVersion: {
    Type: 'String',
    Description: 'Determined release of the master and agent images',
    Default: CREATE_DEFAULTS.determinedVersion,
    AllowedPattern: '^\\d+\\.\\d+\\.\\d+$',
  },
  AgentAmi: {
    Type: 'AWS::EC2::Image::Id',
    Description:
      "The agents' image: the Determined release's, in this region (core/cluster/determined-versions.json)",
  },
  AgentTags: {
    Type: 'String',
    Description: 'Extra tags for dynamic agents, as JSON [{"key":..,"value":..}]',
    Default: '[]',
  },
  ExistingCheckpointBucket: {
    Type: 'String',
    Description: 'Restore: use this retained checkpoint bucket instead of creating one',
    Default: '',
  },
  DbSnapshotIdentifier: {
    Type: 'String',
    Description: 'Restore: create the database from this snapshot',
    Default: '',
  },
  MasterBootTimeoutSeconds: {
    Type: 'Number',
    Description: 'How long the stack waits for the master to answer (GET /info) before it fails',
    Default: MASTER_BOOT_TIMEOUT_SECONDS,
    MinValue: 300,
    MaxValue: 3600,
  },
};

export const parameters: Fragment = {
  Parameters: declarations,
  Conditions: {
    SpotEnabled: equals({ Ref: 'SpotEnabled' }, 'true'),
    CreateCheckpointBucket: equals({ Ref: 'ExistingCheckpointBucket' }, ''),
    RestoreDatabase: not(equals({ Ref: 'DbSnapshotIdentifier' }, '')),
    // Determined refuses max_instances: 0; without dynamic agents the pools get no provisioner.
    HasDynamicAgents: not(equals({ Ref: 'MaxDynamicAgents' }, '0')),
  },
};
