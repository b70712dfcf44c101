/**
 * Faults injected between the control plane and AWS (issue 12), through a proxy in front of the
 * emulator (local/fault-proxy.ts): the create and delete operations run here with clients that go
 * through the proxy and a short request budget (as the API handler gives each request), and the
 * results are read through the real local API. Each fault ends in a clear status, retried or
 * retryable, with nothing lost and nothing written twice.
 */
import { ListStacksCommand } from '@aws-sdk/client-cloudformation';
import { withDeadline } from '../../adapters/aws/deadline.ts';
import { AwsJsonClient } from '../../adapters/aws/json.ts';
import { AwsQueryClient } from '../../adapters/aws/query.ts';
import { EC2, SECRETS_MANAGER } from '../../adapters/aws/services.ts';
import { reap, type ReapDeps } from '../../core/operations/reap.ts';
import { Ec2KeyPairs } from '../../adapters/key-pairs.ts';
import { SecretsManagerSecrets } from '../../adapters/secrets.ts';
import { createCluster, type CreateDeps } from '../../core/operations/create-cluster.ts';
import { deleteCluster, restartDelete } from '../../core/operations/delete-cluster.ts';
import { releaseStranded } from '../../core/workflow/stranded.ts';
import type { Principal } from '../../core/principal.ts';
import { problemResponse } from '../../functions/http/middleware/problem-details.ts';
import { startFaultProxy, type FaultProxy } from '../../local/fault-proxy.ts';
import { renderTemplate } from '../../templates/src/index.ts';
import { emulatorDeps, reapingOnly } from '../support/emulator-deps.ts';
import {
  call,
  DEMO_KEY_PAIR,
  emulator,
  emulatorUrl,
  tokenFor,
  uniqueId,
  waitForStatus,
} from '../support/local-api.ts';

/**
 * The request budget where AWS freezes: short, so the tests stay fast (the API's own is ~21 s).
 * Elsewhere the budget leaves room for retries after the request's other calls, which take
 * seconds on a loaded CI machine; faults that persist end there by the attempt limit.
 */
const FROZEN_BUDGET_MS = 4000;
const BUDGET_MS = 15_000;
const TEAM = 'faults';
const principal: Principal = {
  sub: 'faults-user',
  team: TEAM,
  scopes: new Set(['read', 'write']),
  admin: false,
};

let proxy: FaultProxy;
let deps: CreateDeps;
let token: string;

beforeAll(async () => {
  proxy = await startFaultProxy(emulatorUrl());
  const emulated = emulatorDeps({
    endpoint: proxy.endpoint,
    client: { baseDelayMs: 50 },
    settings: { policies: { defaults: { maxClusters: 100 } } },
  });
  const options = emulated.client;
  deps = {
    ...emulated,
    secrets: new SecretsManagerSecrets(new AwsJsonClient(SECRETS_MANAGER, options)),
    keyPairs: new Ec2KeyPairs(new AwsQueryClient(EC2, options), { budgetMs: 1000 }),
    renderTemplate,
    generatePassword: () => 'faults-password-0123456789abcdef',
  };
  token = await tokenFor(TEAM);
});
afterEach(() => proxy.clear());
afterAll(() => proxy.close());

/** One request as the API runs it: a budget for its AWS calls, errors as the problem middleware maps them. */
async function request<T>(work: () => Promise<T>, budgetMs = BUDGET_MS) {
  const started = Date.now();
  try {
    const value = await withDeadline(Date.now() + budgetMs, work);
    return { status: 202, value, ms: Date.now() - started, headers: {} as Record<string, unknown> };
  } catch (error) {
    const response = problemResponse(error, 'fault-test');
    return {
      status: response.statusCode,
      ms: Date.now() - started,
      headers: response.headers ?? {},
      body: JSON.parse(response.body ?? '{}') as Record<string, unknown>,
    };
  }
}

const create = (clusterId: string, { keypair = DEMO_KEY_PAIR, budgetMs = BUDGET_MS } = {}) =>
  request(
    () => createCluster(deps, principal, { clusterId, keypair, deploymentType: 'simple' } as never),
    budgetMs,
  );

async function stacksNamed(name: string): Promise<number> {
  const { StackSummaries = [] } = await emulator.cloudFormation().send(new ListStacksCommand({}));
  return StackSummaries.filter((stack) => stack.StackName === name).length;
}

