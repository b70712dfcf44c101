/** Which status changes make which webhook events, with ids that repeat when the change does. */
import { eventsFromChange, type ClusterImage } from '../../../core/notifications/transitions.ts';

const image = (status: string, extra: Partial<ClusterImage> = {}): ClusterImage => ({
  team: 'bars',
  clusterId: 'c1',
  owner: 'alice',
  status,
  updatedAt: '2030-01-01T00:00:00.000Z',
  version: '3',
  ...extra,
});

describe('events from status changes', () => {
  it.each([
    ['CREATING', 'READY', 'cluster.ready'],
    ['STARTING', 'READY', 'cluster.started'],
    ['STOPPING', 'STOPPED', 'cluster.stopped'],
    ['DELETING', 'DELETED', 'cluster.deleted'],
    ['CREATING', 'CREATE_FAILED', 'cluster.failed'],
    ['UPDATING', 'UPDATE_FAILED', 'cluster.failed'],
    ['DELETING', 'DELETE_FAILED', 'cluster.failed'],
  ])('%s -> %s is %s', (from, to, type) => {
    const [event] = eventsFromChange({ old: image(from), new: image(to) });
    expect(event?.type).toBe(type);
    expect(event?.team).toBe('bars');
    expect(event?.subject).toBe('c1');
    expect(event?.data).toMatchObject({ clusterId: 'c1', status: to, previousStatus: from });
  });

  it('makes none when the status stays, or for transitions nobody subscribes to', () => {
    expect(eventsFromChange({ old: image('READY'), new: image('READY') })).toEqual([]);
    expect(eventsFromChange({ new: image('CREATING') })).toEqual([]);
    expect(eventsFromChange({ old: image('READY'), new: image('DELETING') })).toEqual([]);
    expect(eventsFromChange({ old: image('UPDATING'), new: image('READY') })).toEqual([]);
  });

  it('carries the root cause of a failure and the master URL of a ready cluster', () => {
    const [failed] = eventsFromChange({
      old: image('CREATING'),
      new: image('CREATE_FAILED', { statusReason: 'MasterInstance (AWS::EC2::Instance): quota' }),
    });
    expect(failed?.data).toMatchObject({
      operation: 'create',
      reason: 'MasterInstance (AWS::EC2::Instance): quota',
    });
    const [ready] = eventsFromChange({
      old: image('CREATING'),
      new: image('READY', { masterUrl: 'http://1.2.3.4:8080' }),
    });
    expect(ready?.data.masterUrl).toBe('http://1.2.3.4:8080');
  });

  it('reports an upgrade when an update changed the Determined version', () => {
    const [event] = eventsFromChange({
      old: image('UPDATING', { determinedVersion: '0.38.0' }),
      new: image('READY', { determinedVersion: '0.38.1' }),
    });
    expect(event).toMatchObject({
      type: 'cluster.upgraded',
      data: { fromVersion: '0.38.0', toVersion: '0.38.1' },
    });
  });

  it('names the pre-upgrade snapshot the upgrade workflow recorded (ADR 0030)', () => {
    const [event] = eventsFromChange({
      old: image('UPDATING', { determinedVersion: '0.38.0', upgradeSnapshot: 'det-upgrade-1a-ml-0-38-1-x' }),
      new: image('READY', { determinedVersion: '0.38.1', upgradeSnapshot: 'det-upgrade-1a-ml-0-38-1-x' }),
    });
    expect(event?.data).toMatchObject({
      fromVersion: '0.38.0',
      toVersion: '0.38.1',
      snapshot: 'det-upgrade-1a-ml-0-38-1-x',
    });
    // An upgrade that rolled back is a failure, not an upgrade.
    const [failed] = eventsFromChange({
      old: image('UPDATING', { determinedVersion: '0.38.0' }),
      new: image('UPDATE_FAILED', { determinedVersion: '0.38.0', statusReason: 'rolled back' }),
    });
    expect(failed?.type).toBe('cluster.failed');
  });

  it('gives the same change the same id, and another change another id', () => {
    const change = { old: image('CREATING'), new: image('READY') };
    const first = eventsFromChange(change)[0]?.id;
    expect(first).toMatch(/^msg_[0-9a-f]{32}$/);
    expect(eventsFromChange(change)[0]?.id).toBe(first);
    expect(
      eventsFromChange({ old: image('CREATING'), new: image('READY', { version: '4' }) })[0]?.id,
    ).not.toBe(first);
    expect(
      eventsFromChange({ old: image('CREATING'), new: image('READY', { team: 'other' }) })[0]?.id,
    ).not.toBe(first);
  });
});
