/**
 * Updates that would replace data (docs/adr/0034-replacing-data-resources.md): which changes of a
 * change set put the database, the checkpoint bucket or a shared file system at risk, and the PATCH
 * through the real handler with a scripted change set: refused (400) unless allowReplacement names
 * the resource, and the dry run that shows the change set and writes nothing.
 */
import { dataAtRisk, refusedReplacements, type ResourceChange } from '../../../core/cluster/replacements.ts';
import { Api } from './harness.ts';

const modify = (logicalId: string, type: string, replacement: string): ResourceChange => ({
  logicalId,
  type,
  action: 'Modify',
  replacement,
  properties: ['SomeProperty'],
});
const DATABASE_REPLACED = modify('Database', 'AWS::RDS::DBInstance', 'True');
const INGRESS_REPLACED = modify('MasterIngressUi', 'AWS::EC2::SecurityGroupIngress', 'True');

describe('data at risk in a change set (core/cluster/replacements.ts)', () => {
  it('counts a replaced, maybe replaced or removed data resource, and nothing else', () => {
    const changes: ResourceChange[] = [
      DATABASE_REPLACED,
      modify('Checkpoints', 'AWS::S3::Bucket', 'Conditional'),
      { logicalId: 'Shared', type: 'AWS::EFS::FileSystem', action: 'Remove', properties: [] },
      modify('Lustre', 'AWS::FSx::FileSystem', 'False'),
      { logicalId: 'NewBucket', type: 'AWS::S3::Bucket', action: 'Add', properties: [] },
      INGRESS_REPLACED,
    ];
    expect(dataAtRisk(changes)).toEqual([
      { resource: 'database', logicalId: 'Database', type: 'AWS::RDS::DBInstance', how: 'replaced' },
      {
        resource: 'checkpointBucket',
        logicalId: 'Checkpoints',
        type: 'AWS::S3::Bucket',
        how: 'maybe replaced',
      },
      { resource: 'sharedFileSystem', logicalId: 'Shared', type: 'AWS::EFS::FileSystem', how: 'removed' },
    ]);
  });

  it('leaves out only what allowReplacement names', () => {
    const changes = [DATABASE_REPLACED, modify('Checkpoints', 'AWS::S3::Bucket', 'True')];
    expect(refusedReplacements(changes).map((risk) => risk.resource)).toEqual([
      'database',
      'checkpointBucket',
    ]);
    expect(refusedReplacements(changes, ['database']).map((risk) => risk.resource)).toEqual([
      'checkpointBucket',
    ]);
    expect(refusedReplacements(changes, ['database', 'checkpointBucket'])).toEqual([]);
  });
});

