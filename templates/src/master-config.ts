/**
 * master.yaml for the Determined master, built as data: a tree whose deploy-time values are named
 * slots. The tree is serialized by code as JSON (a slot becomes the string `@@Name@@`), and the
 * master's boot (templates/src/master-boot.ts) fills each slot from a base64 value CloudFormation
 * resolved, typed by SLOTS, and the two passwords from the cluster's secret. No value is ever read as
 * YAML or shell text, so a key pair name or a tag can hold any character; the boot writes the result
 * as YAML (docs/adr/0024-ready-when-determined-answers.md).
 * Keys and their rules follow Determined 0.38's config (core/determined/master-config-rules.ts checks them).
 */
import { AGENT_TAG_KEY } from '../../core/cluster/naming.ts';

export const MASTER_PORT = 8080;

export type SlotKind = 'string' | 'int' | 'bool' | 'json' | 'secret';

/**
 * Every value the master's boot fills in: its kind, and for optional ones, that an empty value drops
 * the key. A `secret` slot is read from the cluster's secret (its JSON key), never from the user data.
 */
export const SLOTS = {
  CheckpointBucket: { kind: 'string' },
  DatabaseAddress: { kind: 'string' },
  DbPassword: { kind: 'secret', key: 'dbPassword' },
  AdminPassword: { kind: 'secret', key: 'adminPassword' },
  Region: { kind: 'string' },
  MaxCpuContainersPerAgent: { kind: 'int' },
  CpuAgentInstanceType: { kind: 'string' },
  GpuAgentInstanceType: { kind: 'string' },
  CpuAgentSlots: { kind: 'int' },
  GpuAgentSlots: { kind: 'int' },
  AgentAmi: { kind: 'string' },
  AgentDockerImage: { kind: 'string' },
  MaxIdleAgentPeriod: { kind: 'string' },
  MaxDynamicAgents: { kind: 'int' },
  AgentInstanceName: { kind: 'string' },
  Keypair: { kind: 'string' },
  AgentInstanceProfileArn: { kind: 'string' },
  LogGroup: { kind: 'string' },
  AgentSecurityGroup: { kind: 'string' },
  AgentSubnet: { kind: 'string', optional: true },
  AgentTagValue: { kind: 'string' },
  AgentTags: { kind: 'json' },
  SpotEnabled: { kind: 'bool' },
  SpotMaxPrice: { kind: 'string', optional: true },
  AgentStartupScript: { kind: 'string' },
} as const satisfies Record<string, { kind: SlotKind; optional?: boolean; key?: string }>;

export type SlotName = keyof typeof SLOTS;

export interface Slot {
  readonly slot: SlotName;
}

export type ConfigNode = string | number | boolean | Slot | ConfigNode[] | { [key: string]: ConfigNode };

const slot = (name: SlotName): Slot => ({ slot: name });

export interface MasterConfigOptions {
  /** Agents get public addresses (false in secure, where they sit in a private subnet). */
  publicAgents: boolean;
  /** The agents have a subnet of the stack (every type but simple, which uses the default VPC's). */
  agentSubnet: boolean;
  sharedFs?: { hostPath: string; containerPath: string };
}

/**
 * The AWS provisioner of a pool (Determined's provconfig.Config with its aws union member). The
 * compute (GPU) pool alone may schedule on CPU slots, as in det-deploy's master.yaml.tmpl.
 */
