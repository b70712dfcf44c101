/**
 * `up` on an existing cluster (PATCH with only the flags given), waiting, the summary, and how
 * failures are reported: the status reason, problem+json errors per flag, no stack traces.
 */
import { updateClusterSchema } from '../../../core/cluster/request.ts';
import type { Cluster } from '../../../cli/api-client.ts';
import { cluster, detDeploy, FakeApi } from './fake-api.ts';

const up = (...flags: string[]) => ['aws', 'up', '--cluster-id', 'c1', '--keypair', 'demo-key', ...flags];

/** c1 exists as `current`; PATCH answers UPDATING; later GETs give `after` in turn. */
function existingApi(current: Cluster, ...after: Cluster[]): FakeApi {
  return new FakeApi()
    .on('GET', '/clusters/c1', ...[current, ...after].map((body) => ({ status: 200, body })))
    .on('GET', '/clusters/c1/events', { status: 200, body: { items: [] } })
    .on('PATCH', '/clusters/c1', { status: 202, body: { ...current, status: 'UPDATING' } });
}

describe('det-deploy aws up on an existing cluster', () => {
  it('PATCHes only the flags given (with an Idempotency-Key), waits for READY and prints the summary', async () => {
    const current = cluster();
    const updated = cluster({ parameters: { ...current.parameters, maxDynamicAgents: 8, spot: true } });
    const api = existingApi(current, cluster({ status: 'UPDATING' }), updated);

    const { code, out, err } = await detDeploy(
      up('--max-dynamic-agents', '8', '--spot', '--add-tag', 'project=x', '--idle-timeout', '2h'),
      api,
    );

    expect(code).toBe(0);
    const patches = api.sent('PATCH');
    expect(patches).toHaveLength(1);
    expect(patches[0]?.body).toStrictEqual({
      maxDynamicAgents: 8,
      spot: true,
      idleTimeout: '2h',
      tags: { project: 'x' },
    });
    expect(updateClusterSchema.safeParse(patches[0]?.body).success).toBe(true);
    expect(patches[0]?.headers['idempotency-key']).toBe('key-1');
    expect(api.sent('POST')).toHaveLength(0);
    expect(err).toContain('--max-dynamic-agents: 5 -> 8');
    expect(out).toContain('export DET_MASTER=http://203.0.113.10:8080');
  });

  it('does not send flags whose value the cluster already has', async () => {
    const api = existingApi(cluster(), cluster());
    await detDeploy(
      up('--master-instance-type', 'm5.large', '--max-dynamic-agents', '6', '--deployment-type', 'simple'),
      api,
    );
    expect(api.sent('PATCH')[0]?.body).toStrictEqual({ maxDynamicAgents: 6 });
  });

  it('sends nothing when every flag matches: "No updates are to be performed", exit 0, summary', async () => {
    const api = existingApi(cluster());
    const { code, out, err } = await detDeploy(up('--max-dynamic-agents', '5'), api);
    expect(code).toBe(0);
    expect(api.sent('PATCH')).toHaveLength(0);
    expect(err).toContain('No updates are to be performed');
    expect(out).toContain('export DET_MASTER=');
  });

  it('turns spot off with --no-spot and clears an expiry with --expires-at never', async () => {
    const current = cluster({
      parameters: { ...cluster().parameters, spot: true, expiresAt: '2031-01-01T00:00:00Z' },
    });
    const api = existingApi(current, cluster());
    await detDeploy(up('--no-spot', '--expires-at', 'never'), api);
    expect(api.sent('PATCH')[0]?.body).toStrictEqual({ spot: false, expiresAt: null });
    expect(updateClusterSchema.safeParse(api.sent('PATCH')[0]?.body).success).toBe(true);
  });

  it('refuses flags PATCH cannot apply when they differ, and sends nothing', async () => {
    const api = existingApi(cluster());
    const { code, err } = await detDeploy(
      [
        'aws',
        'up',
        '--cluster-id',
        'c1',
        '--keypair',
        'other-key',
        '--deployment-type',
        'secure',
        '--max-dynamic-agents',
        '9',
      ],
      api,
    );
    expect(code).toBe(1);
    expect(err).toContain('--keypair other-key (the cluster has demo-key)');
    expect(err).toContain('--deployment-type secure (the cluster has simple)');
    expect(api.sent('PATCH')).toHaveLength(0);
  });

  it('ignores --db-password on update with a note, and never sends it', async () => {
    const api = existingApi(cluster(), cluster());
    const { err } = await detDeploy(up('--db-password', 'Another-pass1', '--max-dynamic-agents', '7'), api);
    expect(err).toContain('--db-password applies only when a cluster is created');
    expect(api.sent('PATCH')[0]?.body).toStrictEqual({ maxDynamicAgents: 7 });
  });

  it('waits for a running operation to finish before deciding', async () => {
    const api = existingApi(cluster({ status: 'CREATING' }), cluster({ status: 'CREATING' }), cluster());
    const { code, err } = await detDeploy(up('--max-dynamic-agents', '7'), api);
    expect(code).toBe(0);
    expect(err).toContain('is CREATING; waiting');
    expect(api.sent('PATCH')[0]?.body).toStrictEqual({ maxDynamicAgents: 7 });
  });

  it('re-creates a CREATE_FAILED cluster with POST', async () => {
    const api = existingApi(cluster({ status: 'CREATE_FAILED' }), cluster()).on('POST', '/clusters', {
      status: 202,
      body: cluster({ status: 'CREATING' }),
    });
    const { code } = await detDeploy(up(), api);
    expect(code).toBe(0);
    expect(api.creates()[0]?.body).toStrictEqual({ clusterId: 'c1', keypair: 'demo-key' });
    expect(api.sent('PATCH')).toHaveLength(0);
  });

  it('exits 1 with the status reason when the update fails', async () => {
    const reason =
      'MasterInstance (AWS::EC2::Instance): UPDATE_FAILED: instance type m5.huge is not supported';
    const api = existingApi(cluster(), cluster({ status: 'UPDATE_FAILED', statusReason: reason }));
    const { code, out, err } = await detDeploy(up('--master-instance-type', 'm5.huge'), api);
    expect(code).toBe(1);
    expect(err).toContain(`cluster c1 is UPDATE_FAILED: ${reason}`);
    expect(out).not.toContain('DET_MASTER');
  });
});

