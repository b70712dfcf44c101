/**
 * Every flag of the seed's "CLI Arguments" tables (and the contract's newer ones) is accepted by
 * `det-deploy aws up` and reaches the POST /clusters body unchanged; flags not given are not sent.
 */
import { createClusterSchema } from '../../../core/cluster/request.ts';
import { FIELD_FLAGS } from '../../../cli/flags.ts';
import { parseCommand } from '../../../cli/parse-command.ts';
import { API_URL, cluster, detDeploy, FakeApi } from './fake-api.ts';

/** The seed's table, flag by flag: a value to give and what the body must then hold. */
const SEED_FLAGS: [flag: string, value: string | undefined, field: string, sent: unknown][] = [
  ['--cluster-id', 'seed-1', 'clusterId', 'seed-1'],
  ['--keypair', 'my-key', 'keypair', 'my-key'],
  ['--master-instance-type', 'm5.xlarge', 'masterInstanceType', 'm5.xlarge'],
  ['--cpu-agent-instance-type', 't2.large', 'cpuAgentInstanceType', 't2.large'],
  ['--gpu-agent-instance-type', 'p3.8xlarge', 'gpuAgentInstanceType', 'p3.8xlarge'],
  ['--deployment-type', 'efs', 'deploymentType', 'efs'],
  ['--inbound-cidr', '10.0.0.0/8', 'inboundCidr', '10.0.0.0/8'],
  ['--db-password', 'Sup3r-secret', 'dbPassword', 'Sup3r-secret'],
  ['--region', 'us-east-1', 'region', 'us-east-1'],
  ['--max-cpu-containers-per-agent', '50', 'maxCpuContainersPerAgent', 50],
  ['--max-idle-agent-period', '5m', 'maxIdleAgentPeriod', '5m'],
  ['--max-dynamic-agents', '8', 'maxDynamicAgents', 8],
  ['--spot', undefined, 'spot', true],
  ['--spot-max-price', '0.75', 'spotMaxPrice', '0.75'],
];

/** The contract's newer fields. */
const NEW_FLAGS: [flag: string, value: string | undefined, field: string, sent: unknown][] = [
  ['--idle-timeout', '45m', 'idleTimeout', '45m'],
  ['--expires-at', '2031-01-01T00:00:00Z', 'expiresAt', '2031-01-01T00:00:00Z'],
  ['--add-tag', 'project=nlp', 'tags', { project: 'nlp' }],
  ['--restore-from', 'old-cluster', 'restoreFrom', 'old-cluster'],
  ['--det-version', '0.38.1', 'determinedVersion', '0.38.1'],
];

const argv = (flags: typeof SEED_FLAGS) =>
  flags.flatMap(([flag, value]) => (value === undefined ? [flag] : [flag, value]));

/** GET says there is no such cluster, POST accepts, the next GET says READY. */
function creatingApi(id: string): FakeApi {
  return new FakeApi()
    .on(
      'GET',
      `/clusters/${id}`,
      { status: 404, body: { title: 'Not found', status: 404 } },
      {
        status: 200,
        body: cluster({ clusterId: id }),
      },
    )
    .on('POST', '/clusters', { status: 202, body: cluster({ clusterId: id, status: 'CREATING' }) })
    .on('GET', `/clusters/${id}/events`, { status: 200, body: { items: [] } });
}

