/**
 * The audit trail: one entry per accepted state-changing request (not for a refused one, a dry run or
 * an idempotent replay), the workflows' and the reaper's actions, and GET /audit inside the team.
 */
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { AuditEntry, AuditLog, AuditQuery } from '../../../core/audit/entry.ts';
import { reaperAudit } from '../../../core/audit/reaper.ts';
import { auditFromChange } from '../../../core/audit/transitions.ts';
import { readAudit } from '../../../core/operations/read-audit.ts';
import type { Principal } from '../../../core/principal.ts';
import { apiHandler } from '../../../functions/http/api-handler.ts';
import { main as createMain } from '../../../functions/http/clusters/create.ts';
import { apiEvent, lambdaContext } from '../../support/events.ts';
import { fakeDeps, InMemoryIdempotencyStore, type FakeDeps } from '../../support/fakes.ts';
import { ROUTES } from '../api/harness.ts';
import type { ApiMain } from '../../../functions/http/api-handler.ts';

class MemoryAudit implements AuditLog {
  readonly entries: AuditEntry[] = [];
  readonly queries: AuditQuery[] = [];
  failing = false;
  async append(entries: readonly AuditEntry[]) {
    if (this.failing) throw new Error('DynamoDB is down');
    this.entries.push(...entries);
  }
  async list(query: AuditQuery) {
    this.queries.push(query);
    return { items: this.entries.filter((entry) => !query.team || entry.team === query.team) };
  }
}

function createHandler(audit: MemoryAudit, deps: FakeDeps) {
  const idempotency = new InMemoryIdempotencyStore();
  return apiHandler(createMain as ApiMain<FakeDeps>, {
    scope: 'write',
    audit: { action: 'cluster.create', skip: (request) => request.query.dryRun === 'true', log: () => audit },
    idempotency: { store: () => idempotency, fingerprintKey: async () => Buffer.from('k'.repeat(32)) },
    deps: () => deps,
  });
}

async function create(
  handler: ReturnType<typeof createHandler>,
  body: unknown,
  options: { query?: Record<string, string>; headers?: Record<string, string> } = {},
) {
  return (await handler(
    apiEvent({
      method: 'POST',
      path: '/clusters',
      body,
      claims: { sub: 'alice', team: 'bars', scope: 'clusters:read clusters:write' },
      ...options,
    }),
    lambdaContext,
  )) as APIGatewayProxyStructuredResultV2;
}

describe('the audit entry of a request', () => {
  it('records who created which cluster of which team, with the request id and no body', async () => {
    const audit = new MemoryAudit();
    const handler = createHandler(audit, fakeDeps());
    const reply = await create(handler, {
      clusterId: 'c1',
      keypair: 'demo-key',
      dbPassword: 'secret-pass-1',
    });
    expect(reply.statusCode).toBe(202);
    expect(audit.entries).toEqual([
      {
        at: expect.any(String),
        actor: 'alice',
        team: 'bars',
        action: 'cluster.create',
        clusterId: 'c1',
        outcome: 'accepted',
        requestId: expect.stringMatching(/^request-/),
        detail: 'HTTP 202',
      },
    ]);
    expect(JSON.stringify(audit.entries)).not.toContain('secret-pass-1');
  });

  it('records nothing for a refused request, a dry run, or an idempotent replay', async () => {
    const audit = new MemoryAudit();
    const handler = createHandler(audit, fakeDeps());
    expect((await create(handler, { clusterId: '1bad' })).statusCode).toBe(400);
    await create(handler, { clusterId: 'c2', keypair: 'demo-key' }, { query: { dryRun: 'true' } });
    const headers = { 'idempotency-key': 'k-1' };
    await create(handler, { clusterId: 'c3', keypair: 'demo-key' }, { headers });
    const replay = await create(handler, { clusterId: 'c3', keypair: 'demo-key' }, { headers });
    expect(replay.headers?.['idempotent-replayed']).toBe('true');
    expect(audit.entries.map((entry) => entry.clusterId)).toEqual(['c3']);
  });

  it('answers the request even when the entry cannot be written', async () => {
    const audit = new MemoryAudit();
    audit.failing = true;
    const reply = await create(createHandler(audit, fakeDeps()), { clusterId: 'c4', keypair: 'demo-key' });
    expect(reply.statusCode).toBe(202);
  });
});

describe('GET /audit', () => {
  const member: Principal = { sub: 'alice', team: 'bars', scopes: new Set(['read']), admin: false };
  const admin: Principal = { sub: 'root', team: 'ops', scopes: new Set(['read', 'admin']), admin: true };

  it('reads the member’s own team, and nothing of a team it names that is not its own', async () => {
    const audit = new MemoryAudit();
    await readAudit({ audit }, member, { clusterId: 'c1' });
    expect(audit.queries).toEqual([{ team: 'bars', clusterId: 'c1', limit: 50 }]);
    expect(await readAudit({ audit }, member, { team: 'other' })).toEqual({ items: [] });
    expect(audit.queries).toHaveLength(1);
  });

  it('lets an admin read every team, or one', async () => {
    const audit = new MemoryAudit();
    await readAudit({ audit }, admin, { limit: 10 });
    await readAudit({ audit }, admin, { team: 'bars', since: '2030-01-01T00:00:00.000Z' });
    expect(audit.queries).toEqual([
      { limit: 10 },
      { team: 'bars', since: '2030-01-01T00:00:00.000Z', limit: 50 },
    ]);
  });
});

