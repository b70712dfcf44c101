/** `det-deploy aws stop` and `det-deploy aws start`: the request, the wait, the outcome and its exit code. */
import { parseCommand } from '../../../cli/parse-command.ts';
import { cluster, detDeploy, FakeApi } from './fake-api.ts';

const events = { status: 200, body: { items: [] } };

describe('det-deploy aws stop', () => {
  it('POSTs the stop with an Idempotency-Key, waits for STOPPED and says how to start it again', async () => {
    const api = new FakeApi()
      .on(
        'GET',
        '/clusters/c1',
        { status: 200, body: cluster() },
        { status: 200, body: cluster({ status: 'STOPPING' }) },
        { status: 200, body: cluster({ status: 'STOPPED' }) },
      )
      .on('GET', '/clusters/c1/events', events)
      .on('POST', '/clusters/c1/stop', { status: 202, body: cluster({ status: 'STOPPING' }) });
    const { code, out } = await detDeploy(['aws', 'stop', '--cluster-id', 'c1'], api);
    expect(code).toBe(0);
    const [sent] = api.sent('POST');
    expect(sent?.path).toBe('/clusters/c1/stop');
    expect(sent?.headers['idempotency-key']).toBe('key-1');
    expect(out).toContain('is STOPPED');
    expect(out).toContain('det-deploy aws start --cluster-id c1');
    expect(out).toContain('http://203.0.113.10:8080');
  });

  it('exits 1 with the status reason when the stop fails', async () => {
    const api = new FakeApi()
      .on(
        'GET',
        '/clusters/c1',
        { status: 200, body: cluster() },
        {
          status: 200,
          body: cluster({ status: 'STOP_FAILED', statusReason: 'The database db-1 is failed' }),
        },
      )
      .on('GET', '/clusters/c1/events', events)
      .on('POST', '/clusters/c1/stop', { status: 202, body: cluster({ status: 'STOPPING' }) });
    const { code, err } = await detDeploy(['aws', 'stop', '--cluster-id', 'c1'], api);
    expect(code).toBe(1);
    expect(err).toContain('STOP_FAILED: The database db-1 is failed');
  });

  it('succeeds without a request when the cluster is already STOPPED', async () => {
    const api = new FakeApi().on('GET', '/clusters/c1', {
      status: 200,
      body: cluster({ status: 'STOPPED' }),
    });
    const { code, err } = await detDeploy(['aws', 'stop', '--cluster-id', 'c1'], api);
    expect(code).toBe(0);
    expect(err).toContain('already STOPPED');
    expect(api.sent('POST')).toHaveLength(0);
  });

  it('reports the API’s 409 problem when the cluster cannot be stopped now', async () => {
    const api = new FakeApi()
      .on('GET', '/clusters/c1', { status: 200, body: cluster({ status: 'CREATING' }) })
      .on('GET', '/clusters/c1/events', events)
      .on('POST', '/clusters/c1/stop', {
        status: 409,
        body: { type: 'urn:x:conflict', title: 'Conflict', status: 409, detail: 'Cluster c1 is CREATING' },
      });
    const { code, err } = await detDeploy(['aws', 'stop', '--cluster-id', 'c1'], api);
    expect(code).toBe(1);
    expect(err).toContain('Cluster c1 is CREATING');
  });

  it('requires --cluster-id (exit 2)', async () => {
    const { code, err } = await detDeploy(['aws', 'stop'], new FakeApi());
    expect(code).toBe(2);
    expect(err).toContain('--cluster-id is required');
  });
});

describe('det-deploy aws start', () => {
  it('POSTs the start, waits for READY and prints the master URL as up does', async () => {
    const api = new FakeApi()
      .on(
        'GET',
        '/clusters/c1',
        { status: 200, body: cluster({ status: 'STOPPED' }) },
        { status: 200, body: cluster({ status: 'STARTING' }) },
        { status: 200, body: cluster() },
      )
      .on('GET', '/clusters/c1/events', events)
      .on('POST', '/clusters/c1/start', { status: 202, body: cluster({ status: 'STARTING' }) });
    const { code, out } = await detDeploy(['aws', 'start', '--cluster-id', 'c1'], api);
    expect(code).toBe(0);
    expect(api.sent('POST')[0]?.path).toBe('/clusters/c1/start');
    expect(out).toContain('export DET_MASTER=http://203.0.113.10:8080');
  });

  it('waits for a start already under way instead of asking again', async () => {
    const api = new FakeApi()
      .on(
        'GET',
        '/clusters/c1',
        { status: 200, body: cluster({ status: 'STARTING' }) },
        { status: 200, body: cluster() },
      )
      .on('GET', '/clusters/c1/events', events);
    const { code } = await detDeploy(['aws', 'start', '--cluster-id', 'c1'], api);
    expect(code).toBe(0);
    expect(api.sent('POST')).toHaveLength(0);
  });

  it('exits 1 with the reason when the master never answers', async () => {
    const reason =
      'The master i-0123 is running, but Determined did not answer GET /info within 1800 seconds';
    const api = new FakeApi()
      .on(
        'GET',
        '/clusters/c1',
        { status: 200, body: cluster({ status: 'STOPPED' }) },
        { status: 200, body: cluster({ status: 'START_FAILED', statusReason: reason }) },
      )
      .on('GET', '/clusters/c1/events', events)
      .on('POST', '/clusters/c1/start', { status: 202, body: cluster({ status: 'STARTING' }) });
    const { code, err } = await detDeploy(['aws', 'start', '--cluster-id', 'c1'], api);
    expect(code).toBe(1);
    expect(err).toContain(`START_FAILED: ${reason}`);
  });

  it('--help describes the command', async () => {
    const { code, out } = await detDeploy(['aws', 'start', '--help'], new FakeApi(), { env: {} });
    expect(code).toBe(0);
    expect(out).toContain('Usage: det-deploy aws start --cluster-id ID');
  });
});

describe('--schedule', () => {
  const env = { DET_DEPLOY_API_URL: 'http://api.test', DET_DEPLOY_TOKEN: 't' };
  const up = (...flags: string[]) =>
    parseCommand(['aws', 'up', '--cluster-id', 'c1', '--keypair', 'k', ...flags], env);

  it('reads "TZ;autostop=CRON;autostart=CRON" into the request’s schedule, and "none" clears it', () => {
    expect(up('--schedule', 'Europe/Berlin;autostop=0 19 * * 1-5;autostart=0 8 * * 1-5')).toMatchObject({
      fields: {
        schedule: { timezone: 'Europe/Berlin', autostop: '0 19 * * 1-5', autostart: '0 8 * * 1-5' },
      },
    });
    expect(up('--schedule', 'UTC;autostop=0 19 * * *')).toMatchObject({
      fields: { schedule: { timezone: 'UTC', autostop: '0 19 * * *' } },
    });
    expect(up('--schedule', 'none')).toMatchObject({ fields: { schedule: null } });
  });

  it('refuses anything else with a usage error', () => {
    expect(() => up('--schedule', 'UTC;stop=0 19 * * *')).toThrow(/--schedule takes/);
  });
});
