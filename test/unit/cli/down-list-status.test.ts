/** `down` (confirmation, DELETE, waiting, what was kept), `list` (all pages) and `status`. */
import { cluster, detDeploy, FakeApi } from './fake-api.ts';

const retained = { checkpointBucket: 'c1-checkpoints', dbSnapshot: 'c1-final-1' };

function deletableApi(): FakeApi {
  return new FakeApi()
    .on(
      'GET',
      '/clusters/c1',
      { status: 200, body: cluster() },
      { status: 200, body: cluster({ status: 'DELETING', deleteRequested: { purge: false, recordTtl: 1 } }) },
      { status: 200, body: cluster({ status: 'DELETED', retained }) },
    )
    .on('GET', '/clusters/c1/events', { status: 200, body: { items: [] } })
    .on('DELETE', '/clusters/c1', { status: 202, body: cluster({ status: 'DELETING' }) });
}

describe('det-deploy aws down', () => {
  it('with --yes: DELETE with an Idempotency-Key, waits for DELETED, prints what was kept', async () => {
    const api = deletableApi();
    const { code, out } = await detDeploy(['aws', 'down', '--cluster-id', 'c1', '--yes'], api);
    expect(code).toBe(0);
    const [deletion] = api.sent('DELETE');
    expect(deletion?.path).toBe('/clusters/c1');
    expect(deletion?.headers['idempotency-key']).toBe('key-1');
    expect(out).toContain('checkpoint bucket: s3://c1-checkpoints');
    expect(out).toContain('database snapshot: c1-final-1');
  });

  it('--purge asks the API to purge', async () => {
    const api = deletableApi();
    await detDeploy(['aws', 'down', '--cluster-id', 'c1', '--yes', '--purge'], api);
    expect(api.sent('DELETE')[0]?.path).toBe('/clusters/c1?purge=true');
  });

  it('refuses without --yes when stdin is not a terminal: exit 2, nothing deleted', async () => {
    const api = deletableApi();
    const { code, err } = await detDeploy(['aws', 'down', '--cluster-id', 'c1'], api, { stdinIsTTY: false });
    expect(code).toBe(2);
    expect(err).toContain('pass --yes');
    expect(api.sent('DELETE')).toHaveLength(0);
  });

  it('asks y/N on a terminal; anything but yes deletes nothing', async () => {
    const api = deletableApi();
    const { code, io } = await detDeploy(['aws', 'down', '--cluster-id', 'c1'], api, {
      stdinIsTTY: true,
      answer: '',
    });
    expect(io.prompts[0]).toMatch(/Delete cluster c1 .*\[y\/N\] $/);
    expect(io.prompts[0]).toContain('kept');
    expect(code).toBe(1);
    expect(api.sent('DELETE')).toHaveLength(0);
  });

  it('deletes after a "y" on a terminal', async () => {
    const api = deletableApi();
    const { code } = await detDeploy(['aws', 'down', '--cluster-id', 'c1'], api, {
      stdinIsTTY: true,
      answer: 'y',
    });
    expect(code).toBe(0);
    expect(api.sent('DELETE')).toHaveLength(1);
  });

  it('counts a 404 while waiting as deleted', async () => {
    const api = new FakeApi()
      .on('GET', '/clusters/c1', { status: 200, body: cluster() }, { status: 404, body: { status: 404 } })
      .on('GET', '/clusters/c1/events', { status: 200, body: { items: [] } })
      .on('DELETE', '/clusters/c1', { status: 202, body: cluster({ status: 'DELETING' }) });
    const { code, out } = await detDeploy(['aws', 'down', '--cluster-id', 'c1', '--yes'], api);
    expect(code).toBe(0);
    expect(out).toContain('Cluster c1 is deleted.');
  });

  it('exits 1 with the reason on DELETE_FAILED', async () => {
    const api = new FakeApi()
      .on(
        'GET',
        '/clusters/c1',
        { status: 200, body: cluster() },
        {
          status: 200,
          body: cluster({
            status: 'DELETE_FAILED',
            statusReason: 'CheckpointBucket (AWS::S3::Bucket): bucket not empty',
          }),
        },
      )
      .on('GET', '/clusters/c1/events', { status: 200, body: { items: [] } })
      .on('DELETE', '/clusters/c1', { status: 202, body: cluster({ status: 'DELETING' }) });
    const { code, err } = await detDeploy(['aws', 'down', '--cluster-id', 'c1', '--yes'], api);
    expect(code).toBe(1);
    expect(err).toContain('DELETE_FAILED: CheckpointBucket (AWS::S3::Bucket): bucket not empty');
  });

  it('exits 1 for an unknown cluster', async () => {
    const api = new FakeApi().on('GET', '/clusters/nope', { status: 404, body: { status: 404 } });
    const { code, err } = await detDeploy(['aws', 'down', '--cluster-id', 'nope', '--yes'], api);
    expect(code).toBe(1);
    expect(err).toContain('no cluster nope');
    expect(api.sent('DELETE')).toHaveLength(0);
  });
});

