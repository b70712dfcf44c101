/**
 * Metrics of a change to a cluster record, as the table's stream reports it (functions/stream/): a
 * status entered, a failure by operation and kind, and the time from the create request to READY.
 * Writes that leave the status alone (timeline entries, idle tracking, quotas) emit nothing.
 */
import { CLUSTER_RECORD } from '../names/shared.ts';
import { point, type MetricPoint } from './catalogue.ts';
import { failureType } from './failure-type.ts';

/** The attributes of a cluster record these metrics read (adapters/cluster-store.ts has the layout). */
export interface RecordImage {
  sk?: string;
  status?: string;
  statusReason?: string;
  createdAt?: string;
  updatedAt?: string;
}

/** Status names are the contract's upper-case words; anything else is grouped, to keep dimensions bounded. */
const STATUS = /^[A-Z][A-Z_]{1,31}$/;

export function transitionPoints(change: { old?: RecordImage; new?: RecordImage }): MetricPoint[] {
  const after = change.new;
  if (!after || after.sk !== CLUSTER_RECORD.sk || !after.status || after.status === change.old?.status)
    return [];
  const status = STATUS.test(after.status) ? after.status : 'OTHER';
  const points = [point('ClusterTransitions', 1, { status })];
  const failed = /^([A-Z]+)_FAILED$/.exec(status);
  if (failed?.[1]) {
    points.push(
      point('ClusterFailures', 1, {
        operation: failed[1].toLowerCase(),
        failureType: failureType(after.statusReason),
      }),
    );
  }
  if (status === 'READY' && change.old?.status === 'CREATING') {
    const seconds = (Date.parse(after.updatedAt ?? '') - Date.parse(after.createdAt ?? '')) / 1000;
    if (Number.isFinite(seconds) && seconds >= 0) points.push(point('TimeToReady', Math.round(seconds)));
  }
  return points;
}
