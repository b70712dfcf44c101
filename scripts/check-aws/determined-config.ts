/**
 * Determined 0.38.1's rules for the master.yaml keys this project writes, as a small validator.
 * Each rule names the Determined source it comes from (determined-ai/determined at c1e9c6d7b8,
 * release 0.38.1). A master that breaks one of these refuses to start, which on AWS means a stack
 * that waits for a signal that never comes.
 */
type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any -- parsed YAML

const SOURCE = {
  strict: 'master/cmd/determined-master/root.go getConfig: yaml.Unmarshal(..., yaml.DisallowUnknownFields)',
  config: 'master/internal/config/config.go (Config, DBConfig, SecurityConfig)',
  db: 'master/internal/db/setup.go Connect: postgres://user:password@host:port/name, password not escaped',
  resources: 'master/internal/config/resource_config.go Validate (pools present, names unique)',
  rm: 'master/internal/config/resource_manager_config.go AgentResourceManagerConfig',
  pool: 'master/internal/config/resource_pool_config.go ResourcePoolConfig.Validate',
  provisioner: 'master/internal/config/provconfig/config.go Config.Validate',
  aws: 'master/internal/config/provconfig/aws_config.go AWSClusterConfig.Validate',
  checkpoints: 'master/pkg/schemas/expconf (S3 checkpoint storage: bucket required)',
  bindMounts: 'master/pkg/model (BindMount: host_path, container_path)',
} as const;

/** Keys each object may hold (json tags of the Go structs); anything else is refused. */
const KNOWN_KEYS: Record<string, string[]> = {
  root: [
    'config_file',
    'log',
    'db',
    'tensorboard_timeout',
    'notebook_timeout',
    'security',
    'checkpoint_storage',
    'task_container_defaults',
    'port',
    'root',
    'telemetry',
    'enable_cors',
    'launch_error',
    'cluster_name',
    'ui_customization',
    'logging',
    'retention_policy',
    'observability',
    'cache',
    'webhooks',
    'feature_switches',
    'reserved_ports',
    '__internal',
    'scim',
    'saml',
    'oidc',
    'det_cloud',
    'integrations',
    'resource_manager',
    'resource_pools',
    'additional_resource_managers',
  ],
  db: [
    'user',
    'password',
    'migrations',
    'views_and_triggers',
    'host',
    'port',
    'name',
    'ssl_mode',
    'ssl_root_cert',
  ],
  security: ['default_task', 'tls', 'ssh', 'authz', 'token', 'initial_user_password'],
  checkpoint_storage: [
    'type',
    'bucket',
    'access_key',
    'secret_key',
    'endpoint_url',
    'prefix',
    'save_experiment_best',
    'save_trial_best',
    'save_trial_latest',
  ],
  resource_manager: [
    'type',
    'cluster_name',
    'scheduler',
    'default_aux_resource_pool',
    'default_compute_resource_pool',
    'no_default_resource_pools',
    'default_cpu_resource_pool',
    'default_gpu_resource_pool',
    'require_authentication',
    'client_ca',
    'name',
    'metadata',
  ],
  pool: [
    'pool_name',
    'description',
    'provider',
    'scheduler',
    'max_aux_containers_per_agent',
    'task_container_defaults',
    'agent_reattach_enabled',
    'agent_reconnect_wait',
    'max_cpu_containers_per_agent',
  ],
  provider: [
    'type',
    'master_url',
    'master_cert_name',
    'startup_script',
    'container_startup_script',
    'agent_docker_network',
    'agent_docker_runtime',
    'agent_docker_image',
    'agent_fluent_image',
    'agent_reconnect_attempts',
    'agent_reconnect_backoff',
    'agent_config_file_contents',
    'max_idle_agent_period',
    'max_agent_starting_period',
    'min_instances',
    'max_instances',
    'launch_error_timeout',
    'launch_error_retries',
    // AWSClusterConfig, the `type: aws` member of the union
    'region',
    'root_volume_size',
    'image_id',
    'tag_key',
    'tag_value',
    'instance_name',
    'ssh_key_name',
    'network_interface',
    'iam_instance_profile_arn',
    'instance_type',
    'instance_slots',
    'log_group',
    'log_stream',
    'spot',
    'spot_max_price',
    'custom_tags',
    'cpu_slots_allowed',
  ],
  network_interface: ['public_ip', 'subnet_id', 'security_group_id'],
  custom_tag: ['key', 'value'],
  task_container_defaults: [
    'bind_mounts',
    'image',
    'shm_size_bytes',
    'network_mode',
    'cpu_pod_spec',
    'gpu_pod_spec',
  ],
  bind_mount: ['host_path', 'container_path', 'read_only', 'propagation'],
};