describe('PATCH /clusters/{clusterId} and the change set of its update', () => {
  async function readyCluster(clusterId: string) {
    const api = new Api();
    const record = await api.cluster(clusterId);
    if (!record) throw new Error('no record');
    return { api, record, version: record.version };
  }
  const updatesStarted = (api: Api) =>
    api.deps.workflows.started.filter((started) => started.operation === 'update');

  it('refuses an update whose change set replaces the database (400, nothing written); allowReplacement lets it through', async () => {
    const { api, record, version } = await readyCluster('rep-1');
    api.deps.changeSets.next = { status: 'ready', changes: [INGRESS_REPLACED, DATABASE_REPLACED] };

    const refused = await api.call('PATCH /clusters/{clusterId}', {
      path: '/clusters/rep-1',
      body: { maxDynamicAgents: 2 },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.errors).toEqual([
      {
        field: 'allowReplacement',
        message:
          'The update would lose data: Database (AWS::RDS::DBInstance) would be replaced. Nothing was changed. To replace it anyway, send the update again with "allowReplacement": ["database"].',
      },
    ]);
    expect(api.deps.store.record('rep-1')).toMatchObject({ status: 'READY', version });
    expect(updatesStarted(api)).toEqual([]);

    // The preview was of this stack, with the update's parameters, under a name of this cluster.
    const [preview] = api.deps.changeSets.previews;
    expect(preview?.stackId).toBe(record.stackId);
    expect(preview?.name).toMatch(/^det-preview-rep-1-[0-9a-z]+-[0-9a-f]{8}$/);
    expect(preview?.parameters).toContainEqual({ ParameterKey: 'MaxDynamicAgents', ParameterValue: '2' });

    // Naming another resource does not help; naming the database does.
    const otherAllowed = await api.call('PATCH /clusters/{clusterId}', {
      path: '/clusters/rep-1',
      body: { maxDynamicAgents: 2, allowReplacement: ['checkpointBucket'] },
    });
    expect(otherAllowed.status).toBe(400);
    const allowed = await api.call('PATCH /clusters/{clusterId}', {
      path: '/clusters/rep-1',
      body: { maxDynamicAgents: 2, allowReplacement: ['database'] },
    });
    expect(allowed.status).toBe(202);
    expect(allowed.body).toMatchObject({ status: 'UPDATING' });
    expect(updatesStarted(api)).toHaveLength(1);
  });

  it('updates when only other resources are replaced, and asks for no change set when only control-plane settings change', async () => {
    const { api } = await readyCluster('rep-2');
    api.deps.changeSets.next = { status: 'ready', changes: [INGRESS_REPLACED] };
    const reply = await api.call('PATCH /clusters/{clusterId}', {
      path: '/clusters/rep-2',
      body: { inboundCidr: '10.0.0.0/8' },
    });
    expect(reply.status).toBe(202);
    expect(api.deps.changeSets.previews).toHaveLength(1);

    // Control-plane settings only: no stack update, so no change set.
    await api.cluster('rep-3');
    const settingsOnly = await api.call('PATCH /clusters/{clusterId}', {
      path: '/clusters/rep-3',
      body: { idleTimeout: '2h' },
    });
    expect(settingsOnly.status).toBe(202);
    expect(settingsOnly.body.status).toBe('READY');
    expect(api.deps.changeSets.previews).toHaveLength(1);
  });

  it('is 400 with CloudFormation’s reason when it would not accept the update', async () => {
    const { api, version } = await readyCluster('rep-4');
    api.deps.changeSets.next = { status: 'failed', reason: 'Parameter MaxDynamicAgents is out of range' };
    const reply = await api.call('PATCH /clusters/{clusterId}', {
      path: '/clusters/rep-4',
      body: { maxDynamicAgents: 2 },
    });
    expect(reply.status).toBe(400);
    expect(reply.body.errors[0].message).toBe(
      'CloudFormation would not accept this update: Parameter MaxDynamicAgents is out of range',
    );
    expect(api.deps.store.record('rep-4')?.version).toBe(version);
    expect(updatesStarted(api)).toEqual([]);
  });

  it('shows the change set in a dry run (?dryRun=true), with the refusal the update would get, and changes nothing', async () => {
    const { api, version } = await readyCluster('rep-5');
    api.deps.changeSets.next = { status: 'ready', changes: [INGRESS_REPLACED, DATABASE_REPLACED] };

    const dry = await api.call('PATCH /clusters/{clusterId}', {
      path: '/clusters/rep-5',
      query: { dryRun: 'true' },
      body: { maxDynamicAgents: 2 },
    });
    expect(dry.status).toBe(200);
    expect(dry.body).toMatchObject({
      clusterId: 'rep-5',
      changedParameters: ['MaxDynamicAgents'],
      changes: [INGRESS_REPLACED, DATABASE_REPLACED],
      dataAtRisk: [{ resource: 'database', logicalId: 'Database', how: 'replaced' }],
      cost: { currency: 'USD' },
    });
    expect(dry.body.refusal).toContain('"allowReplacement": ["database"]');

    const allowedDry = await api.call('PATCH /clusters/{clusterId}', {
      path: '/clusters/rep-5',
      query: { dryRun: 'true' },
      body: { maxDynamicAgents: 2, allowReplacement: ['database'] },
    });
    expect(allowedDry.status).toBe(200);
    expect(allowedDry.body.refusal).toBeUndefined();
    expect(allowedDry.body.dataAtRisk).toHaveLength(1);

    expect(api.deps.store.record('rep-5')).toMatchObject({ status: 'READY', version });
    expect(updatesStarted(api)).toEqual([]);
  });

  it('runs the update’s own checks in a dry run: a cluster that is not READY is 409, an unknown version 400', async () => {
    const { api, record } = await readyCluster('rep-6');
    const dry = (body: object) =>
      api.call('PATCH /clusters/{clusterId}', { path: '/clusters/rep-6', query: { dryRun: 'true' }, body });
    expect((await dry({ determinedVersion: '0.1.0' })).status).toBe(400);
    record.status = 'UPDATING';
    expect((await dry({ maxDynamicAgents: 2 })).status).toBe(409);
    expect(api.deps.changeSets.previews).toEqual([]);
  });
});