function provider(options: MasterConfigOptions, pool: 'Cpu' | 'Gpu'): ConfigNode {
  return {
    type: 'aws',
    region: slot('Region'),
    instance_type: slot(`${pool}AgentInstanceType`),
    instance_slots: slot(`${pool}AgentSlots`),
    ...(pool === 'Gpu' ? { cpu_slots_allowed: true } : {}),
    image_id: slot('AgentAmi'),
    agent_docker_image: slot('AgentDockerImage'),
    master_url: `http://local-ipv4:${MASTER_PORT}`,
    max_idle_agent_period: slot('MaxIdleAgentPeriod'),
    max_agent_starting_period: '20m',
    min_instances: 0,
    max_instances: slot('MaxDynamicAgents'),
    instance_name: slot('AgentInstanceName'),
    ssh_key_name: slot('Keypair'),
    iam_instance_profile_arn: slot('AgentInstanceProfileArn'),
    root_volume_size: 200,
    log_group: slot('LogGroup'),
    log_stream: 'determined-agent',
    network_interface: {
      public_ip: options.publicAgents,
      security_group_id: slot('AgentSecurityGroup'),
      ...(options.agentSubnet ? { subnet_id: slot('AgentSubnet') } : {}),
    },
    tag_key: AGENT_TAG_KEY,
    tag_value: slot('AgentTagValue'),
    custom_tags: slot('AgentTags'),
    spot: slot('SpotEnabled'),
    spot_max_price: slot('SpotMaxPrice'),
    startup_script: slot('AgentStartupScript'),
  };
}

/**
 * The master's configuration. Without dynamic agents (maxDynamicAgents 0) the pools have no
 * provisioner: Determined refuses `max_instances: 0` ("max instance must be greater than 0",
 * master/internal/config/provconfig/config.go), and a pool without one launches nothing.
 */
export function masterConfig(options: MasterConfigOptions, dynamicAgents: boolean): ConfigNode {
  const pool = (name: string, description: string, containers: ConfigNode, kind: 'Cpu' | 'Gpu') => ({
    pool_name: name,
    description,
    max_aux_containers_per_agent: containers,
    ...(dynamicAgents ? { provider: provider(options, kind) } : {}),
  });
  return {
    port: MASTER_PORT,
    checkpoint_storage: {
      type: 's3',
      bucket: slot('CheckpointBucket'),
      save_experiment_best: 0,
      save_trial_best: 1,
      save_trial_latest: 1,
    },
    db: {
      user: 'postgres',
      password: slot('DbPassword'),
      host: slot('DatabaseAddress'),
      port: 5432,
      name: 'determined',
      ssl_mode: 'require',
    },
    security: { initial_user_password: slot('AdminPassword') },
    resource_manager: {
      type: 'agent',
      default_aux_resource_pool: 'cpu-pool',
      default_compute_resource_pool: 'gpu-pool',
    },
    resource_pools: [
      pool('cpu-pool', 'CPU agents (--cpu-agent-instance-type)', slot('MaxCpuContainersPerAgent'), 'Cpu'),
      pool('gpu-pool', 'GPU agents (--gpu-agent-instance-type)', 0, 'Gpu'),
    ],
    ...(options.sharedFs
      ? {
          task_container_defaults: {
            bind_mounts: [
              { host_path: options.sharedFs.hostPath, container_path: options.sharedFs.containerPath },
            ],
          },
        }
      : {}),
  };
}

export const slotMarker = (name: SlotName): string => `@@${name}@@`;

function withMarkers(node: ConfigNode): unknown {
  if (Array.isArray(node)) return node.map(withMarkers);
  if (node !== null && typeof node === 'object') {
    if ('slot' in node && typeof node.slot === 'string') return slotMarker(node.slot as SlotName);
    return Object.fromEntries(
      Object.entries(node).map(([key, value]) => [key, withMarkers(value as ConfigNode)]),
    );
  }
  return node;
}

/** The slots a configuration uses. */
export function slotsOf(node: ConfigNode): SlotName[] {
  if (Array.isArray(node)) return [...new Set(node.flatMap(slotsOf))];
  if (node !== null && typeof node === 'object') {
    if ('slot' in node && typeof node.slot === 'string') return [node.slot as SlotName];
    return [...new Set(Object.values(node).flatMap((value) => slotsOf(value as ConfigNode)))];
  }
  return [];
}

/** The configuration with a `@@Name@@` string for each slot, as JSON: what the boot starts from. */
export function masterConfigSkeleton(node: ConfigNode): string {
  return JSON.stringify(withMarkers(node));
}
