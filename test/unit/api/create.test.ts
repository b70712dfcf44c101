import { jest } from '@jest/globals';
import { DependencyUnavailableError } from '../../../core/errors.ts';
import { Api } from './harness.ts';

const valid = { clusterId: 'team-a-1', keypair: 'demo-key' };

describe('POST /clusters', () => {
  it('accepts a request: 202, Location, CREATING, and starts the create workflow without any password in it', async () => {
    const api = new Api();
    const reply = await api.call('POST /clusters', {
      path: '/clusters',
      body: { ...valid, dbPassword: 'S3cret-pass!' },
    });

    expect(reply.status).toBe(202);
    expect(reply.headers.location).toBe('/clusters/team-a-1');
    expect(reply.body).toMatchObject({
      clusterId: 'team-a-1',
      status: 'CREATING',
      team: 'alpha',
      owner: 'alpha-user',
      version: 1,
    });
    expect(reply.body.parameters).toMatchObject({
      deploymentType: 'simple',
      masterInstanceType: 'm5.large',
      cpuAgentInstanceType: 't2.xlarge',
      gpuAgentInstanceType: 'p2.8xlarge',
      inboundCidr: '0.0.0.0/0',
      maxCpuContainersPerAgent: 100,
      maxIdleAgentPeriod: '10m',
      maxDynamicAgents: 5,
      spot: false,
      region: 'us-east-1',
    });
    const [started] = api.deps.workflows.started;
    expect(started?.operation).toBe('create');
    const stackParameters = Object.fromEntries(
      (
        started?.input.stack as { parameters: { ParameterKey: string; ParameterValue: string }[] }
      ).parameters.map((p) => [p.ParameterKey, p.ParameterValue]),
    );
    expect(stackParameters).toMatchObject({
      Keypair: 'demo-key',
      MaxDynamicAgents: '5',
      SpotEnabled: 'false',
      SpotMaxPrice: '',
    });
    const secretName = api.deps.store.record('team-a-1')?.secretName ?? '';
    expect(stackParameters.ClusterSecretName).toBe(secretName);
    expect(api.deps.secrets.secrets.get(secretName)?.dbPassword).toBe('S3cret-pass!');
    // The password lives only in the secret: not in the record, the response or the workflow input.
    for (const text of [
      JSON.stringify(reply.body),
      JSON.stringify([...api.deps.store.records.values()]),
      JSON.stringify(api.deps.workflows.started),
    ]) {
      expect(text).not.toContain('S3cret-pass!');
    }
  });

  it('generates a strong database password when none is given (never the seed default "postgres")', async () => {
    const api = new Api();
    await api.call('POST /clusters', { path: '/clusters', body: valid });
    const secret = [...api.deps.secrets.secrets.values()][0];
    expect(secret?.dbPassword).toMatch(/^generated-password-/);
    expect(secret?.dbPassword).not.toBe(secret?.adminPassword);
  });

  it.each([
    [{ clusterId: '1bad', keypair: 'k' }, 'clusterId'],
    [{ clusterId: 'a'.repeat(65), keypair: 'k' }, 'clusterId'],
    [{ clusterId: 'ok' }, 'keypair'],
    [{ ...valid, deploymentType: 'kubernetes' }, 'deploymentType'],
    [{ ...valid, cpuAgentInstanceType: 'x1e.xlarge' }, 'cpuAgentInstanceType'],
    [{ ...valid, masterInstanceType: 'not a type' }, 'masterInstanceType'],
    [{ ...valid, inboundCidr: '10.0.0.0/33' }, 'inboundCidr'],
    [{ ...valid, inboundCidr: '10.0.0.1/8' }, 'inboundCidr'],
    [{ ...valid, dbPassword: 'short' }, 'dbPassword'],
    [{ ...valid, dbPassword: 'has/slash-in-it' }, 'dbPassword'],
    [{ ...valid, maxCpuContainersPerAgent: 0 }, 'maxCpuContainersPerAgent'],
    [{ ...valid, maxDynamicAgents: 1001 }, 'maxDynamicAgents'],
    [{ ...valid, maxDynamicAgents: 1.5 }, 'maxDynamicAgents'],
    [{ ...valid, maxIdleAgentPeriod: '10 minutes' }, 'maxIdleAgentPeriod'],
    [{ ...valid, spot: 'yes' }, 'spot'],
    [{ ...valid, spotMaxPrice: '0.5' }, 'spotMaxPrice'],
    [{ ...valid, spot: true, spotMaxPrice: '$1' }, 'spotMaxPrice'],
    [{ ...valid, determinedVersion: 'latest' }, 'determinedVersion'],
    [{ ...valid, idleTimeout: 'forever' }, 'idleTimeout'],
    [{ ...valid, expiresAt: '2020-01-01T00:00:00Z' }, 'expiresAt'],
    [{ ...valid, expiresAt: 'tomorrow' }, 'expiresAt'],
    [{ ...valid, region: 'moon-1' }, 'region'],
    [{ ...valid, region: 'eu-west-1' }, 'region'],
    [{ ...valid, tags: { 'managed-by': 'me' } }, 'tags.managed-by'],
    [{ ...valid, tags: Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`k${i}`, 'v'])) }, 'tags'],
    [{ ...valid, surprise: 1 }, 'surprise'],
  ])('rejects %j with a field error on %s, and writes nothing', async (body, field) => {
    const api = new Api();
    const reply = await api.call('POST /clusters', { path: '/clusters', body });

    expect(reply.status).toBe(400);
    expect(reply.headers['content-type']).toBe('application/problem+json');
    expect(reply.body).toMatchObject({
      type: 'urn:det-control-plane:problem:validation',
      title: 'Invalid request',
      status: 400,
    });
    expect(reply.body.errors.map((error: { field: string }) => error.field)).toContain(field);
    expect(api.deps.store.writes).toBe(0);
    expect(api.deps.workflows.started).toHaveLength(0);
    expect(api.deps.secrets.secrets.size).toBe(0);
  });

  it('answers 415 to a body that is not JSON and 413 to one over 16 KiB', async () => {
    const api = new Api();
    const text = await api.call('POST /clusters', {
      path: '/clusters',
      rawBody: 'hello',
      headers: { 'content-type': 'text/plain' },
    });
    expect(text.status).toBe(415);
    const big = await api.call('POST /clusters', {
      path: '/clusters',
      body: { ...valid, keypair: 'k'.repeat(20_000) },
    });
    expect(big.status).toBe(413);
    const broken = await api.call('POST /clusters', {
      path: '/clusters',
      rawBody: '{"clusterId": ',
      headers: { 'content-type': 'application/json' },
    });
    expect(broken.status).toBe(400);
    expect(broken.body.errors[0].field).toBe('body');
    expect(api.deps.store.writes).toBe(0);
  });

  it('answers 401 when the token carries no team', async () => {
    const api = new Api();
    const reply = await api.call('POST /clusters', { path: '/clusters', body: valid, claims: { sub: 'x' } });
    expect(reply.status).toBe(401);
  });

  it('gives 409 for an id in use, and lets a CREATE_FAILED or DELETED id be created again', async () => {
    const api = new Api();
    await api.cluster('taken', 'READY');
    expect(
      (await api.call('POST /clusters', { path: '/clusters', body: { ...valid, clusterId: 'taken' } }))
        .status,
    ).toBe(409);
    await api.cluster('failed', 'CREATE_FAILED');
    const again = await api.call('POST /clusters', {
      path: '/clusters',
      body: { ...valid, clusterId: 'failed' },
    });
    expect(again.status).toBe(202);
    expect(again.body.version).toBe(2);
    // The failed attempt's stack is handed to the workflow, which may remove it (and only it).
    const recreate = api.deps.workflows.started.filter((entry) => entry.input.clusterId === 'failed').at(-1);
    expect(recreate?.input.previousStackId).toBe(
      'arn:aws:cloudformation:us-east-1:123456789012:stack/detcp-test-failed/1',
    );
    // The same team re-creates its own torn-down id: a new incarnation, the name claimed again.
    await api.cluster('gone', 'DELETED');
    api.deps.store.quota.set('alpha', 2); // the delete workflow gives back the slot
    const back = await api.call('POST /clusters', {
      path: '/clusters',
      body: { ...valid, clusterId: 'gone' },
    });
    expect([back.status, back.body.version]).toEqual([202, 2]);
    expect(api.deps.store.claims.get('detcp-test-gone')).toBe('alpha#gone');
  });

  it('refuses a missing key pair, or another team’s, with one 400 before anything is written (finding 16)', async () => {
    const api = new Api();
    api.deps.keyPairs.pairs['beta-key'] = 'beta';
    api.deps.keyPairs.pairs['alpha-key'] = 'alpha';
    const details = [];
    for (const keypair of ['no-such-key', 'beta-key']) {
      for (const path of ['/clusters', '/clusters?dryRun=true']) {
        const [route, query] = path.split('?');
        const reply = await api.call('POST /clusters', {
          path: route ?? '/clusters',
          ...(query ? { query: { dryRun: 'true' } } : {}),
          body: { ...valid, keypair },
        });
        expect(reply.status).toBe(400);
        expect(reply.body.errors).toEqual([
          {
            field: 'keypair',
            message: `no EC2 key pair named "${keypair}" that team alpha may use in us-east-1`,
          },
        ]);
        details.push(reply.body.detail.replace(keypair, 'KEY'));
      }
    }
    expect(new Set(details).size).toBe(1);
    expect(api.deps.store.writes).toBe(0);
    expect(api.deps.workflows.started).toHaveLength(0);
    // Untagged, or tagged for the caller's team: usable. The workflow checks again in its first step.
    for (const keypair of ['demo-key', 'alpha-key']) {
      const reply = await api.call('POST /clusters', {
        path: '/clusters',
        body: { ...valid, clusterId: `ok-${keypair}`, keypair },
      });
      expect(reply.status).toBe(202);
    }
    expect(api.deps.workflows.started.map((entry) => entry.input.keypair)).toEqual(['demo-key', 'alpha-key']);
  });

  it('accepts a create when EC2 cannot be asked in time, leaving the key pair to the workflow (ADR 0031)', async () => {
    const api = new Api();
    api.deps.keyPairs.failing = true;
    const reply = await api.call('POST /clusters', { path: '/clusters', body: valid });
    expect(reply.status).toBe(202);
    expect(api.deps.workflows.started).toHaveLength(1);
  });

  it('marks CREATE_FAILED an insert that was written but answered too late, so the same request can be sent again', async () => {
    const api = new Api();
    const store = api.deps.store;
    const insert = store.insert.bind(store);
    store.insert = async (...args: Parameters<typeof insert>) => {
      await insert(...args);
      throw new DependencyUnavailableError('dynamodb');
    };
    const refused = await api.call('POST /clusters', { path: '/clusters', body: valid });
    expect(refused.status).toBe(503);
    expect(refused.headers['retry-after']).toBe('5');
    expect(store.record('team-a-1')?.status).toBe('CREATE_FAILED');
    expect(api.deps.workflows.started).toHaveLength(0);
    store.insert = insert;
    const retried = await api.call('POST /clusters', { path: '/clusters', body: valid });
    expect(retried.status).toBe(202);
    expect(api.deps.workflows.started).toHaveLength(1);
  });

  it('when that late insert cannot be marked either, says Retry-After 30 and re-creates it on the retry after', async () => {
    const api = new Api();
    const store = api.deps.store;
    const insert = store.insert.bind(store);
    const update = store.update.bind(store);
    store.insert = async (...args: Parameters<typeof insert>) => {
      await insert(...args);
      throw new DependencyUnavailableError('dynamodb');
    };
    store.update = async () => {
      throw new DependencyUnavailableError('dynamodb');
    };
    const refused = await api.call('POST /clusters', { path: '/clusters', body: valid });
    expect([refused.status, refused.headers['retry-after']]).toEqual([503, '30']);
    expect(store.record('team-a-1')?.status).toBe('CREATING');
    store.insert = insert;
    store.update = update;
    api.deps.clock.advance(30);
    const retried = await api.call('POST /clusters', { path: '/clusters', body: valid });
    expect(retried.status).toBe(202);
    expect(api.deps.workflows.started).toHaveLength(1);
  });

  it('answers 202 once the workflow runs, even if the timeline entry after it is refused by a busy table', async () => {
    const api = new Api();
    api.deps.store.appendEvent = async () => {
      throw new DependencyUnavailableError('dynamodb');
    };
    const reply = await api.call('POST /clusters', { path: '/clusters', body: valid });
    expect(reply.status).toBe(202);
    expect(api.deps.workflows.started).toHaveLength(1);
  });

  it('goes on as accepted when StartExecution started the workflow but its answer was lost (ADR 0031)', async () => {
    const api = new Api();
    api.deps.workflows.loseNextAnswer = true;
    const reply = await api.call('POST /clusters', { path: '/clusters', body: valid });
    expect(reply.status).toBe(202);
    expect(api.deps.workflows.started).toHaveLength(1);
    expect(api.deps.store.records.get('alpha#team-a-1')?.status).toBe('CREATING');
  });

  describe('when neither StartExecution nor DescribeExecution answers (ADR 0033)', () => {
    it('accepts the create once its workflow has claimed the record: one workflow, the secret kept', async () => {
      const api = new Api();
      api.deps.workflows.ambiguousNext = {
        started: true,
        onStarted: () =>
          api.deps.store.claimed.set('alpha#team-a-1', api.deps.store.record('team-a-1')?.execution ?? ''),
      };
      const reply = await api.call('POST /clusters', { path: '/clusters', body: valid });
      expect(reply.status).toBe(202);
      const record = api.deps.store.record('team-a-1');
      expect(record?.status).toBe('CREATING');
      expect(api.deps.secrets.secrets.has(record?.secretName ?? '')).toBe(true);
      expect(api.deps.workflows.started).toHaveLength(1);
    });

    it('releases an unclaimed record with 503 + Retry-After; the retry is a new workflow, the first finds nothing to claim', async () => {
      const api = new Api();
      api.deps.workflows.ambiguousNext = { started: true };
      const reply = await api.call('POST /clusters', { path: '/clusters', body: valid });
      expect(reply.status).toBe(503);
      expect(reply.headers['retry-after']).toBe('5');
      const released = api.deps.store.record('team-a-1');
      expect(released).toMatchObject({ status: 'CREATE_FAILED' });
      expect(released?.statusReason).toContain('create the cluster again');
      expect(api.deps.secrets.secrets.has(released?.secretName ?? '')).toBe(false);

      api.deps.clock.advance(5); // the client honours Retry-After
      const retry = await api.call('POST /clusters', { path: '/clusters', body: valid });
      expect(retry.status).toBe(202);
      const [first, second] = api.deps.workflows.started;
      expect(second?.name).not.toBe(first?.name);
      // The first execution's claim would need the record CREATING and naming it: it names the retry's.
      expect(api.deps.store.record('team-a-1')).toMatchObject({
        status: 'CREATING',
        execution: second?.name,
      });
    });
  });

  describe('when a 503 could not give the record back either (AWS unreachable to the end of the request)', () => {
    /** The first POST: StartExecution and DescribeExecution fail, and so does the release. */
    async function strandedCreate(api: Api, started: boolean) {
      api.deps.workflows.ambiguousNext = { started };
      const release = jest
        .spyOn(api.deps.store, 'releaseUnclaimed')
        .mockRejectedValueOnce(new DependencyUnavailableError('dynamodb'));
      const reply = await api.call('POST /clusters', { path: '/clusters', body: valid });
      expect(reply.status).toBe(503);
      // Come back once no request can still be starting it (API Gateway's limit).
      expect(reply.headers['retry-after']).toBe('30');
      release.mockRestore();
      const record = api.deps.store.record('team-a-1');
      expect(record?.status).toBe('CREATING');
      return record;
    }

    it('re-creates it when the same create is sent again after Retry-After; before, 409 as for any create in progress', async () => {
      const api = new Api();
      const stranded = await strandedCreate(api, false);
      expect(api.deps.secrets.secrets.has(stranded?.secretName ?? '')).toBe(true);

      // Too early: a request may still be starting it (and 50 racing creates of one id get 409).
      api.deps.clock.advance(5);
      const early = await api.call('POST /clusters', { path: '/clusters', body: valid });
      expect(early.status).toBe(409);
      expect(api.deps.store.record('team-a-1')).toEqual(stranded);

      api.deps.clock.advance(25); // the client honours Retry-After
      const retry = await api.call('POST /clusters', { path: '/clusters', body: valid });
      expect(retry.status).toBe(202);
      const [only] = api.deps.workflows.started;
      expect(api.deps.workflows.started).toHaveLength(1);
      const record = api.deps.store.record('team-a-1');
      expect(record).toMatchObject({ status: 'CREATING', execution: only?.name });
      expect(record?.execution).not.toBe(stranded?.execution);
      expect(record?.version).toBe((stranded?.version ?? 0) + 2); // released, then created again
      // The abandoned attempt's passwords are taken back; the new one has its own.
      expect(api.deps.secrets.secrets.has(stranded?.secretName ?? '')).toBe(false);
      expect(api.deps.secrets.secrets.has(record?.secretName ?? '')).toBe(true);
      expect(api.deps.store.quota.get('alpha')).toBe(1);
    });

    it('leaves it to its workflow when that did start: 409 as for any create in progress, one workflow, nothing rewritten', async () => {
      const api = new Api();
      const stranded = await strandedCreate(api, true);
      api.deps.clock.advance(30);
      const retry = await api.call('POST /clusters', { path: '/clusters', body: valid });
      expect(retry.status).toBe(409);
      expect(retry.body.detail).toContain('CREATING');
      expect(api.deps.workflows.started).toHaveLength(1);
      expect(api.deps.store.record('team-a-1')).toEqual(stranded);
    });

    it('answers 409 to another caller, or to other parameters, as for any cluster being created', async () => {
      const api = new Api();
      await strandedCreate(api, false);
      api.deps.clock.advance(60);
      const other = await api.call('POST /clusters', { path: '/clusters', body: valid, sub: 'someone-else' });
      const changed = await api.call('POST /clusters', {
        path: '/clusters',
        body: { ...valid, masterInstanceType: 'm5.xlarge' },
      });
      expect([other.status, changed.status]).toEqual([409, 409]);
      expect(api.deps.store.record('team-a-1')?.status).toBe('CREATING');
    });
  });

  it('answers a dry run 503 with Retry-After when EC2 cannot be asked, and writes nothing', async () => {
    const api = new Api();
    api.deps.keyPairs.failing = true;
    const reply = await api.call('POST /clusters', {
      path: '/clusters',
      query: { dryRun: 'true' },
      body: valid,
    });
    expect(reply.status).toBe(503);
    expect(reply.headers['retry-after']).toMatch(/^\d+$/);
    expect(reply.headers['content-type']).toBe('application/problem+json');
    expect(api.deps.store.writes).toBe(0);
    expect(api.deps.workflows.started).toHaveLength(0);
  });

  it('names the stack <prefix><id>, claims the name across teams and tags the stack with its owners (finding 1)', async () => {
    const api = new Api();
    expect((await api.call('POST /clusters', { path: '/clusters', body: valid })).status).toBe(202);
    const refused = await api.call('POST /clusters', { path: '/clusters', body: valid, team: 'beta' });
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toBe('Cluster id team-a-1 is not available; choose another id.');
    const [alpha] = api.deps.workflows.started.map(
      (entry) => entry.input.stack as { name: string; tags: { Key: string; Value: string }[] },
    );
    expect(api.deps.workflows.started).toHaveLength(1);
    expect(alpha?.name).toBe('detcp-test-team-a-1');
    expect(api.deps.store.claims.get('detcp-test-team-a-1')).toBe('alpha#team-a-1');
    expect(alpha?.tags).toEqual(
      expect.arrayContaining([
        { Key: 'managed-by', Value: 'determined' },
        { Key: 'team', Value: 'alpha' },
        { Key: 'cluster-id', Value: 'team-a-1' },
      ]),
    );
  });

  it('enforces the team quota with 429', async () => {
    const api = new Api();
    for (const id of ['q1', 'q2', 'q3']) await api.cluster(id);
    const over = await api.call('POST /clusters', { path: '/clusters', body: { ...valid, clusterId: 'q4' } });
    expect(over.status).toBe(429);
    expect(over.body.type).toBe('urn:det-control-plane:problem:quota-exceeded');
    expect(
      (
        await api.call('POST /clusters', {
          path: '/clusters',
          body: { ...valid, clusterId: 'q4' },
          team: 'beta',
        })
      ).status,
    ).toBe(202);
  });

  it('applies team policy: forbidden open CIDR, deployment types, idle floor', async () => {
    const api = new Api(
      (await import('../../support/fakes.ts')).fakeDeps({
        policies: {
          teams: {
            alpha: {
              allowOpenInboundCidr: false,
              allowedDeploymentTypes: ['secure'],
              minIdleTimeout: '30m',
              allowNeverIdleTimeout: false,
            },
          },
        },
      }),
    );
    const reply = await api.call('POST /clusters', {
      path: '/clusters',
      body: { ...valid, idleTimeout: '5m' },
    });
    expect(reply.status).toBe(400);
    expect(reply.body.errors.map((error: { field: string }) => error.field).sort()).toEqual([
      'deploymentType',
      'idleTimeout',
      'inboundCidr',
    ]);
    const ok = await api.call('POST /clusters', {
      path: '/clusters',
      body: { ...valid, deploymentType: 'secure', inboundCidr: '10.0.0.0/8', idleTimeout: '1h' },
    });
    expect(ok.status).toBe(202);
  });

  it('dry run renders the template and the parameters, masks the secret and writes nothing', async () => {
    const api = new Api();
    const reply = await api.call('POST /clusters', {
      path: '/clusters',
      query: { dryRun: 'true' },
      body: { ...valid, deploymentType: 'efs', dbPassword: 'Dry-run-pass1' },
    });
    expect(reply.status).toBe(200);
    expect(reply.body.template.Description).toBe('efs');
    expect(reply.body.parameters.ClusterSecretName).toBe('****');
    expect(JSON.stringify(reply.body)).not.toContain('Dry-run-pass1');
    expect(api.deps.store.writes).toBe(0);
    expect(api.deps.secrets.secrets.size).toBe(0);
  });

  it('answers a failure it did not expect with a bare 500 naming the request id, and leaves the cluster re-creatable', async () => {
    const api = new Api();
    api.deps.workflows.failNext = true;
    const reply = await api.call('POST /clusters', { path: '/clusters', body: valid });
    expect(reply.status).toBe(500);
    expect(reply.body).toMatchObject({ status: 500, title: 'Internal error' });
    expect(reply.body.detail).toContain(reply.body.requestId);
    expect(JSON.stringify(reply.body)).not.toMatch(/arn:aws|stateMachine|StartExecution/);
    expect(api.deps.store.record('team-a-1')?.status).toBe('CREATE_FAILED');
    expect((await api.call('POST /clusters', { path: '/clusters', body: valid })).status).toBe(202);
  });
});

