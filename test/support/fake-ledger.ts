/**
 * The spend ledger over the in-memory store, with the DynamoDB adapter's rules: a cluster's spend is
 * open until its cursor reaches DELETED, and a settlement applies only to the cursor it read.
 */
import type { ClusterRef } from '../../core/cluster/naming.ts';
import type { SpendLedger, SpendSettlement, TeamMonthSpend } from '../../core/cost/ledger.ts';
import { StaleRecordError } from '../../core/errors.ts';
import type { TimelineEntry } from '../../core/timeline.ts';
import { keyOf, type InMemoryClusterStore } from './fakes.ts';

const clone = <T>(value: T): T => structuredClone(value);

export class InMemorySpendLedger implements SpendLedger {
  readonly months = new Map<string, TeamMonthSpend>();

  constructor(private readonly store: InMemoryClusterStore) {}

  private open() {
    return [...this.store.records.values()].filter(
      (record) => record.spend && record.spend.status !== 'DELETED',
    );
  }

  async unsettled(query: { limit: number; nextToken?: string }) {
    const all = this.open().sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : 1));
    const start = query.nextToken ? Number(query.nextToken) : 0;
    const items = all.slice(start, start + query.limit).map(clone);
    return { items, ...(start + query.limit < all.length ? { nextToken: String(start + query.limit) } : {}) };
  }

  async teamClusters(team: string) {
    return this.open()
      .filter((record) => record.team === team)
      .map(clone);
  }

  async timelineSince(cluster: ClusterRef, since: string): Promise<TimelineEntry[]> {
    return (this.store.events.get(keyOf(cluster)) ?? [])
      .filter((entry) => entry.source === 'control-plane' && entry.at >= since)
      .sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0))
      .map(clone);
  }

  async settle(cluster: ClusterRef, settlement: SpendSettlement) {
    const record = this.store.records.get(keyOf(cluster));
    if (!record?.spend || record.spend.through !== settlement.from.through)
      throw new StaleRecordError(`The spend of cluster ${cluster.clusterId} was settled meanwhile.`);
    record.spend = clone(settlement.to);
    for (const [month, usd] of Object.entries(settlement.charges)) {
      const current = this.month(cluster.team, month);
      current.usd += usd;
    }
  }

  async teamMonth(team: string, month: string) {
    return clone(this.month(team, month));
  }

  async markNotified(team: string, month: string, threshold: number, at: string) {
    const current = this.month(team, month);
    if (current.notified[threshold] !== undefined) return false;
    current.notified[threshold] = at;
    return true;
  }

  private month(team: string, month: string): TeamMonthSpend {
    const key = `${team}#${month}`;
    let current = this.months.get(key);
    if (!current) {
      current = { team, month, usd: 0, notified: {} };
      this.months.set(key, current);
    }
    return current;
  }
}