describe('the workflows’ and the reaper’s entries', () => {
  const image = (status: string, extra: Record<string, string> = {}) => ({
    team: 'bars',
    clusterId: 'c1',
    status,
    updatedAt: '2030-01-01T00:10:00.000Z',
    execution: 'c1-create-1',
    ...extra,
  });

  it('records a workflow finishing its operation, with the failure’s reason', () => {
    expect(auditFromChange({ old: image('CREATING'), new: image('READY') })).toEqual([
      {
        at: '2030-01-01T00:10:00.000Z',
        actor: 'workflow',
        team: 'bars',
        action: 'cluster.create',
        clusterId: 'c1',
        outcome: 'READY',
        requestId: 'c1-create-1',
      },
    ]);
    const [failed] = auditFromChange({
      old: image('DELETING'),
      new: image('DELETE_FAILED', { statusReason: 'Bucket not empty' }),
    });
    expect(failed).toMatchObject({
      action: 'cluster.delete',
      outcome: 'DELETE_FAILED',
      detail: 'Bucket not empty',
    });
  });

  it('records nothing for a request’s own transition (READY -> DELETING is the API’s)', () => {
    expect(auditFromChange({ old: image('READY'), new: image('DELETING') })).toEqual([]);
    expect(auditFromChange({ new: image('CREATING') })).toEqual([]);
  });

  it('records the reaper’s warnings and teardowns, not its bookkeeping, and nothing for a dry run', () => {
    const report = {
      dryRun: false,
      pages: 1,
      examined: 3,
      decisions: [
        { team: 'bars', clusterId: 'a', decision: 'warn' as const, detail: 'idle for 2h' },
        { team: 'bars', clusterId: 'b', decision: 'teardown' as const, detail: 'idle' },
        { team: 'bars', clusterId: 'c', decision: 'track' as const },
      ],
      errors: [{ team: 'bars', clusterId: 'b', error: 'throttled' }],
    };
    const at = new Date('2030-01-01T00:00:00.000Z');
    expect(reaperAudit(report, { at, runId: 'reaper-1' })).toEqual([
      expect.objectContaining({
        actor: 'reaper',
        clusterId: 'a',
        action: 'cluster.teardown-warning',
        outcome: 'done',
      }),
      expect.objectContaining({
        actor: 'reaper',
        clusterId: 'b',
        action: 'cluster.delete',
        outcome: 'failed',
        detail: 'throttled',
      }),
    ]);
    expect(reaperAudit({ ...report, dryRun: true }, { at, runId: 'reaper-2' })).toEqual([]);
  });

  it('records the reaper’s stops and starts (idle, schedule, a restarted database) and the budgets’ actions', () => {
    const report = {
      dryRun: false,
      pages: 1,
      examined: 5,
      decisions: [
        { team: 'bars', clusterId: 'idle', decision: 'teardown' as const, detail: 'stop: idle for 1h' },
        { team: 'bars', clusterId: 'old', decision: 'teardown' as const, detail: 'delete: expired' },
        { team: 'bars', clusterId: 'night', decision: 'schedule-stop' as const, detail: '0 20 * * *' },
        { team: 'bars', clusterId: 'day', decision: 'schedule-start' as const, detail: '0 8 * * *' },
        { team: 'bars', clusterId: 'db', decision: 'restop' as const, detail: 'database restarted' },
        { team: 'bars', clusterId: 'kept', decision: 'cancel' as const, detail: 'protected' },
        { team: 'bars', clusterId: 'noted', decision: 'schedule-noted' as const, detail: 'next at 8' },
      ],
      errors: [],
    };
    const budgets = {
      teams: [{ team: 'bars', spentUsd: 101, budgetUsd: 100 }],
      notified: [{ team: 'bars', thresholdPercent: 100 }],
      actions: [
        { team: 'bars', clusterId: 'spender', action: 'warn' as const },
        { team: 'bars', clusterId: 'spent', action: 'stop' as const },
      ],
      errors: [{ team: 'bars', clusterId: 'spent', error: 'throttled' }],
    };
    const entries = reaperAudit(report, { at: new Date('2030-01-01T00:00:00Z'), runId: 'reaper-3' }, budgets);
    expect(entries.map((entry) => [entry.clusterId ?? '-', entry.action, entry.outcome])).toEqual([
      ['idle', 'cluster.stop', 'done'],
      ['old', 'cluster.delete', 'done'],
      ['night', 'cluster.stop', 'done'],
      ['day', 'cluster.start', 'done'],
      ['db', 'cluster.stop', 'done'],
      ['kept', 'cluster.teardown-cancelled', 'done'],
      ['-', 'team.budget-threshold', 'done'],
      ['spender', 'cluster.budget-stop-warning', 'done'],
      ['spent', 'cluster.stop', 'failed'],
    ]);
    expect(entries.every((entry) => entry.actor === 'reaper' && entry.requestId === 'reaper-3')).toBe(true);
    expect(entries.find((entry) => entry.action === 'team.budget-threshold')?.detail).toBe(
      '100 %: $101 of $100',
    );
  });

  it('is declared by every state-changing route serverless.yml serves', () => {
    const changing = Object.entries(ROUTES).filter(([key]) => !key.startsWith('GET '));
    expect(changing.length).toBeGreaterThanOrEqual(9);
    expect(changing.filter(([, route]) => !route.audited).map(([key]) => key)).toEqual([]);
  });
});
