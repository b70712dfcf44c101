/**
 * Cost and budgets in the emulator: the real table (the spend ledger's items and its sparse index),
 * the real create and delete workflows, EC2 for the agent count and EventBridge for the notices.
 * Team budget-emu has a budget of $0.005 (test/emulator/global-setup.ts): its first cluster is
 * accepted, the minimum charges of its start spend the budget, the second is refused with 429
 * budget-exceeded, and after a warning the running cluster is torn down with its data kept. The
 * thresholds reach the team's webhook too, through the reaper's notifier (TeamNotifier), the real
 * delivery queue and the local runtime's delivery worker, signed per Standard Webhooks.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { Webhook } from 'standardwebhooks';
import { HeadBucketCommand } from '@aws-sdk/client-s3';
import { AwsJsonClient } from '../../adapters/aws/json.ts';
import { SQS, type SqsClient } from '../../adapters/aws/services.ts';
import { SqsDeliveryQueue } from '../../adapters/delivery-queue.ts';
import { DynamoWebhookStore } from '../../adapters/webhook-store.ts';
import { publishTeamEvents } from '../../core/notifications/publish.ts';
import { TeamNotifier } from '../../core/notifications/team-notifier.ts';
import { LOCAL_STACK } from '../../local/bootstrap.ts';
import { spendRun, type SpendRun } from '../../functions/reaper/handler.ts';
import { CLUSTERS_TABLE, emulatorDeps, settlingOnly } from '../support/emulator-deps.ts';
import { call, DEMO_KEY_PAIR, emulator, tokenFor, uniqueId, waitForStatus } from '../support/local-api.ts';

const TEAM = 'budget-emu';
const BUDGET = 0.005;
const GRACE = 2;

describe('a team over its monthly budget, in the emulator', () => {
  // Real time: the workflows write their timeline at the emulator's time, and so must the settlement.
  const clock = { now: () => new Date() };
  let token: string;
  let run: () => Promise<SpendRun>;
  let receiver: Server;
  let secret: string;
  const received: { headers: Record<string, string>; body: string }[] = [];

  afterAll(async () => {
    receiver.closeAllConnections();
    await new Promise((resolve) => receiver.close(resolve));
  });

  beforeAll(async () => {
    token = await tokenFor(TEAM);
    // The team's webhook for budget thresholds, on a receiver here.
    receiver = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        const headers = Object.fromEntries(
          Object.entries(request.headers).map(([name, value]) => [name, String(value)]),
        );
        received.push({ headers, body });
        response.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/budget`;
    const hook = await call('PUT', `/teams/${TEAM}/webhooks/money`, {
      token,
      body: { url, events: ['team.budget-threshold'], format: 'json' },
    });
    expect(hook.status).toBe(200);
    secret = hook.body.secret;
    const { Stacks = [] } = await emulator
      .cloudFormation()
      .send(new DescribeStacksCommand({ StackName: LOCAL_STACK }));
    const queueUrl =
      Stacks[0]?.Outputs?.find((output) => output.OutputKey === 'WebhookDeliveryQueueUrl')?.OutputValue ?? '';

    const emulated = emulatorDeps({
      clock,
      settings: { stackPrefix: 'detcp-local', policies: { teams: { [TEAM]: { monthlyBudgetUsd: BUDGET } } } },
    });
    const { db, client } = emulated;
    const deps = {
      ...emulated,
      // Other test files share the emulator: settle this team's clusters only.
      ledger: settlingOnly(emulated.ledger, (cluster) => cluster.team === TEAM),
      // As functions/deps.ts wires it: EventBridge for operators, the team's webhooks through the queue.
      notifier: new TeamNotifier(
        emulated.notifier,
        (events) =>
          publishTeamEvents(
            {
              webhooks: new DynamoWebhookStore(db, { tableName: CLUSTERS_TABLE, now: () => clock.now() }),
              deliveries: new SqsDeliveryQueue(new AwsJsonClient(SQS, client) as SqsClient, queueUrl),
            },
            events,
          ),
        () => clock.now(),
      ),
      graceSeconds: GRACE,
    };
    run = () => spendRun(deps, { dryRun: false });
  });

  it('accepts the first cluster, refuses the second with 429, and stops the first after a warning; a start is refused too', async () => {
    const first = uniqueId('budget');
    const created = await call('POST', '/clusters', {
      token,
      body: { clusterId: first, keypair: DEMO_KEY_PAIR, idleTimeout: 'never' },
    });
    expect(created.status).toBe(202);
    // The minimum charges of a start: 60 s of m5.large and ten minutes of db.t4g.medium, $0.012433.
    expect(created.body.cost.monthToDate).toBeGreaterThan(BUDGET);
    const ready = await waitForStatus(first, token, 'READY');

    const refused = await call('POST', '/clusters', {
      token,
      body: { clusterId: uniqueId('budget'), keypair: DEMO_KEY_PAIR },
    });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('content-type')).toBe('application/problem+json');
    expect(refused.body).toMatchObject({
      type: expect.stringMatching(/budget-exceeded$/),
      budgetUsd: BUDGET,
    });
    expect(refused.body.spentUsd).toBeGreaterThanOrEqual(BUDGET);

    const settled = await run();
    expect(settled.settlement).toMatchObject({ settled: 1, teams: [TEAM] });
    expect(settled.budgets.notified).toEqual([
      { team: TEAM, thresholdPercent: 80 },
      { team: TEAM, thresholdPercent: 100 },
    ]);
    expect(settled.budgets.actions).toEqual([{ team: TEAM, clusterId: first, action: 'warn' }]);
    // Both thresholds reach the team's webhook, signed, each once.
    const deadline = Date.now() + 30_000;
    while (received.length < 2 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 250));
    const thresholds = received.map(({ headers, body }) => {
      const event = new Webhook(secret).verify(body, headers) as {
        type: string;
        data: { team: string; thresholdPercent: number; budgetUsd: number };
      };
      return [event.type, event.data.team, event.data.thresholdPercent, event.data.budgetUsd];
    });
    expect(thresholds.sort()).toEqual([
      ['team.budget-threshold', TEAM, 100, BUDGET],
      ['team.budget-threshold', TEAM, 80, BUDGET],
    ]);

    const team = await call('GET', `/teams/${TEAM}`, { token });
    expect(team.status).toBe(200);
    expect(team.body.spend).toMatchObject({
      budgetUsd: BUDGET,
      notified: { 80: expect.any(String), 100: expect.any(String) },
    });
    expect(team.body.spend.monthToDate).toBeGreaterThanOrEqual(BUDGET);
    expect(team.body.usage).toMatchObject({ clusters: 1, byStatus: { READY: 1 } });

    await new Promise((resolve) => setTimeout(resolve, (GRACE + 0.5) * 1000));
    const stopped = await run();
    expect(stopped.budgets.actions).toEqual([{ team: TEAM, clusterId: first, action: 'stop' }]);
    expect((await call('GET', `/clusters/${first}`, { token })).body.status).toBe('STOPPING');
    const stoppedView = await waitForStatus(first, token, 'STOPPED', 60_000);
    // A stop keeps everything: the same bucket and master address, ready for a start.
    expect(stoppedView.body.outputs.checkpointBucket).toBe(ready.body.outputs.checkpointBucket);
    await expect(
      emulator.s3().send(new HeadBucketCommand({ Bucket: ready.body.outputs.checkpointBucket })),
    ).resolves.toBeDefined();
    const start = await call('POST', `/clusters/${first}/start`, { token, body: {} });
    expect(start.status).toBe(429);
    expect(start.body.type).toMatch(/budget-exceeded$/);

    const kinds = (
      (await call('GET', `/clusters/${first}/events?limit=100`, { token })).body.items as { kind: string }[]
    ).map((entry) => entry.kind);
    expect(kinds).toEqual(
      expect.arrayContaining(['budget-threshold', 'budget-stop-warning', 'stop-requested', 'stopped']),
    );

    // A stopped cluster still costs its standing parts (volumes, database storage): its spend stays open.
    const again = await run();
    expect(again.settlement).toMatchObject({ settled: 1, closed: 0, errors: [] });
    expect(again.budgets.actions).toEqual([]);
  }, 120_000);
});