describe('det-deploy aws up --det-version on an existing cluster', () => {
  it('upgrades: PATCHes the version alone, shows the progress and prints the summary at the new version', async () => {
    const current = cluster({ parameters: { ...cluster().parameters, determinedVersion: '0.38.0' } });
    const upgraded = cluster({ parameters: { ...current.parameters, determinedVersion: '0.38.1' } });
    const api = existingApi(current, cluster({ status: 'UPDATING' }), upgraded);
    const { code, out, err } = await detDeploy(
      up('--det-version', '0.38.1', '--max-dynamic-agents', '5'),
      api,
    );
    expect(code).toBe(0);
    expect(api.sent('PATCH').map((sent) => sent.body)).toStrictEqual([{ determinedVersion: '0.38.1' }]);
    expect(err).toContain('Upgrading Determined on cluster c1 from 0.38.0 to 0.38.1');
    expect(out).toContain('export DET_MASTER=http://203.0.113.10:8080');
  });

  it('refuses an upgrade together with other changes, and sends nothing', async () => {
    const current = cluster({ parameters: { ...cluster().parameters, determinedVersion: '0.38.0' } });
    const api = existingApi(current);
    const { code, err } = await detDeploy(up('--det-version', '0.38.1', '--max-dynamic-agents', '7'), api);
    expect(code).not.toBe(0);
    expect(err).toContain('--det-version upgrades Determined and cannot change together with other flags');
    expect(err).toContain('--max-dynamic-agents: 5 -> 7');
    expect(api.sent('PATCH')).toHaveLength(0);
  });

  it('exits 1 with the reason when the upgrade rolled back', async () => {
    const current = cluster({ parameters: { ...cluster().parameters, determinedVersion: '0.38.0' } });
    const reason =
      'Determined 0.38.1 did not answer GET /info within 3600 seconds. The cluster was rolled back: Determined 0.38.0 serves again.';
    const api = existingApi(current, cluster({ status: 'UPDATE_FAILED', statusReason: reason }));
    const { code, err } = await detDeploy(up('--det-version', '0.38.1'), api);
    expect(code).toBe(1);
    expect(err).toContain(`cluster c1 is UPDATE_FAILED: ${reason}`);
  });
});

