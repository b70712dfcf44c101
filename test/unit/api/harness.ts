/** Drives the real middy handlers (error mapping, idempotency) with fake dependencies. */
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { apiHandler, type ApiMain } from '../../../functions/http/api-handler.ts';
import { main as createMain } from '../../../functions/http/clusters/create.ts';
import { main as deleteMain } from '../../../functions/http/clusters/delete.ts';
import { main as eventsMain } from '../../../functions/http/clusters/events.ts';
import { main as getMain } from '../../../functions/http/clusters/get.ts';
import { main as keepaliveMain } from '../../../functions/http/clusters/keepalive.ts';
import { main as listMain } from '../../../functions/http/clusters/list.ts';
import { main as startMain } from '../../../functions/http/clusters/start.ts';
import { main as stopMain } from '../../../functions/http/clusters/stop.ts';
import { main as updateMain } from '../../../functions/http/clusters/update.ts';
import { apiEvent, lambdaContext, type EventOptions } from '../../support/events.ts';
import { fakeDeps, InMemoryIdempotencyStore, type FakeDeps } from '../../support/fakes.ts';
import type { Scope } from '../../../core/principal.ts';
import type { ClusterStatus } from '../../../core/cluster/status.ts';

/** The fingerprint key the unit tests' handlers use (production reads it from Secrets Manager). */
export const FINGERPRINT_KEY = Buffer.from('unit-test-fingerprint-key-0123456789abcdef');

export interface Reply {
  status: number;
  headers: Record<string, string>;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- parsed JSON of any endpoint
}

/** Each route as serverless.yml wires it: its handler's main, its scope, whether it is idempotent. */
export const ROUTES: Record<
  string,
  { main: ApiMain<FakeDeps>; route: string; scope: Scope; idempotent?: boolean }
> = {
  'POST /clusters': {
    main: createMain as ApiMain<FakeDeps>,
    route: '/clusters',
    scope: 'write',
    idempotent: true,
  },
  'GET /clusters': { main: listMain as ApiMain<FakeDeps>, route: '/clusters', scope: 'read' },
  'GET /clusters/{clusterId}': {
    main: getMain as ApiMain<FakeDeps>,
    route: '/clusters/{clusterId}',
    scope: 'read',
  },
  'PATCH /clusters/{clusterId}': {
    main: updateMain as ApiMain<FakeDeps>,
    route: '/clusters/{clusterId}',
    scope: 'write',
    idempotent: true,
  },
  'DELETE /clusters/{clusterId}': {
    main: deleteMain as ApiMain<FakeDeps>,
    route: '/clusters/{clusterId}',
    scope: 'write',
    idempotent: true,
  },
  'POST /clusters/{clusterId}/keepalive': {
    main: keepaliveMain as ApiMain<FakeDeps>,
    route: '/clusters/{clusterId}/keepalive',
    scope: 'write',
  },
  'POST /clusters/{clusterId}/stop': {
    main: stopMain as ApiMain<FakeDeps>,
    route: '/clusters/{clusterId}/stop',
    scope: 'write',
    idempotent: true,
  },
  'POST /clusters/{clusterId}/start': {
    main: startMain as ApiMain<FakeDeps>,
    route: '/clusters/{clusterId}/start',
    scope: 'write',
    idempotent: true,
  },
  'GET /clusters/{clusterId}/events': {
    main: eventsMain as ApiMain<FakeDeps>,
    route: '/clusters/{clusterId}/events',
    scope: 'read',
  },
};

export class Api {
  readonly deps: FakeDeps;
  readonly idempotency = new InMemoryIdempotencyStore();

  constructor(deps: FakeDeps = fakeDeps()) {
    this.deps = deps;
  }

  async call(
    routeKey: keyof typeof ROUTES,
    options: Omit<EventOptions, 'method' | 'route'> & { team?: string; sub?: string; admin?: boolean },
  ): Promise<Reply> {
    const [method, route] = routeKey.split(' ') as [string, string];
    const target = ROUTES[routeKey];
    if (!target) throw new Error(`no route ${routeKey}`);
    const handler = apiHandler(target.main, {
      scope: target.scope,
      deps: () => this.deps,
      ...(target.idempotent
        ? { idempotency: { store: () => this.idempotency, fingerprintKey: async () => FINGERPRINT_KEY } }
        : {}),
    });
    const claims =
      options.claims === null
        ? null
        : (options.claims ?? {
            sub: options.sub ?? `${options.team ?? 'alpha'}-user`,
            team: options.team ?? 'alpha',
            scope: options.admin ? 'clusters:admin' : 'clusters:read clusters:write',
          });
    const result = (await handler(
      apiEvent({ ...options, method, route, claims }),
      lambdaContext,
    )) as APIGatewayProxyStructuredResultV2;
    const headers = Object.fromEntries(
      Object.entries(result.headers ?? {}).map(([name, value]) => [name, String(value)]),
    );
    return {
      status: result.statusCode ?? 200,
      headers,
      body: result.body ? JSON.parse(result.body) : undefined,
    };
  }

  /** Create a cluster and move it to `status` as a workflow would. */
  async cluster(
    clusterId: string,
    status: 'READY' | 'CREATING' | 'CREATE_FAILED' | 'DELETED' | ClusterStatus = 'READY',
    team = 'alpha',
  ) {
    const created = await this.call('POST /clusters', {
      path: '/clusters',
      body: { clusterId, keypair: 'demo-key' },
      team,
    });
    if (created.status !== 202)
      throw new Error(`create ${clusterId}: ${created.status} ${JSON.stringify(created.body)}`);
    if (status !== 'CREATING') {
      const record = this.deps.store.record(clusterId, team);
      if (!record) throw new Error('no record');
      record.status = status;
      record.stackId = `arn:aws:cloudformation:us-east-1:123456789012:stack/detcp-test-${clusterId}/1`;
      record.outputs = { masterUrl: 'http://203.0.113.10:8080' };
    }
    return this.deps.store.record(clusterId, team);
  }
}
