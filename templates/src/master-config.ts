/**
 * master.yaml for the Determined master, as text inside the master's user data. ${...} are
 * CloudFormation substitutions (filled in when the stack is created or updated); the two quoted
 * @@...@@ placeholders are replaced on the instance at boot by JSON strings read from Secrets Manager,
 * so no password ever appears in the template, the stack or the user data, and the file parses as
 * YAML both before and after.
 */
import { AGENT_TAG_KEY } from '../../core/cluster/naming.ts';

export const DB_PASSWORD_PLACEHOLDER = '@@DB_PASSWORD@@';
export const ADMIN_PASSWORD_PLACEHOLDER = '@@ADMIN_PASSWORD@@';
export const MASTER_PORT = 8080;

export interface MasterConfigOptions {
  /** Agents get public addresses (false in secure, where they sit in a private subnet). */
  publicAgents: boolean;
  /** Substitution naming the agents' subnet, or undefined for the default VPC's default subnet. */
  agentSubnet?: string;
  sharedFs?: { hostPath: string; containerPath: string; mountScript: string };
}

function indent(text: string, spaces: number): string {
  const pad = ' '.repeat(spaces);
  return text
    .split('\n')
    .map((line) => (line.length > 0 ? pad + line : line))
    .join('\n');
}

/** Settings shared by both pools' AWS provisioner. */
function provider(options: MasterConfigOptions, pool: 'Cpu' | 'Gpu'): string {
  const lines = [
    'type: aws',
    'region: ${AWS::Region}',
    `instance_type: \${${pool}AgentInstanceType}`,
    `instance_slots: \${${pool}AgentSlots}`,
    'cpu_slots_allowed: true',
    'image_id: ${AgentAmi}',
    'agent_docker_image: determinedai/determined-agent:${DeterminedVersion}',
    `master_url: http://local-ipv4:${MASTER_PORT}`,
    'max_idle_agent_period: ${MaxIdleAgentPeriod}',
    'max_agent_starting_period: 20m',
    'min_instances: 0',
    'max_instances: ${MaxDynamicAgents}',
    'instance_name: determined-agent-${AWS::StackName}',
    'ssh_key_name: ${Keypair}',
    'iam_instance_profile_arn: ${AgentInstanceProfile.Arn}',
    'root_volume_size: 200',
    'log_group: ${LogGroup}',
    'log_stream: determined-agent',
    'network_interface:',
    `  public_ip: ${options.publicAgents}`,
    '  security_group_id: ${AgentSecurityGroup.GroupId}',
    ...(options.agentSubnet ? [`  subnet_id: \${${options.agentSubnet}}`] : []),
    `tag_key: ${AGENT_TAG_KEY}`,
    'tag_value: det-agent-${AWS::StackName}',
    'custom_tags: ${AgentTags}',
    'spot: ${SpotEnabled}',
    '${SpotMaxPriceSetting}',
    'startup_script: |',
    indent(agentStartupScript(options), 2),
  ];
  return lines.join('\n');
}

/**
 * Runs on every agent before it starts. The master launches on-demand agents with IMDSv2 required,
 * but a spot request cannot say so: each agent requires it on itself (its role may do that only to
 * instances with this cluster's agent tag, which the master adds to spot instances a few seconds
 * after launch, hence the retries). A failure there is logged, not fatal, so a slow tag cannot
 * keep the pool from starting; the shared file system mount is fatal.
 */
function agentStartupScript(options: MasterConfigOptions): string {
  return [
    'imds_v2() {',
    '  token=$(curl -sf -X PUT http://169.254.169.254/latest/api/token -H "X-aws-ec2-metadata-token-ttl-seconds: 300")',
    '  instance=$(curl -sf -H "X-aws-ec2-metadata-token: $token" http://169.254.169.254/latest/meta-data/instance-id)',
    '  docker run --rm --network host public.ecr.aws/aws-cli/aws-cli:latest ec2 modify-instance-metadata-options --region ${AWS::Region} --instance-id "$instance" --http-tokens required --http-put-response-hop-limit 2 --http-endpoint enabled',
    '}',
    'for attempt in 1 2 3 4 5 6 7 8 9 10; do imds_v2 && break; echo "IMDSv2 not required yet (attempt $attempt)" >&2; sleep 15; done',
    ...(options.sharedFs ? ['set -e', options.sharedFs.mountScript] : []),
  ].join('\n');
}

export function masterConfig(options: MasterConfigOptions): string {
  const sections = [
    `port: ${MASTER_PORT}`,
    'checkpoint_storage:',
    '  type: s3',
    '  bucket: ${CheckpointBucketName}',
    '  save_experiment_best: 0',
    '  save_trial_best: 1',
    '  save_trial_latest: 1',
    'db:',
    '  user: postgres',
    `  password: "${DB_PASSWORD_PLACEHOLDER}"`,
    '  host: ${DatabaseAddress}',
    '  port: 5432',
    '  name: determined',
    '  ssl_mode: require',
    'security:',
    `  initial_user_password: "${ADMIN_PASSWORD_PLACEHOLDER}"`,
    'resource_manager:',
    '  type: agent',
    '  default_aux_resource_pool: cpu-pool',
    '  default_compute_resource_pool: gpu-pool',
    'resource_pools:',
    '  - pool_name: cpu-pool',
    '    description: CPU agents (--cpu-agent-instance-type)',
    '    max_aux_containers_per_agent: ${MaxCpuContainersPerAgent}',
    '    provider:',
    indent(provider(options, 'Cpu'), 6),
    '  - pool_name: gpu-pool',
    '    description: GPU agents (--gpu-agent-instance-type)',
    '    max_aux_containers_per_agent: 0',
    '    provider:',
    indent(provider(options, 'Gpu'), 6),
  ];
  if (options.sharedFs) {
    sections.push(
      'task_container_defaults:',
      '  bind_mounts:',
      `    - host_path: ${options.sharedFs.hostPath}`,
      `      container_path: ${options.sharedFs.containerPath}`,
    );
  }
  return sections.join('\n');
}