describe('det-deploy aws up: creating', () => {
  function createApi(...after: Cluster[]): FakeApi {
    return new FakeApi()
      .on(
        'GET',
        '/clusters/c1',
        { status: 404, body: { status: 404 } },
        ...after.map((body) => ({ status: 200, body })),
      )
      .on('GET', '/clusters/c1/events', { status: 200, body: { items: [] } })
      .on('POST', '/clusters', { status: 202, body: cluster({ status: 'CREATING' }) });
  }

  it('exits 1 with the cluster statusReason on CREATE_FAILED, without a stack trace', async () => {
    const reason = 'MasterInstance (AWS::EC2::Instance) CREATE_FAILED: The key pair demo-key does not exist';
    const api = createApi(
      cluster({ status: 'CREATING' }),
      cluster({ status: 'CREATE_FAILED', statusReason: reason }),
    );
    const { code, err } = await detDeploy(up(), api);
    expect(code).toBe(1);
    expect(err).toContain(`det-deploy: cluster c1 is CREATE_FAILED: ${reason}`);
    expect(err).not.toMatch(/\n\s+at /);
  });

  it('sends an Idempotency-Key on the POST and none on GETs', async () => {
    const api = createApi(cluster());
    await detDeploy(up(), api);
    // key-1 went with the dry run that priced the cluster.
    expect(api.creates()[0]?.headers['idempotency-key']).toBe('key-2');
    expect(api.sent('GET').every((request) => request.headers['idempotency-key'] === undefined)).toBe(true);
    expect(api.sent('GET')[0]?.headers.authorization).toBe('Bearer test-token');
  });

  it('prints the secure summary: the bastion tunnel and DET_MASTER on localhost', async () => {
    const secure = cluster({
      deploymentType: 'secure',
      outputs: {
        masterUrl: 'http://10.0.1.5:8080',
        masterPrivateIp: '10.0.1.5',
        bastionAddress: '198.51.100.7',
        bastionId: 'i-bastion',
        logGroup: '/determined/c1',
      },
    });
    const { out } = await detDeploy(up('--deployment-type', 'secure'), createApi(secure));
    expect(out).toContain('ssh -i demo-key.pem -N -L 8080:10.0.1.5:8080 ubuntu@198.51.100.7');
    expect(out).toContain('export DET_MASTER=http://localhost:8080');
    expect(out).toContain('i-bastion');
    expect(out).toContain('/determined/c1');
  });

  it('prints the det-deploy summary: DET_MASTER, web UI, ssh hint, log group', async () => {
    const { out } = await detDeploy(up(), createApi(cluster()));
    expect(out).toContain('export DET_MASTER=http://203.0.113.10:8080\n');
    expect(out).toContain('Web UI: http://203.0.113.10:8080');
    expect(out).toContain('ssh -i demo-key.pem ubuntu@203.0.113.10');
    expect(out).toContain('/determined/c1');
  });
});

