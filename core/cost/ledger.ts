/**
 * The team's spend ledger (a port; adapters/spend-ledger.ts over the cluster table): what each team
 * has spent per UTC month, settled from its clusters' timelines by the reaper, and the clusters
 * whose spend is still open (docs/adr/0027-cost-and-budgets.md).
 */
import type { ClusterRecord } from '../cluster/model.ts';
import type { ClusterRef } from '../cluster/naming.ts';
import type { Page } from '../ports.ts';
import type { TimelineEntry } from '../timeline.ts';
import type { SpendCursor } from './meter.ts';

export interface TeamMonthSpend {
  team: string;
  /** UTC month, YYYY-MM. */
  month: string;
  /** Settled spend of the month, USD. */
  usd: number;
  /** Budget thresholds (percent) the team was notified of this month, and when. */
  notified: Record<string, string>;
}

export interface SpendSettlement {
  /** The cursor as read; the write applies only if the record still holds it (else StaleRecordError). */
  from: SpendCursor;
  to: SpendCursor;
  /** USD per UTC month to add to the team's ledger. */
  charges: Record<string, number>;
  /** The cluster is gone and fully charged: it leaves the open set. */
  close: boolean;
}

export interface SpendLedger {
  /** Every team's clusters whose spend is open (live, or deleted and not yet fully charged). */
  unsettled(query: { limit: number; nextToken?: string }): Promise<Page<ClusterRecord>>;
  /** One team's clusters whose spend is open. */
  teamClusters(team: string): Promise<ClusterRecord[]>;
  /** The cluster's control-plane timeline entries at or after `since`, oldest first. */
  timelineSince(cluster: ClusterRef, since: string): Promise<TimelineEntry[]>;
  /** Move the cluster's cursor and add its charges to its team's months, all or nothing. */
  settle(cluster: ClusterRef, settlement: SpendSettlement): Promise<void>;
  teamMonth(team: string, month: string): Promise<TeamMonthSpend>;
  /** Record that the team was notified of a threshold this month; false when it already was. */
  markNotified(team: string, month: string, threshold: number, at: string): Promise<boolean>;
}
