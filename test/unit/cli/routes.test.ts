/**
 * The CLI's client calls only routes the API serves (serverless.yml, the one route table the local
 * gateway, the unit harness and the OpenAPI check read too), with the method the route takes, and
 * sends an Idempotency-Key exactly where the served handler honours one.
 */
import { ApiClient } from '../../../cli/api-client.ts';
import { readRoutes } from '../../../local/gateway.ts';
import { ROUTES } from '../api/harness.ts';
import { cluster } from './fake-api.ts';

interface Sent {
  method: string;
  path: string;
  idempotencyKey: string | undefined;
}

function recordingClient(sent: Sent[]): ApiClient {
  const record = (async (input: string | URL, init?: RequestInit) => {
    const url = new URL(String(input));
    const headers = new Headers(init?.headers);
    sent.push({
      method: init?.method ?? 'GET',
      path: url.pathname,
      idempotencyKey: headers.get('idempotency-key') ?? undefined,
    });
    const body =
      url.pathname.endsWith('/events') || (url.pathname === '/clusters' && init?.method === 'GET')
        ? { items: [] }
        : cluster();
    return new Response(JSON.stringify(body), {
      status: 200,
      headers: { 'content-type': 'application/json' },
    });
  }) as typeof globalThis.fetch;
  return new ApiClient({ baseUrl: 'http://api.test', token: 't', fetch: record, sleep: async () => {} });
}

describe("the CLI's API client", () => {
  it('calls served routes only, with an Idempotency-Key where the handler is idempotent', async () => {
    const sent: Sent[] = [];
    const client = recordingClient(sent);
    await client.getCluster('c-1');
    await client.createCluster({ clusterId: 'c-1', keypair: 'k' });
    await client.dryRun({ clusterId: 'c-1', keypair: 'k' });
    await client.updateCluster('c-1', { spot: true });
    await client.deleteCluster('c-1', { purge: true });
    await client.stopCluster('c-1');
    await client.startCluster('c-1');
    await client.listClusters({ limit: 5 });
    await client.listEvents('c-1', { limit: 5 });

    const served = readRoutes();
    for (const request of sent) {
      const route = served.find(
        (candidate) => candidate.method === request.method && candidate.pattern.test(request.path),
      );
      expect([request.method, request.path, route?.path]).toEqual([
        request.method,
        request.path,
        expect.any(String),
      ]);
      const target = ROUTES[`${route?.method} ${route?.path}`];
      expect(target).toBeDefined();
      // A retried write must be answered once: every write the CLI sends goes to an idempotent handler.
      if (request.idempotencyKey)
        expect([request.method, request.path, target?.idempotent]).toEqual([
          request.method,
          request.path,
          true,
        ]);
    }
    expect(new Set(sent.map((request) => request.method))).toEqual(
      new Set(['GET', 'POST', 'PATCH', 'DELETE']),
    );
  });
});