describe('AWS faults during a create', () => {
  it('AWS not answering: a 503 with Retry-After within the budget, nothing written; sent again later, READY', async () => {
    const id = uniqueId('flt-down');
    proxy.inject({ kind: 'freeze' });
    const refused = await create(id, { budgetMs: FROZEN_BUDGET_MS });
    expect(refused.status).toBe(503);
    expect(refused.headers['retry-after']).toMatch(/^\d+$/);
    // The budget plus one last short attempt, with room for a loaded machine: not the frozen socket.
    expect(refused.ms).toBeLessThan(FROZEN_BUDGET_MS + 6000);
    proxy.clear();
    expect((await call('GET', `/clusters/${id}`, { token })).status).toBe(404);

    expect((await create(id)).status).toBe(202);
    await waitForStatus(id, token, 'READY', 60_000);
    expect(await stacksNamed(id)).toBe(1);
  }, 90_000);

  it('EC2 not answering: the create is accepted at once and the workflow checks the key pair', async () => {
    const good = uniqueId('flt-ec2');
    const missing = uniqueId('flt-nokey');
    proxy.inject({ kind: 'freeze', service: 'ec2' });
    const accepted = await create(good);
    const unchecked = await create(missing, { keypair: 'no-such-key-pair' });
    proxy.clear();
    expect([accepted.status, unchecked.status]).toEqual([202, 202]);
    // The key-pair check gave up (after its 1 s) instead of spending the request's budget.
    expect(accepted.ms).toBeLessThan(BUDGET_MS - 5000);
    await waitForStatus(good, token, 'READY', 60_000);
    const failed = await waitForStatus(missing, token, 'CREATE_FAILED', 60_000);
    expect(failed.body.statusReason).toMatch(/key pair/i);
    expect(await stacksNamed(missing)).toBe(0);
  }, 90_000);

  it('StartExecution throttled: retried within the budget; when it persists, a 503 and a retryable record', async () => {
    const brief = uniqueId('flt-thr');
    proxy.inject({ kind: 'throttle', service: 'states', operation: 'StartExecution', times: 2 });
    expect((await create(brief)).status).toBe(202);
    await waitForStatus(brief, token, 'READY', 60_000);

    const lasting = uniqueId('flt-thr2');
    proxy.inject({ kind: 'throttle', service: 'states', operation: 'StartExecution' });
    const refused = await create(lasting);
    expect(refused.status).toBe(503);
    expect(refused.headers['retry-after']).toBe('10');
    proxy.clear();
    const record = await call('GET', `/clusters/${lasting}`, { token });
    expect(record.body.status).toBe('CREATE_FAILED');
    expect(record.body.statusReason).toMatch(/create the cluster again/);
    // The client honours Retry-After and sends the same request: accepted, one stack, READY.
    expect((await create(lasting)).status).toBe(202);
    await waitForStatus(lasting, token, 'READY', 60_000);
    expect(await stacksNamed(lasting)).toBe(1);
  }, 120_000);
});

describe('a 503 that could not give its record back (ADR 0033)', () => {
  it('the same create, sent again after Retry-After, runs again: 409 before, then one stack, READY', async () => {
    const id = uniqueId('flt-strand');
    // Step Functions and the record's release both fail to the end of the request.
    proxy.inject({ kind: 'unavailable', service: 'states' });
    proxy.inject({ kind: 'unavailable', service: 'dynamodb', operation: 'UpdateItem' });
    const refused = await create(id, { budgetMs: FROZEN_BUDGET_MS });
    proxy.clear();
    expect(refused.status).toBe(503);
    // Back once no request can still be starting it: API Gateway's limit.
    const wait = Number(refused.headers['retry-after']);
    expect(wait).toBe(30);
    expect((await call('GET', `/clusters/${id}`, { token })).body.status).toBe('CREATING');

    // At once: as for any create in progress (the first request may still be starting it).
    expect((await create(id)).status).toBe(409);
    expect((await call('GET', `/clusters/${id}`, { token })).body.status).toBe('CREATING');

    // After Retry-After (the clock moved on instead of the test waiting): released and created again.
    const later = { ...deps, clock: { now: () => new Date(Date.now() + (wait + 1) * 1000) } };
    const resumed = await request(() =>
      createCluster(later, principal, {
        clusterId: id,
        keypair: DEMO_KEY_PAIR,
        deploymentType: 'simple',
      } as never),
    );
    expect(resumed.status).toBe(202);
    await waitForStatus(id, token, 'READY', 60_000);
    expect(await stacksNamed(id)).toBe(1);
  }, 120_000);
});

