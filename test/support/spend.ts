/** Helpers for the spend and budget tests: a workflow's status changes, agents by stack, a notifier. */
import type { ClusterStatus } from '../../core/cluster/status.ts';
import type { BudgetThreshold } from '../../core/cost/notifications.ts';
import type { AgentCounter } from '../../core/ports.ts';
import type { FakeDeps } from './fakes.ts';

/** The stack a harness-made cluster has (test/unit/api/harness.ts). */
export const stackOf = (clusterId: string, team = 'alpha') => `detcp-test-${team}-${clusterId}`;

/** Move a cluster to `status` at `at` as a workflow does: the record, then its timeline entry. */
export async function transition(
  deps: FakeDeps,
  clusterId: string,
  status: ClusterStatus,
  at: Date,
  team = 'alpha',
): Promise<void> {
  const record = deps.store.record(clusterId, team);
  if (!record) throw new Error(`no cluster ${clusterId}`);
  record.status = status;
  record.updatedAt = at.toISOString();
  record.stackId ??= `arn:aws:cloudformation:us-east-1:123456789012:stack/${stackOf(clusterId, team)}/1`;
  await deps.store.appendEvent(record, {
    at: at.toISOString(),
    source: 'control-plane',
    kind: status.toLowerCase(),
    status,
    message: `now ${status}`,
  });
}

export class Agents implements AgentCounter {
  calls = 0;
  constructor(public running: Record<string, number> = {}) {}
  async runningAgents(stacks: string[]) {
    this.calls++;
    return new Map(stacks.map((stack) => [stack, this.running[stack] ?? 0]));
  }
}

export class RecordingBudgetNotifier {
  readonly sent: BudgetThreshold[] = [];
  /** Sends attempted, failed ones included. */
  readonly attempts: BudgetThreshold[] = [];
  /** While set, every send fails with this message (a webhook queue or the event bus down). */
  failWith: string | undefined;
  async budgetThreshold(event: BudgetThreshold) {
    this.attempts.push(event);
    if (this.failWith !== undefined) throw new Error(this.failWith);
    this.sent.push(event);
  }
}
