/**
 * The master's user data, as CloudFormation would render it for a request: a boot script that
 * installs Docker, creates the determined network, writes a master.yaml that parses and holds the
 * request's values, and runs determined-master at the requested version, on every boot.
 */
import { execFileSync } from 'node:child_process';
import type { ClusterParameters } from '../../../core/cluster/model.ts';
import { agentTag } from '../../../core/cluster/naming.ts';
import { AGENT_SLOTS } from '../../../core/cluster/instance-types.ts';
import { CREATE_DEFAULTS, DEPLOYMENT_TYPES, type DeploymentType } from '../../../core/cluster/request.ts';
import { toStackParameters, type StackInputs } from '../../../core/cluster/stack-parameters.ts';
import { renderTemplate } from '../../../templates/src/index.ts';
import { REGION_AMIS } from '../../../templates/src/mappings.ts';
import {
  masterYamlText,
  parseMasterYaml,
  renderedUserData,
  sampleOf,
  userDataScript,
  userDataSource,
} from '../../support/templates.ts';

const STACK = 'Team-Vision-7';
const SECRET = { dbPassword: 'p@ss "word" #1: {x}', adminPassword: "it's - [admin]" };

const request: ClusterParameters = {
  ...CREATE_DEFAULTS,
  keypair: 'team-key',
  region: 'eu-west-1',
  idleTimeout: '1h',
  masterInstanceType: 'm6i.xlarge',
  cpuAgentInstanceType: 'm5.2xlarge',
  gpuAgentInstanceType: 'g5.12xlarge',
  inboundCidr: '198.51.100.0/24',
  maxCpuContainersPerAgent: 17,
  maxIdleAgentPeriod: '7m30s',
  maxDynamicAgents: 11,
  spot: true,
  spotMaxPrice: '0.95',
  determinedVersion: '0.37.2',
  tags: { project: 'vision', owner: 'ml "team"' },
};

function userDataFor(type: DeploymentType, parameters: ClusterParameters, inputs: Partial<StackInputs> = {}) {
  const values = toStackParameters(parameters, { secretName: 'det-control-plane/clusters/x/1', ...inputs });
  return renderedUserData(renderTemplate(type), {
    parameters: values,
    pseudo: {
      'AWS::Region': parameters.region,
      'AWS::StackName': STACK,
      'AWS::AccountId': '123456789012',
      'AWS::Partition': 'aws',
    },
  });
}

type Parsed = any; // eslint-disable-line @typescript-eslint/no-explicit-any -- parsed YAML

const poolsOf = (config: Parsed): Record<string, Parsed> =>
  Object.fromEntries(config.resource_pools.map((pool: Parsed) => [pool.pool_name, pool]));