describe('det-deploy aws up: flags to the request', () => {
  it('sends every seed flag and every new flag, unchanged and typed, and the API schema accepts the body', async () => {
    const api = creatingApi('seed-1');
    const { code, err } = await detDeploy(
      ['aws', 'up', ...argv(SEED_FLAGS), ...argv(NEW_FLAGS), '--add-tag', 'cost-center=42'],
      api,
    );

    expect(err).not.toMatch(/det-deploy:/);
    expect(code).toBe(0);
    const [post, ...more] = api.creates();
    expect(more).toHaveLength(0);
    expect(post?.path).toBe('/clusters');
    const expected = Object.fromEntries(
      [...SEED_FLAGS, ...NEW_FLAGS].map(([, , field, sent]) => [field, sent]),
    );
    expected.tags = { project: 'nlp', 'cost-center': '42' };
    expect(post?.body).toStrictEqual(expected);
    expect(createClusterSchema.safeParse(post?.body).success).toBe(true);
  });

  it.each([...SEED_FLAGS, ...NEW_FLAGS])(
    '%s %s reaches the body as %s alone',
    async (flag, value, field, sent) => {
      const api = creatingApi('one');
      const base = { clusterId: 'one', keypair: 'demo-key' };
      const args = ['aws', 'up', '--cluster-id', 'one', '--keypair', 'demo-key'];
      if (flag !== '--cluster-id' && flag !== '--keypair')
        args.push(flag, ...(value === undefined ? [] : [value]));

      const { code } = await detDeploy(args, api);

      expect(code).toBe(0);
      const expected = flag === '--cluster-id' || flag === '--keypair' ? base : { ...base, [field]: sent };
      expect(api.creates()[0]?.body).toStrictEqual(expected);
    },
  );

  it('leaves every default to the API: only the two required flags give a two-field body', async () => {
    const api = creatingApi('plain');
    await detDeploy(['aws', 'up', '--cluster-id', 'plain', '--keypair', 'demo-key'], api);
    expect(api.creates()[0]?.body).toStrictEqual({ clusterId: 'plain', keypair: 'demo-key' });
  });

  it('documents the seed defaults (and the contract generated password) for every seed flag', () => {
    const defaults = Object.fromEntries(FIELD_FLAGS.map((spec) => [spec.flag, spec.default]));
    expect(defaults).toMatchObject({
      'cluster-id': 'required',
      keypair: 'required',
      'master-instance-type': 'm5.large',
      'cpu-agent-instance-type': 't2.xlarge',
      'gpu-agent-instance-type': 'p2.8xlarge',
      'deployment-type': 'simple',
      'inbound-cidr': '0.0.0.0/0',
      'db-password': 'generated',
      'max-cpu-containers-per-agent': '100',
      'max-idle-agent-period': '10m',
      'max-dynamic-agents': '5',
      spot: 'false',
      'spot-max-price': 'on-demand price',
    });
  });

  it('--dry-run posts to ?dryRun=true and prints the parameters and the template', async () => {
    const api = new FakeApi()
      .on('GET', '/clusters/dry', { status: 404, body: { status: 404 } })
      .on('POST', '/clusters', (request) =>
        request.path === '/clusters?dryRun=true'
          ? {
              status: 200,
              body: {
                parameters: { Keypair: 'demo-key', ClusterSecretName: '****' },
                template: { Resources: { MasterInstance: {} } },
              },
            }
          : { status: 500, body: { status: 500 } },
      );

    const { code, out } = await detDeploy(
      ['aws', 'up', '--cluster-id', 'dry', '--keypair', 'demo-key', '--max-dynamic-agents', '2', '--dry-run'],
      api,
    );

    expect(code).toBe(0);
    expect(api.sent('POST').map((request) => request.path)).toEqual(['/clusters?dryRun=true']);
    expect(api.sent('POST')[0]?.body).toStrictEqual({
      clusterId: 'dry',
      keypair: 'demo-key',
      maxDynamicAgents: 2,
    });
    expect(JSON.parse(out)).toStrictEqual({
      parameters: { Keypair: 'demo-key', ClusterSecretName: '****' },
      template: { Resources: { MasterInstance: {} } },
    });
  });
});

describe('det-deploy usage errors (exit 2, nothing sent)', () => {
  const cases: [string, string[], RegExp][] = [
    ['no --cluster-id', ['aws', 'up', '--keypair', 'k'], /--cluster-id is required/],
    ['no --keypair', ['aws', 'up', '--cluster-id', 'c1'], /--keypair is required/],
    ['an unknown flag', ['aws', 'up', '--cluster-id', 'c1', '--keypair', 'k', '--profile', 'p'], /--profile/],
    [
      'a number that is not',
      ['aws', 'up', '--cluster-id', 'c1', '--keypair', 'k', '--max-dynamic-agents', 'five'],
      /whole number/,
    ],
    [
      'a tag without a value',
      ['aws', 'up', '--cluster-id', 'c1', '--keypair', 'k', '--add-tag', 'project'],
      /KEY=VALUE/,
    ],
    [
      '--spot with --no-spot',
      ['aws', 'up', '--cluster-id', 'c1', '--keypair', 'k', '--spot', '--no-spot'],
      /contradict/,
    ],
    ['an unknown command', ['aws', 'destroy'], /unknown command/],
    ['no aws group', ['up'], /under "aws"/],
  ];

  it.each(cases)('%s', async (_name, args, message) => {
    const api = new FakeApi();
    const { code, err } = await detDeploy(args, api);
    expect(code).toBe(2);
    expect(err).toMatch(message);
    expect(err).not.toMatch(/\n\s+at /); // no stack trace
    expect(api.requests).toHaveLength(0);
  });

  it('needs an API address and a token, from flags or the environment', () => {
    expect(() => parseCommand(['aws', 'list'], {})).toThrow(/DET_DEPLOY_API_URL/);
    expect(() => parseCommand(['aws', 'list', '--api-url', API_URL], {})).toThrow(/DET_DEPLOY_TOKEN/);
    const fromEnv = parseCommand(['aws', 'list'], {
      DET_DEPLOY_API_URL: `${API_URL}/`,
      DET_DEPLOY_TOKEN: 'env',
    });
    expect(fromEnv).toMatchObject({ name: 'list', global: { apiUrl: API_URL, token: 'env' } });
    const fromFlags = parseCommand(['aws', 'list', '--api-url', 'http://flag', '--token', 'flag'], {
      DET_DEPLOY_API_URL: API_URL,
      DET_DEPLOY_TOKEN: 'env',
    });
    expect(fromFlags).toMatchObject({ global: { apiUrl: 'http://flag', token: 'flag' } });
  });

  it('--help prints usage with every flag and exits 0', async () => {
    const { code, out } = await detDeploy(['aws', 'up', '--help'], new FakeApi(), { env: {} });
    expect(code).toBe(0);
    for (const [flag] of [...SEED_FLAGS, ...NEW_FLAGS]) expect(out).toContain(flag);
    expect(out).toContain('--dry-run');
  });
});