describe('StartExecution took effect but its answer was lost, and DescribeExecution is down (ADR 0033)', () => {
  it('a create: accepted once (claimed) or released and re-created: one workflow builds the one stack', async () => {
    const id = uniqueId('flt-lost');
    proxy.inject({ kind: 'lose-answer', service: 'states', operation: 'StartExecution' });
    proxy.inject({ kind: 'unavailable', service: 'states', operation: 'DescribeExecution' });
    const first = await create(id);
    proxy.clear();
    expect(proxy.faulted['lose-answer']).toBeGreaterThanOrEqual(1);
    // Either the workflow claimed the record before the request could release it (202), or the
    // request released it (503 + Retry-After) and the late workflow finds it not its own.
    expect([202, 503]).toContain(first.status);
    if (first.status === 503) {
      expect(first.headers['retry-after']).toMatch(/^\d+$/);
      const released = await call('GET', `/clusters/${id}`, { token });
      expect(released.body.status).toMatch(/^(CREATE_FAILED|CREATING)$/);
      // The client honours Retry-After and sends the same request again.
      await waitForStatus(id, token, 'CREATE_FAILED', 60_000);
      expect((await create(id)).status).toBe(202);
    }
    await waitForStatus(id, token, 'READY', 120_000);
    expect(await stacksNamed(id)).toBe(1);
  }, 240_000);

  it('a delete: accepted (claimed), or answered 503 with the cluster as it was; DELETED once, data kept', async () => {
    const id = uniqueId('flt-lostd');
    expect((await create(id)).status).toBe(202);
    await waitForStatus(id, token, 'READY', 120_000);
    proxy.inject({ kind: 'lose-answer', service: 'states', operation: 'StartExecution' });
    proxy.inject({ kind: 'unavailable', service: 'states', operation: 'DescribeExecution' });
    const first = await request(() =>
      deleteCluster(deps, principal, { team: TEAM, clusterId: id }, { purge: false }),
    );
    proxy.clear();
    expect([202, 503]).toContain(first.status);
    if (first.status === 503) {
      // Released to READY unless the workflow had claimed it; then it is DELETING and runs.
      const now = await call('GET', `/clusters/${id}`, { token });
      expect(['READY', 'DELETING', 'DELETED']).toContain(now.body.status);
      if (now.body.status === 'READY') {
        const again = await request(() =>
          deleteCluster(deps, principal, { team: TEAM, clusterId: id }, { purge: false }),
        );
        expect(again.status).toBe(202);
      }
    }
    const deleted = await waitForStatus(id, token, 'DELETED', 120_000);
    expect(deleted.body.retained?.checkpointBucket).toBeTruthy();
  }, 300_000);
});

describe('AWS faults during a delete', () => {
  it('AWS not answering: a 503, the cluster stays READY; sent again later, DELETED with its data kept', async () => {
    const id = uniqueId('flt-del');
    expect((await create(id)).status).toBe(202);
    await waitForStatus(id, token, 'READY', 60_000);
    proxy.inject({ kind: 'unavailable', service: 'dynamodb' });
    const refused = await request(() =>
      deleteCluster(deps, principal, { team: TEAM, clusterId: id }, { purge: false }),
    );
    expect(refused.status).toBe(503);
    proxy.clear();
    expect((await call('GET', `/clusters/${id}`, { token })).body.status).toBe('READY');
    const accepted = await request(() =>
      deleteCluster(deps, principal, { team: TEAM, clusterId: id }, { purge: false }),
    );
    expect(accepted.status).toBe(202);
    const deleted = await waitForStatus(id, token, 'DELETED', 60_000);
    expect(deleted.status).toBe(200);
    expect(deleted.body.retained?.checkpointBucket).toBeTruthy();
  }, 120_000);
});

describe('conditional-write conflicts in bursts', () => {
  it('a create whose transaction DynamoDB cancels for conflicting ones is retried and accepted once', async () => {
    const id = uniqueId('flt-txn');
    proxy.inject({
      kind: 'transaction-conflict',
      service: 'dynamodb',
      operation: 'TransactWriteItems',
      times: 3,
    });
    expect((await create(id)).status).toBe(202);
    expect(proxy.faulted['transaction-conflict']).toBeGreaterThanOrEqual(3);
    await waitForStatus(id, token, 'READY', 60_000);
    expect(await stacksNamed(id)).toBe(1);
  }, 90_000);

  it('20 keep-alives at once on one cluster: each 200 or 409, never a 500, and the cluster stays READY', async () => {
    const id = uniqueId('flt-burst');
    expect((await create(id)).status).toBe(202);
    await waitForStatus(id, token, 'READY', 60_000);
    const replies = await Promise.all(
      Array.from({ length: 20 }, () => call('POST', `/clusters/${id}/keepalive`, { token, body: {} })),
    );
    const statuses = replies.map((reply) => reply.status);
    expect(statuses.every((status) => status === 200 || status === 409)).toBe(true);
    expect(statuses).toContain(200);
    expect((await call('GET', `/clusters/${id}`, { token })).body.status).toBe('READY');
  }, 90_000);
});

