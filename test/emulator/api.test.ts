/**
 * The API contract over HTTP against the local runtime: every endpoint, every error status,
 * tenancy, concurrency on one id, and that a given password never leaves Secrets Manager.
 */
import { CreateStackCommand, DescribeStacksCommand, ListStacksCommand } from '@aws-sdk/client-cloudformation';
import { CreateKeyPairCommand } from '@aws-sdk/client-ec2';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { GetExecutionHistoryCommand, ListExecutionsCommand } from '@aws-sdk/client-sfn';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { stackName } from '../../core/cluster/naming.ts';
import { call, DEMO_KEY_PAIR, emulator, tokenFor, uniqueId, waitForStatus } from '../support/local-api.ts';

const TABLE = 'det-control-plane-local-clusters';
const CREATE_MACHINE = 'arn:aws:states:us-east-1:123456789012:stateMachine:det-control-plane-local-create';
/** The local runtime's stack prefix (local/start.ts): none, a stack is named like its cluster. */
const PREFIX = '';

describe('the API over HTTP', () => {
  let alpha: string;
  let beta: string;
  let admin: string;

  beforeAll(async () => {
    [alpha, beta, admin] = await Promise.all([
      tokenFor('api-alpha'),
      tokenFor('api-beta'),
      tokenFor('api-ops', { admin: true }),
    ]);
  });

  it('answers /health and /openapi.json without a token, and everything else not without one', async () => {
    expect((await call('GET', '/health')).status).toBe(200);
    const openapi = await call('GET', '/openapi.json');
    expect(openapi.status).toBe(200);
    expect(openapi.body.openapi).toBe('3.1.0');
    expect(Object.keys(openapi.body.paths)).toEqual(
      expect.arrayContaining([
        '/clusters',
        '/clusters/{clusterId}',
        '/clusters/{clusterId}/events',
        '/clusters/{clusterId}/keepalive',
      ]),
    );
    for (const [method, path] of [
      ['GET', '/clusters'],
      ['POST', '/clusters'],
      ['GET', '/clusters/x'],
      ['PATCH', '/clusters/x'],
      ['DELETE', '/clusters/x'],
      ['GET', '/clusters/x/events'],
      ['POST', '/clusters/x/keepalive'],
    ] as const) {
      const reply = await call(method, path);
      expect(reply.status).toBe(401);
      expect(reply.headers.get('content-type')).toBe('application/problem+json');
    }
    expect((await call('GET', '/clusters', { token: 'not.a.jwt' })).status).toBe(401);
    expect((await call('GET', '/clusters', { token: `${alpha}x` })).status).toBe(401);
  });

  it('returns the contract’s error statuses as problem+json and writes nothing for a rejected request', async () => {
    const id = uniqueId('api-bad');
    const cases: [string, Parameters<typeof call>[2], number][] = [
      ['bad id', { token: alpha, body: { clusterId: '1bad', keypair: DEMO_KEY_PAIR } }, 400],
      ['unknown field', { token: alpha, body: { clusterId: id, keypair: DEMO_KEY_PAIR, surprise: 1 } }, 400],
      [
        'bad CIDR',
        { token: alpha, body: { clusterId: id, keypair: DEMO_KEY_PAIR, inboundCidr: '10.0.0.0/33' } },
        400,
      ],
      ['not JSON', { token: alpha, rawBody: 'hello', headers: { 'content-type': 'text/plain' } }, 415],
      ['too large', { token: alpha, body: { clusterId: id, keypair: 'k'.repeat(20_000) } }, 413],
    ];
    for (const [name, options, status] of cases) {
      const reply = await call('POST', '/clusters', options);
      expect({ name, status: reply.status }).toEqual({ name, status });
      expect(reply.body).toMatchObject({
        status,
        type: expect.stringMatching(/^urn:det-control-plane:problem:/),
        title: expect.any(String),
      });
      if (status === 400) expect(reply.body.errors.length).toBeGreaterThan(0);
    }
    expect((await call('GET', `/clusters/${id}`, { token: alpha })).status).toBe(404);
  });

  it('keeps teams apart: another team’s cluster is 404 to read, list, change or delete; an admin sees it', async () => {
    const id = uniqueId('api-tenant');
    expect(
      (await call('POST', '/clusters', { token: alpha, body: { clusterId: id, keypair: DEMO_KEY_PAIR } }))
        .status,
    ).toBe(202);
    await waitForStatus(id, alpha, 'READY');

    expect((await call('GET', `/clusters/${id}`, { token: beta })).status).toBe(404);
    expect((await call('GET', `/clusters/${id}/events`, { token: beta })).status).toBe(404);
    expect(
      (await call('PATCH', `/clusters/${id}`, { token: beta, body: { maxDynamicAgents: 2 } })).status,
    ).toBe(404);
    expect((await call('POST', `/clusters/${id}/keepalive`, { token: beta })).status).toBe(404);
    expect((await call('DELETE', `/clusters/${id}`, { token: beta })).status).toBe(404);
    const listed = await call('GET', '/clusters?limit=100', { token: beta });
    expect(listed.body.items.map((cluster: { clusterId: string }) => cluster.clusterId)).not.toContain(id);
    // The other team's requests changed nothing.
    expect((await call('GET', `/clusters/${id}`, { token: alpha })).body).toMatchObject({
      status: 'READY',
      version: 3,
    });

    // Ids are per team: an admin names the team of the cluster it reads.
    expect((await call('GET', `/clusters/${id}`, { token: admin })).status).toBe(404);
    expect((await call('GET', `/clusters/${id}?team=api-alpha`, { token: admin })).body.team).toBe(
      'api-alpha',
    );
    const all = await call('GET', '/clusters?limit=100', { token: admin });
    expect(all.body.items.map((cluster: { clusterId: string }) => cluster.clusterId)).toContain(id);

    expect((await call('DELETE', `/clusters/${id}`, { token: alpha })).status).toBe(202);
    await waitForStatus(id, alpha, 'DELETED');
  }, 60_000);

  it('lets 50 concurrent creates of one id produce one 202, 49 409s, one workflow and one stack', async () => {
    const id = uniqueId('api-race');
    const replies = await Promise.all(
      Array.from({ length: 50 }, () =>
        call('POST', '/clusters', { token: alpha, body: { clusterId: id, keypair: DEMO_KEY_PAIR } }),
      ),
    );
    const statuses = replies.map((reply) => reply.status).sort();
    const count = (status: number) => statuses.filter((other) => other === status).length;
    // One winner; the others 409 (the id is taken), or on a loaded emulator 503 with Retry-After
    // (the contract's answer for a busy AWS); never a 500, never a second 202.
    expect({ accepted: count(202), other: statuses.length - count(202) - count(409) - count(503) }).toEqual({
      accepted: 1,
      other: 0,
    });
    expect(count(409)).toBeGreaterThan(0);
    for (const reply of replies.filter((answer) => answer.status === 503))
      expect(reply.headers.get('retry-after')).toMatch(/^\d+$/);
    await waitForStatus(id, alpha, 'READY');

    const { executions = [] } = await emulator
      .sfn()
      .send(new ListExecutionsCommand({ stateMachineArn: CREATE_MACHINE, maxResults: 1000 }));
    expect(
      executions.filter(
        (execution) => execution.name?.startsWith(`${id}-`) && execution.name.includes('-c-'),
      ),
    ).toHaveLength(1);
    const { StackSummaries = [] } = await emulator.cloudFormation().send(new ListStacksCommand({}));
    const stack = stackName(PREFIX, id);
    expect(stack).toBe(id);
    expect(StackSummaries.filter((summary) => summary.StackName === stack)).toHaveLength(1);
  }, 60_000);

  it('replays an idempotent retry and refuses the key with another body', async () => {
    const id = uniqueId('api-idem');
    const body = { clusterId: id, keypair: DEMO_KEY_PAIR };
    const headers = { 'idempotency-key': `key-${id}` };
    const first = await call('POST', '/clusters', { token: alpha, body, headers });
    const again = await call('POST', '/clusters', { token: alpha, body, headers });
    expect([first.status, again.status]).toEqual([202, 202]);
    expect(again.body).toEqual(first.body);
    const other = await call('POST', '/clusters', {
      token: alpha,
      body: { ...body, deploymentType: 'vpc' },
      headers,
    });
    expect(other.status).toBe(422);
    await waitForStatus(id, alpha, 'READY');
  }, 60_000);

  it('keeps a given database password out of the table, the workflow history and every response', async () => {
    const id = uniqueId('api-secret');
    const password = `Sec-${Date.now().toString(36)}-ret!`;
    const replies = [
      await call('POST', '/clusters?dryRun=true', {
        token: alpha,
        body: { clusterId: id, keypair: DEMO_KEY_PAIR, dbPassword: password },
      }),
    ];
    replies.push(
      await call('POST', '/clusters', {
        token: alpha,
        body: { clusterId: id, keypair: DEMO_KEY_PAIR, dbPassword: password },
      }),
    );
    const ready = await waitForStatus(id, alpha, 'READY');
    replies.push(ready);
    replies.push(await call('GET', `/clusters/${id}/events`, { token: alpha }));
    replies.push(await call('GET', '/clusters?limit=100', { token: alpha }));
    for (const reply of replies) expect(reply.text).not.toContain(password);

    // The secret holds it, and the stack was given only the secret's name.
    const stack = (
      await emulator.cloudFormation().send(new DescribeStacksCommand({ StackName: ready.body.stackId }))
    ).Stacks?.[0];
    const secretName =
      stack?.Parameters?.find((parameter) => parameter.ParameterKey === 'ClusterSecretName')
        ?.ParameterValue ?? '';
    const { SecretString } = await emulator
      .secrets()
      .send(new GetSecretValueCommand({ SecretId: secretName }));
    expect(JSON.parse(SecretString ?? '{}').dbPassword).toBe(password);
    expect(JSON.stringify(stack)).not.toContain(password);

    const { Items = [] } = await emulator.dynamo().send(new ScanCommand({ TableName: TABLE }));
    expect(JSON.stringify(Items)).not.toContain(password);
    const { executions = [] } = await emulator
      .sfn()
      .send(new ListExecutionsCommand({ stateMachineArn: CREATE_MACHINE, maxResults: 1000 }));
    const execution = executions.find(
      (candidate) => candidate.name?.startsWith(`${id}-`) && candidate.name.includes('-c-'),
    );
    const history = await emulator
      .sfn()
      .send(new GetExecutionHistoryCommand({ executionArn: execution?.executionArn }));
    expect(JSON.stringify(history.events)).not.toContain(password);
  }, 60_000);

  it('pages the timeline: control-plane entries and stack events, newest first', async () => {
    const id = uniqueId('api-timeline');
    await call('POST', '/clusters', { token: alpha, body: { clusterId: id, keypair: DEMO_KEY_PAIR } });
    await waitForStatus(id, alpha, 'READY');
    // The workflow writes its "ready" entry just after the status.
    for (let attempt = 0; attempt < 20; attempt++) {
      const kinds = (await call('GET', `/clusters/${id}/events?limit=100`, { token: alpha })).body.items.map(
        (entry: { kind: string }) => entry.kind,
      );
      if (kinds.includes('ready')) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const first = await call('GET', `/clusters/${id}/events?limit=2`, { token: alpha });
    expect(first.status).toBe(200);
    expect(first.body.items).toHaveLength(2);
    const rest = await call('GET', `/clusters/${id}/events?limit=100&nextToken=${first.body.nextToken}`, {
      token: alpha,
    });
    const all = [...first.body.items, ...rest.body.items];
    const sources = new Set(all.map((entry: { source: string }) => entry.source));
    expect(sources).toEqual(new Set(['control-plane', 'stack']));
    const times = all.map((entry: { at: string }) => entry.at);
    expect([...times].sort().reverse()).toEqual(times);
    expect(all.map((entry: { kind: string }) => entry.kind)).toEqual(
      expect.arrayContaining(['create-requested', 'ready']),
    );
  }, 60_000);

  it('keeps a live id to its team: another team gets a 409 that says nothing about it, and a fresh cluster once it is DELETED (finding 4)', async () => {
    const id = uniqueId('api-twin');
    const first = await call('POST', '/clusters', {
      token: alpha,
      body: { clusterId: id, keypair: DEMO_KEY_PAIR, tags: { project: 'alpha-secret' } },
    });
    expect(first.status).toBe(202);
    const refused = await call('POST', '/clusters', {
      token: beta,
      body: { clusterId: id, keypair: DEMO_KEY_PAIR },
    });
    expect(refused.status).toBe(409);
    expect(refused.headers.get('content-type')).toBe('application/problem+json');
    expect(refused.body.detail).toBe(`Cluster id ${id} is not available; choose another id.`);
    for (const leak of ['api-alpha', 'alpha-user', 'CREATING', 'READY', 'alpha-secret'])
      expect(refused.text).not.toContain(leak);
    // Nothing was written for beta, and alpha's cluster is untouched.
    expect((await call('GET', `/clusters/${id}`, { token: beta })).status).toBe(404);
    const a = await waitForStatus(id, alpha, 'READY');
    expect(a.body.stackId).toContain(`:stack/${stackName(PREFIX, id)}/`);
    // Still refused while READY, also to an idempotent retry with a key.
    const again = await call('POST', '/clusters', {
      token: beta,
      body: { clusterId: id, keypair: DEMO_KEY_PAIR },
      headers: { 'idempotency-key': `twin-${id}` },
    });
    expect(again.status).toBe(409);
    expect(again.text).not.toContain('READY');

    expect((await call('DELETE', `/clusters/${id}`, { token: alpha })).status).toBe(202);
    await waitForStatus(id, alpha, 'DELETED');
    const fresh = await call('POST', '/clusters', {
      token: beta,
      body: { clusterId: id, keypair: DEMO_KEY_PAIR },
    });
    expect(fresh.status).toBe(202);
    expect(fresh.body).toMatchObject({ team: 'api-beta', version: 1, status: 'CREATING' });
    const b = await waitForStatus(id, beta, 'READY');
    expect(b.body.stackId).not.toBe(a.body.stackId);
    expect(b.text).not.toContain('alpha');
    const timeline = await call('GET', `/clusters/${id}/events?limit=100`, { token: beta });
    expect(timeline.text).not.toContain('alpha');
    // Alpha keeps its own history of the id, and cannot take the id back while beta holds it.
    expect((await call('GET', `/clusters/${id}`, { token: alpha })).body.status).toBe('DELETED');
    const back = await call('POST', '/clusters', {
      token: alpha,
      body: { clusterId: id, keypair: DEMO_KEY_PAIR },
    });
    expect(back.status).toBe(409);
    expect(back.text).not.toContain('api-beta');
    expect((await call('DELETE', `/clusters/${id}`, { token: beta })).status).toBe(202);
    await waitForStatus(id, beta, 'DELETED');
  }, 120_000);

  it('never touches a stack it did not create that is named like the cluster (finding 1)', async () => {
    const id = uniqueId('api-victim');
    const cfn = emulator.cloudFormation();
    const named = await cfn.send(
      new CreateStackCommand({
        StackName: id,
        TemplateBody: JSON.stringify({
          Resources: { Data: { Type: 'AWS::S3::Bucket', Properties: { BucketName: `${id}-a` } } },
        }),
      }),
    );

    const created = await call('POST', '/clusters', {
      token: alpha,
      body: { clusterId: id, keypair: DEMO_KEY_PAIR },
    });
    expect(created.status).toBe(202);
    expect(created.text).not.toContain('CREATE_COMPLETE');
    const failed = await waitForStatus(id, alpha, 'CREATE_FAILED');
    expect(failed.body.statusReason).toBe(
      `A stack named ${stackName(PREFIX, id)} already exists and was not made for this cluster; it is left untouched. Choose another cluster id.`,
    );
    expect(failed.text).not.toContain('CREATE_COMPLETE');
    expect(failed.body.stackId).toBeUndefined();
    expect((await call('DELETE', `/clusters/${id}`, { token: alpha })).status).toBe(202);
    await waitForStatus(id, alpha, 'DELETED');

    const { Stacks = [] } = await cfn.send(new DescribeStacksCommand({ StackName: named.StackId }));
    expect(Stacks[0]?.StackStatus).toBe('CREATE_COMPLETE');
  }, 90_000);

  it('refuses a missing key pair, or another team’s, with one synchronous 400 and writes nothing (finding 16)', async () => {
    const ec2 = emulator.ec2();
    const theirs = uniqueId('api-theirs-key');
    await ec2.send(
      new CreateKeyPairCommand({
        KeyName: theirs,
        TagSpecifications: [{ ResourceType: 'key-pair', Tags: [{ Key: 'team', Value: 'api-beta' }] }],
      }),
    );
    const replies = [];
    for (const keypair of ['no-such-key', theirs]) {
      const id = uniqueId('api-nokey');
      for (const path of ['/clusters?dryRun=true', '/clusters']) {
        const reply = await call('POST', path, { token: alpha, body: { clusterId: id, keypair } });
        expect(reply.status).toBe(400);
        expect(reply.body.errors).toEqual([
          {
            field: 'keypair',
            message: `no EC2 key pair named "${keypair}" that team api-alpha may use in us-east-1`,
          },
        ]);
        replies.push(reply.body.detail.replace(keypair, 'KEY'));
      }
      expect((await call('GET', `/clusters/${id}`, { token: alpha })).status).toBe(404);
    }
    // Missing and another team's read the same.
    expect(new Set(replies).size).toBe(1);
    // The team the key pair is tagged for may use it.
    const ok = await call('POST', '/clusters?dryRun=true', {
      token: beta,
      body: { clusterId: uniqueId('api-their-key'), keypair: theirs },
    });
    expect(ok.status).toBe(200);
  }, 60_000);

  it('enforces scopes per route, and pages with opaque tokens that refuse forgery (findings 14, 11)', async () => {
    const reader = await tokenFor('api-alpha', { scopes: ['clusters:read'] });
    expect((await call('GET', '/clusters', { token: reader })).status).toBe(200);
    const denied = await call('POST', '/clusters', {
      token: reader,
      body: { clusterId: uniqueId('api-scope'), keypair: DEMO_KEY_PAIR },
    });
    expect(denied.status).toBe(403);
    expect(denied.headers.get('content-type')).toBe('application/problem+json');

    for (let index = 0; index < 2; index++)
      await call('POST', '/clusters', {
        token: alpha,
        body: { clusterId: uniqueId('api-page'), keypair: DEMO_KEY_PAIR },
      });
    const page = await call('GET', '/clusters?limit=1', { token: alpha });
    const token = String(page.body.nextToken);
    expect(Buffer.from(token, 'base64url').toString('latin1')).not.toMatch(/CLUSTER|pk|createdKey/);
    expect((await call('GET', `/clusters?limit=1&nextToken=${token}`, { token: alpha })).status).toBe(200);
    for (const forged of [
      Buffer.from('{"x":1}').toString('base64url'),
      'eyJ4IjoxfQ',
      `${token.slice(0, -2)}AA`,
    ]) {
      const reply = await call('GET', `/clusters?nextToken=${forged}`, { token: alpha });
      expect(reply.status).toBe(400);
      expect(reply.body.errors).toEqual([
        { field: 'nextToken', message: 'is not a token this API returned' },
      ]);
    }
    // A token is bound to the list that issued it: not valid for another team's list.
    expect((await call('GET', `/clusters?limit=1&nextToken=${token}`, { token: beta })).status).toBe(400);
  }, 60_000);
});
