/**
 * What a cluster's schedule asks of the reaper now (pure; the clock is given): the latest of
 * autostop and autostart that fired since the reaper last applied the schedule. A READY cluster is
 * stopped at autostop, a STOPPED one started at autostart; a firing that finds the cluster already
 * so is only noted. Either way the schedule counts as applied up to now, so a cluster started by
 * hand after autostop stays up until the next autostop.
 */
import type { ClusterRecord } from '../cluster/model.ts';
import { dueAction } from '../cluster/schedule.ts';

export type ScheduleDecision =
  | { kind: 'schedule-stop' | 'schedule-start' | 'schedule-noted'; checkedAt: string; reason: string }
  | undefined;

export function decideSchedule(
  cluster: Pick<ClusterRecord, 'status' | 'parameters' | 'idle' | 'createdAt'>,
  now: Date,
): ScheduleDecision {
  const schedule = cluster.parameters.schedule;
  if (!schedule) return undefined;
  const since = new Date(cluster.idle.scheduleCheckedAt ?? cluster.createdAt);
  const due = dueAction(schedule, since, now);
  if (!due) return undefined;
  const reason = `schedule ${due.action} "${due.expression}" (${schedule.timezone}) at ${due.at.toISOString()}`;
  const checkedAt = now.toISOString();
  if (due.action === 'autostop' && cluster.status === 'READY')
    return { kind: 'schedule-stop', checkedAt, reason };
  if (due.action === 'autostart' && cluster.status === 'STOPPED')
    return { kind: 'schedule-start', checkedAt, reason };
  return { kind: 'schedule-noted', checkedAt, reason };
}