describe.each(DEPLOYMENT_TYPES)('master user data of %s', (type) => {
  const userData = userDataFor(type, request);
  const config = parseMasterYaml(masterYamlText(userData), SECRET);

  it('holds a master.yaml with checkpoint storage, database and security settings', () => {
    expect(config.port).toBe(8080);
    expect(config.checkpoint_storage).toMatchObject({ type: 's3', bucket: sampleOf('CheckpointBucket') });
    expect(config.db).toEqual({
      user: 'postgres',
      password: SECRET.dbPassword,
      host: sampleOf('Database', 'Endpoint.Address'),
      port: 5432,
      name: 'determined',
      ssl_mode: 'require',
    });
    expect(config.security).toEqual({ initial_user_password: SECRET.adminPassword });
  });

  it('has a CPU and a GPU pool, both provisioned by the master on AWS with the request values', () => {
    const pools = poolsOf(config);
    expect(Object.keys(pools).sort()).toEqual(['cpu-pool', 'gpu-pool']);
    expect(config.resource_manager).toMatchObject({
      type: 'agent',
      default_aux_resource_pool: 'cpu-pool',
      default_compute_resource_pool: 'gpu-pool',
    });
    expect(pools['cpu-pool'].max_aux_containers_per_agent).toBe(17);
    for (const [pool, instanceType] of [
      ['cpu-pool', 'm5.2xlarge'],
      ['gpu-pool', 'g5.12xlarge'],
    ] as const) {
      const provider = pools[pool].provider;
      expect(provider).toMatchObject({
        type: 'aws',
        region: 'eu-west-1',
        instance_type: instanceType,
        instance_slots: AGENT_SLOTS[instanceType],
        image_id: REGION_AMIS['eu-west-1']?.Agent,
        agent_docker_image: 'determinedai/determined-agent:0.37.2',
        master_url: 'http://local-ipv4:8080',
        max_idle_agent_period: '7m30s',
        max_instances: 11,
        ssh_key_name: 'team-key',
        iam_instance_profile_arn: sampleOf('AgentInstanceProfile', 'Arn'),
        spot: true,
        spot_max_price: '0.95',
        log_group: sampleOf('LogGroup'),
        custom_tags: [
          { key: 'project', value: 'vision' },
          { key: 'owner', value: 'ml "team"' },
        ],
      });
      // The seed's warning: the tag pair must be unique to this installation.
      const tag = agentTag(STACK);
      expect([provider.tag_key, provider.tag_value]).toEqual([tag.key, tag.value]);
      expect(provider.tag_value).toContain(STACK);
      expect(provider.network_interface.security_group_id).toBe(sampleOf('AgentSecurityGroup', 'GroupId'));
      expect(provider.network_interface.public_ip).toBe(type !== 'secure');
      const subnet = {
        simple: undefined,
        vpc: 'Subnet1',
        efs: 'Subnet1',
        fsx: 'Subnet1',
        secure: 'PrivateSubnet1',
      }[type];
      expect(provider.network_interface.subnet_id).toBe(subnet ? sampleOf(subnet) : undefined);
    }
  });

  it('bind-mounts the shared file system into tasks only in efs and fsx, and mounts it on the agents', () => {
    const host = { efs: '/mnt/efs', fsx: '/mnt/fsx' }[type as 'efs' | 'fsx'];
    const startup: string = poolsOf(config)['gpu-pool'].provider.startup_script;
    if (!host) {
      expect(config.task_container_defaults).toBeUndefined();
      expect(startup).not.toContain('mount ');
      return;
    }
    expect(config.task_container_defaults.bind_mounts).toEqual([
      { host_path: host, container_path: '/run/determined/workdir/shared_fs' },
    ]);
    expect(startup).toMatch(new RegExp(`^mount -t (nfs4|lustre) .* ${host}$`, 'm'));
    expect(startup).toContain(
      type === 'efs' ? sampleOf('EfsFileSystem') : sampleOf('FsxFileSystem', 'LustreMountName'),
    );
  });

  it('agents require IMDSv2 on themselves; the startup script is valid shell', () => {
    const startup: string = poolsOf(config)['cpu-pool'].provider.startup_script;
    expect(startup).toContain('modify-instance-metadata-options --region eu-west-1');
    expect(startup).toContain('--http-tokens required');
    execFileSync('bash', ['-n'], { input: startup });
  });

  it('installs Docker, creates the determined network and runs the requested master version, every boot', () => {
    expect(userData).toContain('cloud_final_modules:\n- [scripts-user, always]');
    const script = userDataScript(userData);
    execFileSync('bash', ['-n'], { input: script }); // throws on a syntax error
    expect(script).toContain('apt-get install -y docker-ce docker-ce-cli containerd.io');
    expect(script).toContain('docker network create determined');
    expect(script).toMatch(
      /docker run -d --name determined-master --network determined --restart unless-stopped/,
    );
    expect(script).toContain('-v $etc/master.yaml:/etc/determined/master.yaml:ro');
    expect(script).toMatch(/determinedai\/determined-master:0\.37\.2\n/);
    expect(script).toContain(`awslogs-group=${sampleOf('LogGroup')}`);
    // The passwords come from the cluster's secret at boot; none is in the user data.
    expect(script).toContain('--secret-id det-control-plane/clusters/x/1');
    expect(userData).not.toContain(SECRET.dbPassword);
  });

  it('leaves spot_max_price out without a price, and spot off when not asked', () => {
    const onDemand = parseMasterYaml(
      masterYamlText(
        userDataFor(type, { ...request, spot: false, spotMaxPrice: undefined } as ClusterParameters),
      ),
    );
    const provider = poolsOf(onDemand)['cpu-pool'].provider;
    expect(provider.spot).toBe(false);
    expect(provider).not.toHaveProperty('spot_max_price');
    const { spotMaxPrice: _price, ...spotWithoutPrice } = request;
    const spot = parseMasterYaml(masterYamlText(userDataFor(type, spotWithoutPrice)));
    expect(poolsOf(spot)['cpu-pool'].provider).not.toHaveProperty('spot_max_price');
  });

  it('a restored cluster checkpoints to the retained bucket of its predecessor', () => {
    const restored = parseMasterYaml(
      masterYamlText(
        userDataFor(type, request, {
          restore: { checkpointBucket: 'kept-bucket', dbSnapshot: 'final-snap' },
        }),
      ),
    );
    expect(restored.checkpoint_storage.bucket).toBe('kept-bucket');
  });
});

describe('the master.yaml source', () => {
  it.each(DEPLOYMENT_TYPES)(
    '%s parses as YAML even before CloudFormation and the boot script fill it in',
    (type) => {
      // Placeholders are quoted, so the file is valid YAML at every stage.
      const source = masterYamlText(userDataSource(renderTemplate(type)));
      const filled = source.replaceAll('${SpotMaxPriceSetting}', '# setting').replace(/\$\{[^}]+\}/g, 'x');
      expect(() => parseMasterYaml(filled)).not.toThrow();
    },
  );
});
