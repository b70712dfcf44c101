/**
 * The master's boot, run: each type's user data as CloudFormation would render it runs under bash
 * in a sandbox with stub commands (scripts/check-aws/boot-sandbox.ts). It writes a master.yaml that
 * holds the request's values and passes Determined's rules, reads the passwords from the secret at
 * boot, and signals success only once GET /info answers with the version; failure, with the
 * reason, on any error (issue 10, items 3 and 5).
 */
import { agentTag } from '../../../core/cluster/naming.ts';
import { AGENT_SLOTS } from '../../../core/cluster/instance-types.ts';
import { DEPLOYMENT_TYPES } from '../../../core/cluster/request.ts';
import { agentAmi } from '../../../core/cluster/determined-versions.ts';
import { determinedConfigProblems } from '../../../scripts/check-aws/determined-config.ts';
import {
  agentStartupOf,
  bootFor,
  bootProblems,
  sampleParameters,
  SAMPLE_SECRET_NAME,
} from '../../../scripts/check-aws/master-boot-check.ts';
import { sampleOf, userDataScript } from '../../../scripts/check-aws/intrinsics.ts';
import { shellcheck } from '../../../scripts/check-aws/shellcheck.ts';

type Parsed = any; // eslint-disable-line @typescript-eslint/no-explicit-any -- parsed YAML

const STACK = 'Team-Vision-7';
const SECRET = { dbPassword: 'db-Pass.word_1', adminPassword: 'admin-Pass_2' };
const request = sampleParameters({
  region: 'eu-west-1',
  masterInstanceType: 'm6i.xlarge',
  cpuAgentInstanceType: 'm5.2xlarge',
  gpuAgentInstanceType: 'g5.12xlarge',
  maxCpuContainersPerAgent: 17,
  maxIdleAgentPeriod: '7m30s',
  maxDynamicAgents: 11,
  spot: true,
  spotMaxPrice: '0.95',
  determinedVersion: '0.38.0',
  keypair: 'team "key" #1: {x}',
  tags: { project: 'vision', owner: 'ml "team"' },
});

const poolsOf = (config: Parsed): Record<string, Parsed> =>
  Object.fromEntries(config.resource_pools.map((pool: Parsed) => [pool.pool_name, pool]));

describe.each(DEPLOYMENT_TYPES)('the master boot of %s', (type) => {
  const run = bootFor(type, request, {}, STACK);
  const config = run.config;

  it('writes master.yaml (mode 600) that passes Determined 0.38’s rules, with the secret’s passwords', () => {
    expect(run.status).toBe(0);
    expect(run.masterYamlMode).toBe(0o600);
    expect(determinedConfigProblems(config)).toEqual([]);
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
    // Read at boot from Secrets Manager with the instance role; never in the user data.
    expect(run.calls).toContainEqual(
      expect.stringContaining(`get-secret-value --region eu-west-1 --secret-id ${SAMPLE_SECRET_NAME}`),
    );
    expect(run.userData).not.toContain(SECRET.dbPassword);
    expect(run.userData).not.toContain(SECRET.adminPassword);
  });

  it('has a CPU and a GPU pool provisioned on AWS with the request’s values, taken as data', () => {
    const pools = poolsOf(config);
    expect(Object.keys(pools).sort()).toEqual(['cpu-pool', 'gpu-pool']);
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
        image_id: agentAmi('0.38.0', 'eu-west-1'),
        agent_docker_image: 'determinedai/determined-agent:0.38.0',
        master_url: 'http://local-ipv4:8080',
        max_idle_agent_period: '7m30s',
        max_instances: 11,
        ssh_key_name: 'team "key" #1: {x}',
        iam_instance_profile_arn: sampleOf('AgentInstanceProfile', 'Arn'),
        spot: true,
        spot_max_price: '0.95',
        log_group: sampleOf('LogGroup'),
        custom_tags: [
          { key: 'project', value: 'vision' },
          { key: 'owner', value: 'ml "team"' },
        ],
      });
      const tag = agentTag(STACK);
      expect([provider.tag_key, provider.tag_value]).toEqual([tag.key, tag.value]);
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
    // det-deploy allows CPU slots on the compute pool only (issue 10, minor).
    expect(pools['gpu-pool'].provider.cpu_slots_allowed).toBe(true);
    expect(pools['cpu-pool'].provider).not.toHaveProperty('cpu_slots_allowed');
  });

  it('signals success only after GET /info answered with the requested version', () => {
    const info = run.calls.findIndex((call) => call.includes('localhost:8080/info'));
    const pull = run.calls.findIndex((call) =>
      call.startsWith('docker pull determinedai/determined-master:0.38.0'),
    );
    const signal = run.calls.findIndex((call) => call.includes('signal-resource'));
    expect([pull >= 0, info > pull, signal > info]).toEqual([true, true, true]);
    expect(run.calls[signal]).toContain(
      '--logical-resource-id MasterInstance --unique-id i-0fedcba9876543210 --status SUCCESS',
    );
    expect(run.handleSignal).toMatchObject({ Status: 'SUCCESS', UniqueId: 'i-0fedcba9876543210' });
  });

  it.each([
    [
      'the secret cannot be read',
      { secret: 'unreadable' as const },
      /the cluster secret .* could not be read: .*AccessDenied/,
    ],
    [
      'docker pull fails',
      { pull: 'fails' as const },
      /docker pull determinedai\/determined-master:0\.38\.0 failed: .*manifest unknown/,
    ],
    ['the master exits', { master: 'exits' as const }, /the master exited: panic: cannot connect/],
    [
      'another version answers',
      { info: 'wrong-version' as const },
      /did not answer GET \/info with version 0\.38\.0/,
    ],
    ['nothing answers', { info: 'silent' as const }, /did not answer GET \/info/],
  ])('signals failure with the reason when %s', (_case, scenario, reason) => {
    const failed = bootFor(type, request, scenario, STACK);
    expect(failed.status).not.toBe(0);
    expect(failed.resourceSignal).toBe('FAILURE');
    expect(failed.handleSignal?.Status).toBe('FAILURE');
    expect(failed.handleSignal?.Reason).toMatch(reason);
    expect(failed.calls.some((call) => call.includes('--status SUCCESS'))).toBe(false);
  });

  it('uses the AWS CLI’s image when the master image has no aws command', () => {
    const viaDocker = bootFor(type, request, { awsCli: false }, STACK);
    expect(viaDocker.status).toBe(0);
    expect(viaDocker.calls).toContainEqual(
      expect.stringMatching(
        /^docker run --rm --network host public\.ecr\.aws\/aws-cli\/aws-cli:\S+ secretsmanager get-secret-value/,
      ),
    );
    expect(viaDocker.resourceSignal).toBe('SUCCESS');
  });

  it('has no shellcheck finding, in the boot or in the agents’ startup script', () => {
    expect(shellcheck(userDataScript(run.userData))).toEqual([]);
    expect(shellcheck(agentStartupOf(config))).toEqual([]);
  });
});