describe('POST /clusters with restoreFrom', () => {
  async function tornDown(api: Api, id: string, team = 'alpha') {
    const record = await api.cluster(id, 'DELETED', team);
    if (!record) throw new Error('no record');
    record.retained = {
      checkpointBucket: `${id}-checkpointbucket-abc`,
      dbSnapshot: `${id}-database-final-1`,
      secretName: record.secretName ?? '',
    };
    return record;
  }

  it('creates a cluster on the torn-down one’s bucket, snapshot and passwords, and claims them', async () => {
    const api = new Api();
    const source = await tornDown(api, 'old');
    const reply = await api.call('POST /clusters', {
      path: '/clusters',
      body: { clusterId: 'new', keypair: 'demo-key', restoreFrom: 'old' },
    });
    expect(reply.status).toBe(202);
    expect(reply.body).toMatchObject({ restoredFrom: 'old', parameters: { restoreFrom: 'old' } });
    const started = api.deps.workflows.started.find((entry) => entry.input.clusterId === 'new');
    const parameters = Object.fromEntries(
      (
        started?.input.stack as { parameters: { ParameterKey: string; ParameterValue: string }[] }
      ).parameters.map((p) => [p.ParameterKey, p.ParameterValue]),
    );
    expect(parameters).toMatchObject({
      ExistingCheckpointBucket: 'old-checkpointbucket-abc',
      DbSnapshotIdentifier: 'old-database-final-1',
    });
    const newSecret = api.deps.secrets.secrets.get(api.deps.store.record('new')?.secretName ?? '');
    expect(newSecret).toEqual(api.deps.secrets.secrets.get(source.secretName ?? ''));
    expect(api.deps.store.record('old')?.restoredInto).toBe('new');

    const again = await api.call('POST /clusters', {
      path: '/clusters',
      body: { clusterId: 'newer', keypair: 'demo-key', restoreFrom: 'old' },
    });
    expect(again.status).toBe(400);
    expect(again.body.errors[0].message).toContain('already restored into new');
  });

  it('restores again into the same id when that create failed, and still into no other', async () => {
    const api = new Api();
    await tornDown(api, 'old');
    const body = { clusterId: 'new', keypair: 'demo-key', restoreFrom: 'old' };
    expect((await api.call('POST /clusters', { path: '/clusters', body })).status).toBe(202);
    const failed = api.deps.store.record('new');
    await api.deps.store.update(
      { team: 'alpha', clusterId: 'new' },
      { version: failed?.version ?? 0 },
      { status: 'CREATE_FAILED', statusReason: 'the stack failed' },
    );
    const again = await api.call('POST /clusters', { path: '/clusters', body });
    expect(again.status).toBe(202);
    expect(api.deps.store.record('new')).toMatchObject({ status: 'CREATING', restoredFrom: 'old' });
    expect(api.deps.store.record('old')?.restoredInto).toBe('new');
    const other = await api.call('POST /clusters', {
      path: '/clusters',
      body: { ...body, clusterId: 'newer' },
    });
    expect(other.status).toBe(400);
  });

  it.each([
    ['a cluster that is still running', 'READY'],
    ['a purged cluster', 'PURGED'],
    ['another team’s cluster', 'OTHER'],
    ['no cluster at all', 'MISSING'],
  ])('refuses to restore from %s', async (_name, kind) => {
    const api = new Api();
    if (kind === 'READY') await api.cluster('src', 'READY');
    if (kind === 'PURGED') await api.cluster('src', 'DELETED');
    if (kind === 'OTHER') await tornDown(api, 'src', 'beta');
    const writes = api.deps.store.writes;
    const reply = await api.call('POST /clusters', {
      path: '/clusters',
      body: { clusterId: 'dst', keypair: 'demo-key', restoreFrom: 'src' },
    });
    expect(reply.status).toBe(400);
    expect(reply.body.errors[0].field).toBe('restoreFrom');
    expect(api.deps.store.writes).toBe(writes);
  });
});
