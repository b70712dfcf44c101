/** Drives the real middy handlers (error mapping, idempotency) with fake dependencies. */
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { apiHandler, type ApiMain, type RouteSettings } from '../../../functions/http/api-handler.ts';
import { readRoutes } from '../../../local/gateway.ts';
import { projectRoot } from '../../../local/paths.ts';
import { apiEvent, lambdaContext, type EventOptions } from '../../support/events.ts';
import { fakeDeps, InMemoryIdempotencyStore, type FakeDeps } from '../../support/fakes.ts';
import type { ClusterStatus } from '../../../core/cluster/status.ts';

/** The fingerprint key the unit tests' handlers use (production reads it from Secrets Manager). */
export const FINGERPRINT_KEY = Buffer.from('unit-test-fingerprint-key-0123456789abcdef');

export interface Reply {
  status: number;
  headers: Record<string, string>;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- parsed JSON of any endpoint
}

interface RouteTarget extends RouteSettings {
  main: ApiMain<FakeDeps>;
  route: string;
}

/**
 * Each route as serverless.yml wires it, with its handler's own `main`, scope and idempotency (read
 * off the deployed handler, not copied): the API tests call exactly what API Gateway would.
 */
async function servedRoutes(): Promise<Record<string, RouteTarget>> {
  const routes: Record<string, RouteTarget> = {};
  for (const route of readRoutes()) {
    const dot = route.handler.lastIndexOf('.');
    const module = (await import(
      pathToFileURL(join(projectRoot, `${route.handler.slice(0, dot)}.ts`)).href
    )) as { main?: ApiMain<FakeDeps>; handler?: { settings?: RouteSettings } };
    const settings = module.handler?.settings;
    // Routes outside apiHandler (health, the OpenAPI document) take no token and no deps.
    if (!module.main || !settings) continue;
    routes[`${route.method} ${route.path}`] = { main: module.main, route: route.path, ...settings };
  }
  return routes;
}

export const ROUTES = await servedRoutes();

export class Api {
  readonly deps: FakeDeps;
  readonly idempotency = new InMemoryIdempotencyStore();

  constructor(deps: FakeDeps = fakeDeps()) {
    this.deps = deps;
  }

  async call(
    routeKey: string,
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
