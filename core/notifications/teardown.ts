/**
 * A reaper's teardown warning as a webhook event: when, why, and how to keep the cluster (a
 * keepalive request). Its id is the cluster and the announced instant, so a warning repeated for the
 * same teardown is the same event.
 */
import type { TeardownWarning } from '../ports.ts';
import { eventId, type TeamEvent } from './events.ts';

export function teardownWarningEvent(warning: TeardownWarning, at: Date): TeamEvent {
  const keepalive = `/clusters/${warning.clusterId}/keepalive`;
  return {
    id: eventId(['cluster.teardown-warning', warning.team, warning.clusterId, warning.teardownAt]),
    team: warning.team,
    type: 'cluster.teardown-warning',
    timestamp: at.toISOString(),
    subject: warning.clusterId,
    data: {
      clusterId: warning.clusterId,
      team: warning.team,
      owner: warning.owner,
      reason: warning.reason,
      teardownAt: warning.teardownAt,
      message: warning.message,
      keepalive: { method: 'POST', path: keepalive },
      howToKeep: `Keep it: POST ${keepalive} (or "Keep alive" in the console) before ${warning.teardownAt}.`,
    },
  };
}
