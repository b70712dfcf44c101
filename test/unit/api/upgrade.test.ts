/** PATCH {"determinedVersion"}: an upgrade through the real handler with fakes (docs/adr/0030-in-place-upgrades.md). */
import { KNOWN_DETERMINED_VERSIONS, missingRegions } from '../../../core/cluster/determined-versions.ts';
import type { UpgradeInput } from '../../../core/workflow/inputs.ts';
import { Api } from './harness.ts';

/** A READY cluster at 0.38.0 (the record as a create at that version left it). */
async function atPreviousVersion(api: Api, clusterId: string) {
  const record = await api.cluster(clusterId);
  if (!record) throw new Error('no record');
  record.parameters = { ...record.parameters, determinedVersion: '0.38.0' };
  return record;
}

describe('PATCH /clusters/{clusterId} with determinedVersion', () => {
  it('starts the upgrade workflow with the version alone changed, a planned snapshot, and the way back', async () => {
    const api = new Api();
    await atPreviousVersion(api, 'upg-1');
    const reply = await api.call('PATCH /clusters/{clusterId}', {
      path: '/clusters/upg-1',
      body: { determinedVersion: '0.38.1' },
    });

    expect(reply.status).toBe(202);
    expect(reply.body).toMatchObject({
      status: 'UPDATING',
      parameters: { determinedVersion: '0.38.0' },
      pendingParameters: { determinedVersion: '0.38.1' },
      upgrade: { from: '0.38.0', to: '0.38.1', requestedBy: expect.any(String) },
    });
    expect(api.deps.workflows.started.map((started) => started.operation)).toEqual(['create', 'upgrade']);
    const input = api.deps.workflows.started[1]?.input as unknown as UpgradeInput;
    expect(input.versions).toEqual({ from: '0.38.0', to: '0.38.1' });
    expect(input.snapshot).toBe(reply.body.upgrade.snapshot);
    expect(input.snapshot).toMatch(/^det-upgrade-[0-9a-f]+-upg-1-0-38-1-[0-9a-z]+$/);
    const valued = (list: { ParameterKey: string; ParameterValue?: string }[]) =>
      list.filter((parameter) => parameter.ParameterValue !== undefined);
    expect(valued(input.parameters.upgrade)).toEqual([
      { ParameterKey: 'DeterminedVersion', ParameterValue: '0.38.1' },
    ]);
    expect(valued(input.parameters.rollback)).toEqual([
      { ParameterKey: 'DeterminedVersion', ParameterValue: '0.38.0' },
    ]);
    expect(input.drainSeconds).toBeGreaterThan(0);
    expect((api.deps.store.events.get('alpha#upg-1') ?? []).map((event) => event.kind)).toContain(
      'upgrade-requested',
    );
  });

  it('refuses a downgrade, an unknown version (listing the known ones) and other changes with an upgrade; nothing is written', async () => {
    const api = new Api();
    const record = await atPreviousVersion(api, 'upg-2');
    const version = record.version;
    const patch = (body: object) =>
      api.call('PATCH /clusters/{clusterId}', { path: '/clusters/upg-2', body });

    const unknown = await patch({ determinedVersion: '0.39.7' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors).toEqual([
      {
        field: 'determinedVersion',
        message: `must be a Determined release the control plane knows: ${KNOWN_DETERMINED_VERSIONS.join(', ')}`,
      },
    ]);

    record.parameters = { ...record.parameters, determinedVersion: '0.38.1' };
    const downgrade = await patch({ determinedVersion: '0.38.0' });
    expect(downgrade.status).toBe(400);
    expect(downgrade.body.errors[0]).toMatchObject({ field: 'determinedVersion' });
    expect(downgrade.body.errors[0].message).toContain('a downgrade is refused');

    record.parameters = { ...record.parameters, determinedVersion: '0.38.0' };
    const together = await patch({ determinedVersion: '0.38.1', maxDynamicAgents: 2 });
    expect(together.status).toBe(400);
    expect(together.body.errors).toEqual([
      {
        field: 'maxDynamicAgents',
        message: 'cannot change together with determinedVersion: upgrade first, then change the rest',
      },
    ]);

    expect(api.deps.store.record('upg-2')?.version).toBe(version);
    expect(api.deps.store.record('upg-2')?.status).toBe('READY');
    expect(api.deps.workflows.started.map((started) => started.operation)).toEqual(['create']);
  });

  it('refuses an upgrade while another operation owns the cluster (409 before 400)', async () => {
    const api = new Api();
    const record = await atPreviousVersion(api, 'upg-3');
    record.status = 'STOPPED';
    const reply = await api.call('PATCH /clusters/{clusterId}', {
      path: '/clusters/upg-3',
      body: { determinedVersion: '0.38.1' },
    });
    expect(reply.status).toBe(409);
  });

  it('knows an agent image for every served region of every known version', () => {
    for (const version of KNOWN_DETERMINED_VERSIONS) expect(missingRegions(version)).toEqual([]);
  });
});
