/** The API client: auth, problem errors, one Idempotency-Key across retries of a write. */
import { ApiClient, ApiError, ApiUnreachableError } from '../../../cli/api-client.ts';
import { cluster, FakeApi } from './fake-api.ts';

const client = (api: FakeApi, keys = ['k1', 'k2']) =>
  new ApiClient({
    baseUrl: 'http://api.test',
    token: 't',
    fetch: api.fetch,
    sleep: async () => {},
    newIdempotencyKey: () => keys.shift() ?? 'none',
  });

describe('ApiClient', () => {
  it('retries a write after a 503 with the same Idempotency-Key, so the API can answer it once', async () => {
    const api = new FakeApi().on(
      'POST',
      '/clusters',
      { status: 503, body: { status: 503 } },
      { status: 202, body: cluster() },
    );
    await client(api).createCluster({ clusterId: 'c1', keypair: 'demo-key' });
    const posts = api.sent('POST');
    expect(posts).toHaveLength(2);
    expect(posts.map((post) => post.headers['idempotency-key'])).toEqual(['k1', 'k1']);
  });

  it('gives each write its own key', async () => {
    const api = new FakeApi().on('DELETE', '/clusters/c1', { status: 202, body: cluster() });
    const api1 = client(api);
    await api1.deleteCluster('c1');
    await api1.deleteCluster('c1');
    expect(api.sent('DELETE').map((request) => request.headers['idempotency-key'])).toEqual(['k1', 'k2']);
  });

  it('does not retry a 500 on a write (that is an answer) nor a 4xx', async () => {
    const api = new FakeApi()
      .on('PATCH', '/clusters/c1', { status: 500, body: { status: 500, detail: 'failed' } })
      .on('POST', '/clusters', { status: 409, body: { status: 409, detail: 'taken' } });
    await expect(client(api).updateCluster('c1', { spot: true })).rejects.toMatchObject({ status: 500 });
    await expect(client(api).createCluster({ clusterId: 'c1', keypair: 'k' })).rejects.toBeInstanceOf(
      ApiError,
    );
    expect(api.requests).toHaveLength(2);
  });

  it('turns a 404 of GET /clusters/{id} into undefined, and encodes the id', async () => {
    const api = new FakeApi().on('GET', '/clusters/a%2Fb', { status: 404, body: { status: 404 } });
    expect(await client(api).getCluster('a/b')).toBeUndefined();
  });

  it('keeps problem+json details on ApiError, and copes with a body that is not JSON', async () => {
    const api = new FakeApi().on('GET', '/clusters', {
      status: 400,
      body: { title: 'Invalid request', status: 400, errors: [{ field: 'limit', message: 'bad' }] },
    });
    const error = await client(api)
      .listClusters()
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).problem.errors).toEqual([{ field: 'limit', message: 'bad' }]);

    const gateway: typeof fetch = async () => new Response('<html>Bad Gateway</html>', { status: 401 });
    const raw = new ApiClient({
      baseUrl: 'http://api.test',
      token: 't',
      fetch: gateway,
      sleep: async () => {},
    });
    await expect(raw.listClusters()).rejects.toMatchObject({ status: 401, problem: { title: 'HTTP 401' } });
  });

  it('reports an unreachable API after its retries', async () => {
    let calls = 0;
    const refused: typeof fetch = async () => {
      calls += 1;
      throw new TypeError('fetch failed', {
        cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
      });
    };
    const unreachable = new ApiClient({
      baseUrl: 'http://api.test',
      token: 't',
      fetch: refused,
      sleep: async () => {},
    });
    const error = await unreachable.getCluster('c1').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ApiUnreachableError);
    expect((error as Error).message).toBe(
      'cannot reach the API at http://api.test: ECONNREFUSED (connect ECONNREFUSED)',
    );
    expect(calls).toBe(3);
  });
});