/** Go's time.ParseDuration, which model.Duration uses. */
const GO_DURATION = /^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$/;
/** net/url's validUserinfo, less '%' (an escape) and '@' (RDS refuses it). */
const URL_SAFE_PASSWORD = /^[A-Za-z0-9\-._~!$&'()*+,;=:]+$/;

export interface ConfigProblem {
  path: string;
  message: string;
  source: string;
}

export function determinedConfigProblems(config: Json): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const fail = (path: string, message: string, source: string) => problems.push({ path, message, source });
  const isObject = (value: Json) => value !== null && typeof value === 'object' && !Array.isArray(value);
  const known = (value: Json, kind: string, path: string) => {
    if (!isObject(value)) {
      fail(path, 'must be a mapping', SOURCE.strict);
      return;
    }
    for (const key of Object.keys(value)) {
      if (!KNOWN_KEYS[kind]?.includes(key))
        fail(`${path}.${key}`, 'is not a key Determined knows', SOURCE.strict);
    }
  };
  const int = (value: Json) => Number.isInteger(value);
  const nonEmpty = (value: Json) => typeof value === 'string' && value.length > 0;

  known(config, 'root', '');
  if (!isObject(config)) return problems;
  if (config.port !== undefined && !(int(config.port) && config.port > 0 && config.port < 65536))
    fail('.port', 'must be a port number', SOURCE.config);

  const db = config.db;
  known(db, 'db', '.db');
  for (const key of ['user', 'password', 'host', 'name'])
    if (!nonEmpty(db?.[key])) fail(`.db.${key}`, 'must be a non-empty string', SOURCE.config);
  if (!(int(db?.port) || /^\d+$/.test(String(db?.port))))
    fail('.db.port', 'must be a port number', SOURCE.config);
  if (nonEmpty(db?.password) && !URL_SAFE_PASSWORD.test(db.password))
    fail('.db.password', 'holds a character that breaks the connection URL', SOURCE.db);

  const storage = config.checkpoint_storage;
  known(storage, 'checkpoint_storage', '.checkpoint_storage');
  if (storage?.type !== 's3') fail('.checkpoint_storage.type', 'must be s3 here', SOURCE.checkpoints);
  if (!nonEmpty(storage?.bucket)) fail('.checkpoint_storage.bucket', 'is required', SOURCE.checkpoints);
  for (const key of ['save_experiment_best', 'save_trial_best', 'save_trial_latest'])
    if (storage?.[key] !== undefined && !(int(storage[key]) && storage[key] >= 0))
      fail(`.checkpoint_storage.${key}`, 'must be a whole number >= 0', SOURCE.checkpoints);

  known(config.security, 'security', '.security');
  if (!nonEmpty(config.security?.initial_user_password))
    fail('.security.initial_user_password', 'must be set for a new cluster', SOURCE.config);

  const manager = config.resource_manager;
  known(manager, 'resource_manager', '.resource_manager');
  if (manager?.type !== 'agent') fail('.resource_manager.type', 'must be agent', SOURCE.rm);

  const pools: Json[] = Array.isArray(config.resource_pools) ? config.resource_pools : [];
  if (pools.length === 0) fail('.resource_pools', 'must list at least one pool', SOURCE.resources);
  const names = pools.map((pool) => pool?.pool_name);
  for (const key of ['default_aux_resource_pool', 'default_compute_resource_pool']) {
    if (!nonEmpty(manager?.[key])) fail(`.resource_manager.${key}`, 'should be non-empty', SOURCE.rm);
    else if (!names.includes(manager[key]))
      fail(`.resource_manager.${key}`, `names no pool (${names.join(', ')})`, SOURCE.resources);
  }
  if (new Set(names).size !== names.length)
    fail('.resource_pools', 'has a duplicate pool name', SOURCE.resources);
  pools.forEach((pool, index) => {
    const at = `.resource_pools[${index}]`;
    known(pool, 'pool', at);
    if (!nonEmpty(pool?.pool_name)) fail(`${at}.pool_name`, 'cannot be empty', SOURCE.pool);
    if (
      pool?.max_aux_containers_per_agent !== undefined &&
      !(int(pool.max_aux_containers_per_agent) && pool.max_aux_containers_per_agent >= 0)
    )
      fail(`${at}.max_aux_containers_per_agent`, 'should be >= 0', SOURCE.pool);
    if (pool?.provider !== undefined) providerProblems(pool.provider, `${at}.provider`, fail, known);
  });

  const defaults = config.task_container_defaults;
  if (defaults !== undefined) {
    known(defaults, 'task_container_defaults', '.task_container_defaults');
    (defaults?.bind_mounts ?? []).forEach((mount: Json, index: number) => {
      const at = `.task_container_defaults.bind_mounts[${index}]`;
      known(mount, 'bind_mount', at);
      for (const key of ['host_path', 'container_path'])
        if (!(nonEmpty(mount?.[key]) && mount[key].startsWith('/')))
          fail(`${at}.${key}`, 'must be an absolute path', SOURCE.bindMounts);
    });
  }
  return problems;
}