describe('det-deploy aws list', () => {
  it('follows nextToken and prints id, type, status, master URL, cost and age', async () => {
    const cost = {
      currency: 'USD' as const,
      hourly: 0.191068,
      hourlyMax: 37.388247,
      monthToDate: 12.5,
      basis: 'b',
    };
    const api = new FakeApi().on('GET', '/clusters', (request) =>
      request.path.includes('nextToken=page2')
        ? { status: 200, body: { items: [cluster({ clusterId: 'old', status: 'DELETED', outputs: {} })] } }
        : { status: 200, body: { items: [{ ...cluster({ clusterId: 'new' }), cost }], nextToken: 'page2' } },
    );
    const { code, out } = await detDeploy(['aws', 'list'], api);
    expect(code).toBe(0);
    expect(api.sent('GET').map((request) => request.path)).toEqual([
      '/clusters?limit=100',
      '/clusters?limit=100&nextToken=page2',
    ]);
    const lines = out.trim().split('\n');
    expect(lines[0]).toMatch(/^CLUSTER ID\s+TYPE\s+STATUS\s+MASTER URL\s+COST\/H\s+THIS MONTH\s+AGE$/);
    expect(lines[1]).toMatch(
      /^new\s+simple\s+READY\s+http:\/\/203\.0\.113\.10:8080\s+\$0\.191\s+\$12\.50\s+10m$/,
    );
    expect(lines[2]).toMatch(/^old\s+simple\s+DELETED\s+-\s+-\s+-\s+10m$/);
  });

  it('says so when there are none', async () => {
    const api = new FakeApi().on('GET', '/clusters', { status: 200, body: { items: [] } });
    expect((await detDeploy(['aws', 'ls'], api)).out).toBe('No clusters.\n');
  });
});

describe('det-deploy aws status', () => {
  it('shows the cluster, its reason and its last events', async () => {
    const api = new FakeApi()
      .on('GET', '/clusters/c1', {
        status: 200,
        body: cluster({
          status: 'CREATE_FAILED',
          statusReason: 'MasterInstance (AWS::EC2::Instance): no capacity',
        }),
      })
      .on('GET', '/clusters/c1/events', {
        status: 200,
        body: {
          items: [
            {
              id: 'e2',
              at: '2030-01-01T00:05:00.000Z',
              source: 'stack',
              kind: 'resource',
              message: 'no capacity',
              resource: {
                logicalId: 'MasterInstance',
                type: 'AWS::EC2::Instance',
                status: 'CREATE_FAILED',
                reason: 'no capacity',
              },
            },
            {
              id: 'e1s',
              at: '2030-01-01T00:00:01.000Z',
              source: 'stack',
              kind: 'stack-status',
              status: 'CREATE_IN_PROGRESS',
              message: 'c1 CREATE_IN_PROGRESS: User Initiated',
            },
            {
              id: 'e1',
              at: '2030-01-01T00:00:00.000Z',
              source: 'control-plane',
              kind: 'create-requested',
              status: 'CREATING',
              message: 'alpha-user requested a simple cluster',
            },
          ],
        },
      });
    const { code, out } = await detDeploy(['aws', 'status', '--cluster-id', 'c1'], api);
    expect(code).toBe(0);
    expect(out).toMatch(/Status:\s+CREATE_FAILED/);
    expect(out).toContain('MasterInstance (AWS::EC2::Instance): no capacity');
    expect(out).toContain(
      '2030-01-01 00:05:00Z  MasterInstance (AWS::EC2::Instance) CREATE_FAILED: no capacity',
    );
    expect(out).toContain('CREATING: alpha-user requested a simple cluster');
    expect(out).toContain('2030-01-01 00:00:01Z  c1 CREATE_IN_PROGRESS: User Initiated\n');
    expect(api.sent('GET', '/clusters/c1/events')[0]?.path).toBe('/clusters/c1/events?limit=10');
  });
});