describe('master.yaml for the edges of the request', () => {
  it('without dynamic agents, the pools have no provisioner (Determined refuses max_instances: 0)', () => {
    const { config } = bootFor('simple', sampleParameters({ maxDynamicAgents: 0 }));
    expect(determinedConfigProblems(config)).toEqual([]);
    for (const pool of config.resource_pools) expect(pool).not.toHaveProperty('provider');
    // The rule the validator enforces, on a config that breaks it.
    const broken = bootFor('simple', sampleParameters()).config;
    broken.resource_pools[0].provider.max_instances = 0;
    expect(determinedConfigProblems(broken).map((problem) => problem.message)).toContain(
      'max instance must be greater than 0',
    );
  });

  it('leaves spot_max_price out without a price', () => {
    const { config } = bootFor('vpc', sampleParameters({ spot: true }));
    expect(poolsOf(config)['cpu-pool'].provider).not.toHaveProperty('spot_max_price');
    expect(poolsOf(config)['cpu-pool'].provider.spot).toBe(true);
  });

  it('a restored cluster checkpoints to the retained bucket of its predecessor', () => {
    const { config } = bootFor('efs', sampleParameters(), {}, 'a', {
      restore: { checkpointBucket: 'det-checkpoints-kept', dbSnapshot: 'final-snap' },
    });
    expect(config.checkpoint_storage.bucket).toBe('det-checkpoints-kept');
  });

  it('a 64-character mixed-case stack name works (names derived from it stay data)', () => {
    const stack = `A${'b'.repeat(62)}Z`;
    const { config, status } = bootFor('fsx', sampleParameters(), {}, stack);
    expect(status).toBe(0);
    expect(poolsOf(config)['gpu-pool'].provider.instance_name).toBe(`determined-agent-${stack}`);
  });

  it('the validator catches a password that breaks Determined’s database URL', () => {
    const { config } = bootFor('simple', sampleParameters(), {
      secret: { dbPassword: 'has#hash?q', adminPassword: 'x' },
    });
    expect(determinedConfigProblems(config).map((problem) => problem.path)).toEqual(['.db.password']);
  });
});

describe('the check:aws boot part', () => {
  it('finds nothing wrong with the simple type', () => {
    expect(bootProblems('simple')).toEqual([]);
  });
});