describe('problem+json errors', () => {
  it('names each invalid field by its flag, with the value given', async () => {
    const api = new FakeApi()
      .on('GET', '/clusters/bad_id', { status: 404, body: { status: 404 } })
      .on('POST', '/clusters', {
        status: 400,
        body: {
          type: 'urn:det-control-plane:problem:validation',
          title: 'Invalid request',
          status: 400,
          detail: 'clusterId: must start with a letter (and 3 more)',
          errors: [
            {
              field: 'clusterId',
              message: 'must start with a letter and contain only letters, digits and hyphens',
            },
            { field: 'maxDynamicAgents', message: 'must be at most 1000' },
            { field: 'tags.Name', message: 'key is reserved' },
            { field: 'keypair', message: 'no EC2 key pair named "nope" in us-east-1' },
          ],
        },
      });

    const { code, err } = await detDeploy(
      [
        'aws',
        'up',
        '--cluster-id',
        'bad_id',
        '--keypair',
        'nope',
        '--max-dynamic-agents',
        '5000',
        '--add-tag',
        'Name=x',
      ],
      api,
    );

    expect(code).toBe(1);
    expect(err).toContain(
      '--cluster-id: must start with a letter and contain only letters, digits and hyphens (given: "bad_id")',
    );
    expect(err).toContain('--max-dynamic-agents: must be at most 1000 (given: 5000)');
    expect(err).toContain('--add-tag Name=: key is reserved');
    expect(err).toContain('--keypair: no EC2 key pair named "nope" in us-east-1');
    expect(err).not.toMatch(/\n\s+at /);
  });

  it('never echoes a database password back', async () => {
    const api = new FakeApi()
      .on('GET', '/clusters/c1', { status: 404, body: { status: 404 } })
      .on('POST', '/clusters', {
        status: 400,
        body: {
          title: 'Invalid request',
          status: 400,
          errors: [{ field: 'dbPassword', message: 'must be at least 8 characters long' }],
        },
      });
    const { err } = await detDeploy(up('--db-password', 'short'), api);
    expect(err).toContain('--db-password: must be at least 8 characters long');
    expect(err).not.toContain('short"');
  });

  it('shows the detail of other problems, and the request id of a 500', async () => {
    const conflict = new FakeApi()
      .on('GET', '/clusters/c1', { status: 404, body: { status: 404 } })
      .on('POST', '/clusters', {
        status: 429,
        body: { title: 'Quota exceeded', status: 429, detail: 'Team alpha may run at most 3 clusters.' },
      });
    const quota = await detDeploy(up(), conflict);
    expect(quota.code).toBe(1);
    expect(quota.err).toContain('Team alpha may run at most 3 clusters. (429 Quota exceeded)');

    const broken = new FakeApi().on('GET', '/clusters/c1', {
      status: 500,
      body: { title: 'Internal error', status: 500, detail: 'The request failed.', requestId: 'req-42' },
    });
    const failed = await detDeploy(up(), broken);
    expect(failed.code).toBe(1);
    expect(failed.err).toContain('request id: req-42');
    expect(failed.err).not.toMatch(/\n\s+at /);
  });

  it('--debug adds the request and the stack trace', async () => {
    const broken = new FakeApi().on('GET', '/clusters/c1', {
      status: 400,
      body: { title: 'Bad', status: 400, detail: 'no' },
    });
    const { err } = await detDeploy(up('--debug'), broken);
    expect(err).toContain('request: GET /clusters/c1');
    expect(err).toMatch(/\n\s+at /);
  });
});

