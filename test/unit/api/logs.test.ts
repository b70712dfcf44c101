/** The request log: structured JSON with the request and cluster ids, and never a password. */
import { logger } from '../../../adapters/logger.ts';
import { Api } from './harness.ts';

describe('logs', () => {
  let lines: string[];
  let restore: () => void;

  beforeEach(() => {
    lines = [];
    logger.setLogLevel('DEBUG');
    const capture = ((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    }) as typeof process.stdout.write;
    const [out, err] = [process.stdout.write.bind(process.stdout), process.stderr.write.bind(process.stderr)];
    process.stdout.write = capture;
    process.stderr.write = capture;
    restore = () => {
      process.stdout.write = out;
      process.stderr.write = err;
      logger.setLogLevel('SILENT');
    };
  });
  afterEach(() => restore());

  it('logs each request as JSON with its request id and cluster id, and no password, even on failure', async () => {
    const api = new Api();
    await api.call('POST /clusters', {
      path: '/clusters',
      body: { clusterId: 'logged', keypair: 'demo-key', dbPassword: 'Never-in-logs-1' },
    });
    api.deps.workflows.failNext = true;
    await api.call('POST /clusters', {
      path: '/clusters',
      body: { clusterId: 'logged-2', keypair: 'demo-key', dbPassword: 'Never-in-logs-2' },
    });
    await api.call('POST /clusters', {
      path: '/clusters',
      body: { clusterId: 'bad id', keypair: 'demo-key', dbPassword: 'Never-in-logs-3' },
    });

    const entries = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(
      entries.filter((entry) => entry.message === 'request handled').map((entry) => entry.status),
    ).toEqual([202, 500, 400]);
    const handled = entries.find(
      (entry) => entry.message === 'request handled' && entry.clusterId === 'logged',
    );
    expect(handled).toMatchObject({
      level: 'INFO',
      status: 202,
      team: 'alpha',
      clusterStatus: 'CREATING',
      requestId: expect.stringMatching(/^request-/),
    });
    expect(entries.find((entry) => entry.level === 'ERROR')).toMatchObject({
      message: 'request failed',
      requestId: expect.any(String),
    });
    expect(lines.join('\n')).not.toMatch(/Never-in-logs/);
  });

  it('logs an idempotent replay like any other answer, once, marked as replayed', async () => {
    const api = new Api();
    const request = {
      path: '/clusters',
      body: { clusterId: 'replayed', keypair: 'demo-key' },
      headers: { 'idempotency-key': 'replay-1' },
    };
    const first = await api.call('POST /clusters', request);
    const replay = await api.call('POST /clusters', request);
    expect(replay.headers['idempotent-replayed']).toBe('true');

    const handled = lines
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((entry) => entry.message === 'request handled');
    expect(handled).toHaveLength(2);
    expect(handled[0]).toMatchObject({ status: first.status, clusterId: 'replayed', team: 'alpha' });
    expect(handled[0]).not.toHaveProperty('replayed');
    expect(handled[1]).toMatchObject({
      status: 202,
      clusterId: 'replayed',
      team: 'alpha',
      clusterStatus: 'CREATING',
      replayed: true,
      requestId: expect.stringMatching(/^request-/),
    });
  });
});
