/**
 * API latency and concurrency, against the local runtime:
 * - GET /clusters/{id} through the local API against a raw DynamoDB GetItem of the same item on the
 *   same emulator, interleaved in one run (p50/p99 and their ratios; target: p50 ratio <= 1.5),
 *   one client at a time and then 50 clients at once;
 * - 200 (BENCH_CREATES) concurrent creates of distinct clusters by clients that honour Retry-After:
 *   every answer a 202 or a 503 with Retry-After, creates accepted per second, and every cluster
 *   READY exactly once (none lost, none duplicated).
 */
import { ListStacksCommand, CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { clusterPk } from '../adapters/cluster-store.ts';
import { DEMO_KEY_PAIR } from '../local/bootstrap.ts';
import { benchHeaders, percentile, type BenchSection } from './context.ts';

const SAMPLES = 400;
const CONCURRENT_CREATES = Number(process.env.BENCH_CREATES ?? 200);
const CLIENTS = 50;
const REQUESTS_PER_CLIENT = 10;
/** How long a create client keeps sending its create, as Retry-After says, before it gives up. */
const CLIENT_PATIENCE_MS = 20 * 60_000;
const TABLE = 'det-control-plane-local-clusters';
/** The team of the bench's token (bench/context.ts). */
const BENCH_TEAM = 'bench';

async function waitReady(
  apiUrl: string,
  token: string,
  ids: string[],
  timeoutMs: number,
): Promise<Map<string, string>> {
  const statuses = new Map<string, string>();
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const id of ids) {
      if (statuses.get(id) === 'READY' || statuses.get(id)?.endsWith('FAILED')) continue;
      const response = await fetch(`${apiUrl}/clusters/${id}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      const body = (await response.json()) as { status?: unknown };
      // A cluster's status is a word; a problem's is a number.
      statuses.set(id, typeof body.status === 'string' ? body.status : `HTTP ${response.status}`);
    }
    if (
      [...statuses.values()].every(
        (status) => status === 'READY' || status.endsWith('FAILED') || status.startsWith('HTTP'),
      )
    )
      break;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return statuses;
}

export const api: BenchSection = {
  name: 'api',
  async run(context) {
    const local = await context.local();
    const headers = await benchHeaders();
    const token = headers.authorization?.replace('Bearer ', '') ?? '';
    const clientConfig = {
      endpoint: local.emulatorUrl,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    };
    const dynamo = DynamoDBDocumentClient.from(new DynamoDBClient(clientConfig));

    const probeId = `bench-get-${Date.now().toString(36)}`;
    await fetch(`${local.apiUrl}/clusters`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ clusterId: probeId, keypair: DEMO_KEY_PAIR }),
    });
    await waitReady(local.apiUrl, token, [probeId], 30_000);

    const viaApi: number[] = [];
    const raw: number[] = [];
    // Warm both paths, then interleave so that noise hits both alike.
    for (let index = 0; index < 20; index++) {
      await fetch(`${local.apiUrl}/clusters/${probeId}`, { headers });
      await dynamo.send(
        new GetCommand({
          TableName: TABLE,
          Key: { pk: clusterPk({ team: BENCH_TEAM, clusterId: probeId }), sk: 'CLUSTER' },
        }),
      );
    }
    for (let index = 0; index < SAMPLES; index++) {
      let started = performance.now();
      const response = await fetch(`${local.apiUrl}/clusters/${probeId}`, { headers });
      await response.text();
      viaApi.push(performance.now() - started);
      started = performance.now();
      await dynamo.send(
        new GetCommand({
          TableName: TABLE,
          Key: { pk: clusterPk({ team: BENCH_TEAM, clusterId: probeId }), sk: 'CLUSTER' },
          ConsistentRead: true,
        }),
      );
      raw.push(performance.now() - started);
    }
    const round = (value: number) => Math.round(value * 100) / 100;
    const latency = {
      samples: SAMPLES,
      getViaApiMs: { p50: round(percentile(viaApi, 50)), p99: round(percentile(viaApi, 99)) },
      rawGetItemMs: { p50: round(percentile(raw, 50)), p99: round(percentile(raw, 99)) },
      ratio: {
        p50: round(percentile(viaApi, 50) / percentile(raw, 50)),
        p99: round(percentile(viaApi, 99) / percentile(raw, 99)),
      },
      targetP50Ratio: 1.5,
    };

    // 50 clients at once, each sending its requests one after another: the API, then raw GetItem.
    const concurrentSamples = async (one: () => Promise<unknown>) => {
      const samples: number[] = [];
      await Promise.all(
        Array.from({ length: CLIENTS }, async () => {
          for (let index = 0; index < REQUESTS_PER_CLIENT; index++) {
            const started = performance.now();
            await one();
            samples.push(performance.now() - started);
          }
        }),
      );
      return samples;
    };
    const loadedApi: number[] = [];
    const loadedRaw: number[] = [];
    const answersUnderLoad = new Map<number, number>();
    for (let round = 0; round < 2; round++) {
      loadedApi.push(
        ...(await concurrentSamples(async () => {
          const response = await fetch(`${local.apiUrl}/clusters/${probeId}`, { headers });
          await response.text();
          answersUnderLoad.set(response.status, (answersUnderLoad.get(response.status) ?? 0) + 1);
        })),
      );
      loadedRaw.push(
        ...(await concurrentSamples(() =>
          dynamo.send(
            new GetCommand({
              TableName: TABLE,
              Key: { pk: clusterPk({ team: BENCH_TEAM, clusterId: probeId }), sk: 'CLUSTER' },
              ConsistentRead: true,
            }),
          ),
        )),
      );
    }
    const underLoad = {
      clients: CLIENTS,
      samples: loadedApi.length,
      answers: Object.fromEntries(answersUnderLoad),
      getViaApiMs: { p50: round(percentile(loadedApi, 50)), p99: round(percentile(loadedApi, 99)) },
      rawGetItemMs: { p50: round(percentile(loadedRaw, 50)), p99: round(percentile(loadedRaw, 99)) },
      ratio: {
        p50: round(percentile(loadedApi, 50) / percentile(loadedRaw, 50)),
        p99: round(percentile(loadedApi, 99) / percentile(loadedRaw, 99)),
      },
    };

    const prefix = `bench-many-${Date.now().toString(36)}`;
    const ids = Array.from({ length: CONCURRENT_CREATES }, (_, index) => `${prefix}-${index}`);
    const started = performance.now();
    const retries = { busy: 0, withoutRetryAfter: 0 };
    let acceptedAt = 0;
    // Each client sends its create until it is accepted, waiting as Retry-After says after a 503.
    const replies = await Promise.all(
      ids.map(async (clusterId) => {
        for (;;) {
          const response = await fetch(`${local.apiUrl}/clusters`, {
            method: 'POST',
            headers,
            body: JSON.stringify({ clusterId, keypair: DEMO_KEY_PAIR }),
          });
          await response.text();
          const retryAfter = Number(response.headers.get('retry-after'));
          if (response.status !== 503 || performance.now() - started > CLIENT_PATIENCE_MS) {
            if (response.status === 202) acceptedAt = performance.now();
            return response.status;
          }
          retries.busy += 1;
          if (!retryAfter) retries.withoutRetryAfter += 1;
          await new Promise((resolve) => setTimeout(resolve, (retryAfter || 5) * 1000));
        }
      }),
    );
    const acceptSeconds = ((acceptedAt || performance.now()) - started) / 1000;
    const statuses = await waitReady(local.apiUrl, token, ids, 600_000);
    const allReadySeconds = (performance.now() - started) / 1000;
    const stacks = await new CloudFormationClient(clientConfig).send(new ListStacksCommand({}));
    const stacksPerId = new Map<string, number>();
    for (const stack of stacks.StackSummaries ?? []) {
      if (stack.StackName?.startsWith(prefix))
        stacksPerId.set(stack.StackName, (stacksPerId.get(stack.StackName) ?? 0) + 1);
    }
    const { executions = [] } = await new SFNClient(clientConfig).send(
      new ListExecutionsCommand({
        stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:det-control-plane-local-create',
        maxResults: 1000,
      }),
    );
    const executionsForBatch = executions.filter((execution) => execution.name?.startsWith(prefix)).length;
    const concurrency = {
      creates: CONCURRENT_CREATES,
      accepted: replies.filter((status) => status === 202).length,
      answers: Object.fromEntries(
        [...new Set(replies)].map((status) => [status, replies.filter((reply) => reply === status).length]),
      ),
      acceptedPerSecond: round(replies.filter((status) => status === 202).length / acceptSeconds),
      retries,
      ready: [...statuses.values()].filter((status) => status === 'READY').length,
      createFailed: [...statuses.values()].filter((status) => status === 'CREATE_FAILED').length,
      // Issue 12: every answer is 202 or 503 + Retry-After; a 5xx other than 503 is a bug.
      serverErrors: replies.filter((status) => status >= 500 && status !== 503).length,
      secondsUntilAllReady: Math.round(allReadySeconds * 10) / 10,
      // Accepted but never READY; a refusal is not a loss (it is in `answers`).
      lost: ids.filter((id, index) => replies[index] === 202 && statuses.get(id) !== 'READY').length,
      // A retry answered 409 because an attempt that got a 503 had in fact been accepted.
      conflictAfterBusy: replies.filter((status) => status === 409).length,
      neverReady: Object.fromEntries(
        ids.flatMap((id) => {
          const status = statuses.get(id) ?? 'unknown';
          return status === 'READY' ? [] : [[id, status]];
        }),
      ),
      duplicatedStacks: [...stacksPerId.values()].filter((count) => count > 1).length,
      stacks: stacksPerId.size,
      workflows: executionsForBatch,
    };
    return { latency, underLoad, concurrency };
  },
};
