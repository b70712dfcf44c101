/**
 * Request rules that keep a cluster deployable on real AWS (issue 10): only regions with Determined's
 * images (item 6), database passwords that survive Determined's connection URL (item 4), no user tag
 * in Determined's own tag namespace (minor), and the same region rule for a control-plane deploy and
 * at a function's start.
 */
import { loadConfig } from '../../../adapters/config.ts';
import { SUPPORTED_REGIONS } from '../../../core/cluster/regions.ts';
import { createClusterSchema } from '../../../core/cluster/request.ts';
import { deployRefusal, deployRegion } from '../../../scripts/deploy.ts';
import { Api } from '../api/harness.ts';

const valid = { clusterId: 'team-a-1', keypair: 'demo-key' };

const issuesOf = (body: object) => {
  const parsed = createClusterSchema.safeParse(body);
  return parsed.success
    ? []
    : parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
};

describe('regions: only those with Determined images', () => {
  it('lists the six regions of the AMI map', () => {
    expect([...SUPPORTED_REGIONS].sort()).toEqual(
      ['ap-northeast-1', 'eu-central-1', 'eu-west-1', 'us-east-1', 'us-east-2', 'us-west-2'].sort(),
    );
  });

  it.each(['ap-south-1', 'us-gov-west-1', 'eu-west-2'])(
    'refuses %s, naming the supported regions',
    (region) => {
      const [issue] = issuesOf({ ...valid, region });
      expect(issue).toContain(`region: ${region} is not supported`);
      for (const supported of SUPPORTED_REGIONS) expect(issue).toContain(supported);
    },
  );

  it('answers a request for another region with a 400 that names the supported ones', async () => {
    const api = new Api();
    const reply = await api.call('POST /clusters', {
      path: '/clusters',
      body: { ...valid, region: 'sa-east-1' },
    });
    expect(reply.status).toBe(400);
    expect(JSON.stringify(reply.body.errors)).toContain('us-west-2');
    expect(api.deps.store.writes).toBe(0);
  });

  it('refuses a control-plane deploy to another region, before serverless runs', () => {
    expect(deployRegion(['--stage', 'prod'])).toBe('us-east-1');
    expect(deployRegion(['--region', 'eu-west-1'])).toBe('eu-west-1');
    expect(deployRegion(['--region=ap-south-1'])).toBe('ap-south-1');
    expect(deployRefusal(['--region', 'eu-central-1'])).toBeUndefined();
    expect(deployRefusal(['-r', 'ap-south-1'])).toMatch(
      /refusing to deploy: ap-south-1 is not supported.*us-east-1/,
    );
  });

  it('a function started in another region stops with the same message', () => {
    expect(() => loadConfig({ ...process.env, AWS_REGION: 'ca-central-1' })).toThrow(
      /AWS_REGION: ca-central-1 is not supported/,
    );
  });
});

describe('database passwords: what Determined puts unescaped into postgres://user:password@host', () => {
  it.each(['#', '%', '?', '[', ']', '^', '{', '|', '}', '<', '>', '\\', '`', "'", '"', '/', '@', ' '])(
    'refuses %j',
    (character) => {
      expect(issuesOf({ ...valid, dbPassword: `abcd${character}efgh` })).toEqual([
        expect.stringContaining('dbPassword: must be 8 to 128 letters, digits or'),
      ]);
    },
  );

  it.each(['Plain-pass_1', 'a.b~c!d$e&f(g)h*i+j,k;l=m:n', 'x'.repeat(128)])('accepts %j', (password) => {
    expect(issuesOf({ ...valid, dbPassword: password })).toEqual([]);
  });

  it('bounds the length: 8 to 128', () => {
    expect(issuesOf({ ...valid, dbPassword: 'short1' })).not.toEqual([]);
    expect(issuesOf({ ...valid, dbPassword: 'x'.repeat(129) })).not.toEqual([]);
  });
});

describe('user tags', () => {
  it.each(['determined-resource-pool', 'determined-master-address', 'determined-anything'])(
    'refuses %s: Determined tags its agents with it and finds them by it',
    (key) => {
      expect(issuesOf({ ...valid, tags: { [key]: 'x' } })).toEqual([expect.stringContaining(`tags.${key}`)]);
    },
  );
});