function providerProblems(
  provider: Json,
  at: string,
  fail: (path: string, message: string, source: string) => void,
  known: (value: Json, kind: string, path: string) => void,
): void {
  known(provider, 'provider', at);
  if (provider?.type !== 'aws') fail(`${at}.type`, 'must be aws here', SOURCE.provisioner);
  let url: URL | undefined;
  try {
    url = new URL(String(provider?.master_url));
  } catch {
    fail(`${at}.master_url`, 'cannot parse master url', SOURCE.provisioner);
  }
  if (url && !['http:', 'https:'].includes(url.protocol))
    fail(`${at}.master_url`, 'master url scheme must be within [http, https]', SOURCE.provisioner);
  if (url && url.pathname !== '/' && url.pathname !== '')
    fail(`${at}.master_url`, 'invalid master url (expecting scheme://host:port)', SOURCE.provisioner);
  if (!(typeof provider?.agent_docker_image === 'string' && provider.agent_docker_image))
    fail(`${at}.agent_docker_image`, 'must configure an agent docker image', SOURCE.provisioner);
  for (const key of ['max_idle_agent_period', 'max_agent_starting_period']) {
    const value = provider?.[key];
    if (
      value !== undefined &&
      !(typeof value === 'string' && GO_DURATION.test(value) && !/^0+[a-zµ]*$/.test(value))
    )
      fail(`${at}.${key}`, 'must be a duration greater than 0', SOURCE.provisioner);
  }
  const min = provider?.min_instances ?? 0;
  const max = provider?.max_instances ?? 5;
  if (!(Number.isInteger(min) && min >= 0))
    fail(`${at}.min_instances`, 'must be greater than or equal to 0', SOURCE.provisioner);
  if (!(Number.isInteger(max) && max > 0))
    fail(`${at}.max_instances`, 'max instance must be greater than 0', SOURCE.provisioner);
  if (Number.isInteger(min) && Number.isInteger(max) && max < min)
    fail(
      `${at}.max_instances`,
      'max instance must be greater than or equal to min instance',
      SOURCE.provisioner,
    );
  if (!(typeof provider?.ssh_key_name === 'string' && provider.ssh_key_name.length > 0))
    fail(`${at}.ssh_key_name`, 'ec2 key name must be non-empty', SOURCE.aws);
  const volume = provider?.root_volume_size ?? 200;
  if (!(Number.isInteger(volume) && volume >= 100))
    fail(`${at}.root_volume_size`, 'ec2 root volume size must be >= 100', SOURCE.aws);
  if (
    provider?.instance_slots !== undefined &&
    !(Number.isInteger(provider.instance_slots) && provider.instance_slots >= 0)
  )
    fail(`${at}.instance_slots`, "ec2 'instance_slots' must be greater than or equal to 0", SOURCE.aws);
  if (
    provider?.spot === true &&
    provider.spot_max_price !== undefined &&
    !/^\d+(\.\d+)?$/.test(String(provider.spot_max_price))
  )
    fail(`${at}.spot_max_price`, 'must be a number', SOURCE.aws);
  for (const key of ['spot', 'cpu_slots_allowed'])
    if (provider?.[key] !== undefined && typeof provider[key] !== 'boolean')
      fail(`${at}.${key}`, 'must be true or false', SOURCE.aws);
  if (provider?.network_interface !== undefined) {
    known(provider.network_interface, 'network_interface', `${at}.network_interface`);
    if (typeof provider.network_interface?.public_ip !== 'boolean')
      fail(`${at}.network_interface.public_ip`, 'must be true or false', SOURCE.aws);
  }
  if (provider?.custom_tags !== undefined) {
    if (!Array.isArray(provider.custom_tags)) fail(`${at}.custom_tags`, 'must be a list', SOURCE.aws);
    else
      provider.custom_tags.forEach((tag: Json, index: number) => {
        known(tag, 'custom_tag', `${at}.custom_tags[${index}]`);
        if (typeof tag?.key !== 'string' || typeof tag?.value !== 'string')
          fail(`${at}.custom_tags[${index}]`, 'needs a key and a value', SOURCE.aws);
      });
  }
}