describe('det-deploy aws up on an existing cluster: --dry-run and --allow-replacement (ADR 0034)', () => {
  const databaseReplaced = {
    logicalId: 'Database',
    type: 'AWS::RDS::DBInstance',
    action: 'Modify',
    replacement: 'True',
    properties: ['StorageType'],
  };
  const preview = (changes: object[], dataAtRisk: object[], refusal?: string) => ({
    clusterId: 'c1',
    changedParameters: ['MaxDynamicAgents'],
    changes,
    dataAtRisk,
    ...(refusal ? { refusal } : {}),
    cost: { currency: 'USD', hourly: 0.19, hourlyMax: 12.5, monthToDate: 0, basis: '' },
  });
  /** c1 exists; PATCH ?dryRun=true answers `dry`, a real PATCH `real`. */
  function previewApi(dry: object, real: { status: number; body: object } = { status: 202, body: {} }) {
    return new FakeApi()
      .on('GET', '/clusters/c1', { status: 200, body: cluster() })
      .on('GET', '/clusters/c1/events', { status: 200, body: { items: [] } })
      .on('PATCH', '/clusters/c1', (request) =>
        request.path.endsWith('?dryRun=true') ? { status: 200, body: dry } : real,
      );
  }

  it('--dry-run prints the change set the API previews (replacements, data at risk) and updates nothing', async () => {
    const ingress = {
      logicalId: 'MasterIngressUi',
      type: 'AWS::EC2::SecurityGroupIngress',
      action: 'Modify',
      replacement: 'True',
      properties: ['CidrIp'],
    };
    const master = {
      ...ingress,
      logicalId: 'MasterInstance',
      type: 'AWS::EC2::Instance',
      replacement: 'False',
      properties: ['UserData'],
    };
    const api = previewApi(preview([ingress, master], []));

    const { code, out, err } = await detDeploy(up('--max-dynamic-agents', '8', '--dry-run'), api);

    expect(code).toBe(0);
    expect(api.sent('PATCH').map((sent) => [sent.path, sent.body])).toStrictEqual([
      ['/clusters/c1?dryRun=true', { maxDynamicAgents: 8 }],
    ]);
    expect(err).toContain('nothing was changed');
    expect(err).toContain('--max-dynamic-agents: 5 -> 8');
    expect(out).toContain('Stack parameters that change: MaxDynamicAgents');
    expect(out).toContain('  MasterIngressUi (AWS::EC2::SecurityGroupIngress) Modify, replaced: CidrIp');
    expect(out).toContain('  MasterInstance (AWS::EC2::Instance) Modify, in place: UserData');
    expect(out).toContain('Data at risk: none');
  });

  it('--dry-run of an update that would replace the database shows it, exits 1 and names the flag', async () => {
    const risk = {
      resource: 'database',
      logicalId: 'Database',
      type: 'AWS::RDS::DBInstance',
      how: 'replaced',
    };
    const api = previewApi(preview([databaseReplaced], [risk], 'The update would lose data: ...'));

    const { code, out, err } = await detDeploy(up('--max-dynamic-agents', '8', '--dry-run'), api);

    expect(code).toBe(1);
    expect(out).toContain('Data at risk:\n  database: Database (AWS::RDS::DBInstance) would be replaced');
    expect(err).toContain('up would be refused');
    expect(err).toContain('--allow-replacement database');
    expect(api.sent('PATCH')).toHaveLength(1);
  });

  it('--allow-replacement goes with the update (and its dry run) as allowReplacement', async () => {
    const api = previewApi(preview([databaseReplaced], []));
    const dry = await detDeploy(
      up('--max-dynamic-agents', '8', '--allow-replacement', 'database,checkpointBucket', '--dry-run'),
      api,
    );
    expect(dry.code).toBe(0);
    expect(api.sent('PATCH')[0]?.body).toStrictEqual({
      maxDynamicAgents: 8,
      allowReplacement: ['database', 'checkpointBucket'],
    });

    const updated = existingApi(cluster(), cluster());
    const { code, err } = await detDeploy(
      up('--max-dynamic-agents', '8', '--allow-replacement', 'database'),
      updated,
    );
    expect(code).toBe(0);
    const [patch] = updated.sent('PATCH');
    expect(patch?.body).toStrictEqual({ maxDynamicAgents: 8, allowReplacement: ['database'] });
    expect(updateClusterSchema.safeParse(patch?.body).success).toBe(true);
    expect(err).toContain('The update may replace: database');
  });

  it('refuses an unknown --allow-replacement name before sending anything', async () => {
    const api = existingApi(cluster());
    const { code, err } = await detDeploy(up('--max-dynamic-agents', '8', '--allow-replacement', 'vpc'), api);
    expect(code).not.toBe(0);
    expect(err).toContain('--allow-replacement takes database, checkpointBucket, sharedFileSystem');
    expect(api.requests).toHaveLength(0);
  });

  it('names --allow-replacement when the API refuses an update that would lose data', async () => {
    const api = previewApi(preview([], []), {
      status: 400,
      body: {
        title: 'Invalid request',
        status: 400,
        errors: [
          { field: 'allowReplacement', message: 'The update would lose data: Database would be replaced.' },
        ],
      },
    });
    const { code, err } = await detDeploy(up('--max-dynamic-agents', '8'), api);
    expect(code).toBe(1);
    expect(err).toContain('--allow-replacement: The update would lose data: Database would be replaced.');
  });
});