describe('AWS faults during a reaper run', () => {
  /** The reaper as it runs on AWS, through the proxy, reaping only cluster `id` (the emulator is shared). */
  function reaperOf(id: string): ReapDeps {
    // A worker has no request budget: its clients' own short limits.
    const worker = emulatorDeps({
      endpoint: proxy.endpoint,
      client: { timeoutMs: 1000, maxAttempts: 2 },
      masterTimeoutMs: 1000,
    });
    return {
      ...deps,
      store: reapingOnly(deps.store, (cluster) => cluster.clusterId === id),
      agents: worker.agents,
      databases: worker.databases,
      masters: worker.masters,
      notifier: worker.notifier,
      reaper: { graceSeconds: 600, pageSize: 200, masterConcurrency: 10 },
    };
  }

  it('EC2 not answering mid run: the run ends, reports it, changes nothing; the next run completes', async () => {
    const id = uniqueId('flt-reap');
    expect((await create(id)).status).toBe(202);
    await waitForStatus(id, token, 'READY', 60_000);
    const before = await call('GET', `/clusters/${id}`, { token });
    const reapDeps = reaperOf(id);
    proxy.inject({ kind: 'freeze', service: 'ec2' });
    const started = Date.now();
    const down = await reap(reapDeps, { dryRun: false }).then(
      (report) => ({ report, failed: report.errors.length > 0 }),
      (error: Error) => ({ report: undefined, failed: Boolean(error.message) }),
    );
    expect(down.failed).toBe(true);
    expect(Date.now() - started).toBeLessThan(30_000);
    proxy.clear();
    const after = await call('GET', `/clusters/${id}`, { token });
    expect(after.body.status).toBe('READY');
    expect(after.body.updatedAt).toBe(before.body.updatedAt);

    const up = await reap(reapDeps, { dryRun: false });
    expect(up.errors).toEqual([]);
    expect(up.examined).toBeGreaterThanOrEqual(1);
  }, 120_000);

  it('AWS going down as a teardown starts: the run reports it; the watchdog starts the delete again and the data is kept', async () => {
    const id = uniqueId('flt-reapd');
    expect((await create(id)).status).toBe(202);
    await waitForStatus(id, token, 'READY', 60_000);
    const ready = await deps.store.get({ team: TEAM, clusterId: id });
    if (!ready) throw new Error('no record');
    // Expired and warned: this run tears it down.
    const past = new Date(Date.now() - 60_000).toISOString();
    await deps.store.update(
      ready,
      { version: ready.version },
      { idle: { ...ready.idle, expiresAt: past, teardownAt: past, teardownReason: 'expired' } },
    );
    const reapDeps = reaperOf(id);
    // The outage begins with the workflow's start: Step Functions, then DynamoDB, so the record
    // written DELETING cannot be given back either.
    proxy.inject({
      kind: 'unavailable',
      service: 'states',
      then: [{ kind: 'unavailable', service: 'dynamodb' }],
    });
    const down = await withDeadline(Date.now() + BUDGET_MS, () => reap(reapDeps, { dryRun: false })).then(
      (report) => report.errors.length,
      () => 1,
    );
    proxy.clear(); // AWS is back
    expect(down).toBeGreaterThan(0);
    const stranded = await deps.store.get({ team: TEAM, clusterId: id });
    expect(stranded?.status).toBe('DELETING');

    // The watchdog's sweep (every minute on AWS; its grace passed here by setting it to 0).
    const sweep = await releaseStranded({
      inProgress: async () => (stranded ? [stranded] : []),
      running: new Set(),
      releaseUnclaimed: (record, expect, changes) => deps.store.releaseUnclaimed(record, expect, changes),
      markOnVersion: async () => false,
      restartDelete: (record) => restartDelete(deps, record),
      now: new Date(),
      graceSeconds: 0,
    });
    expect(sweep).toMatchObject({ errors: 0, restarted: [{ clusterId: id, team: TEAM }] });
    const deleted = await waitForStatus(id, token, 'DELETED', 120_000);
    expect(deleted.body.retained?.checkpointBucket).toBeTruthy();
    expect(deleted.body.retained?.dbSnapshot).toBeTruthy();
  }, 240_000);
});
