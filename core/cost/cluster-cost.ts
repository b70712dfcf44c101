/**
 * The contract's `cost` of a cluster: `hourly` in its present state, `hourlyMax` with every dynamic
 * agent running, `monthToDate` since the first of the month (UTC), and the `basis` of the figures.
 */
import { toView, type ClusterParameters, type ClusterRecord, type ClusterView } from '../cluster/model.ts';
import { clusterRates, maxHourly, type CostRates } from './estimate.ts';
import {
  accrue,
  hourlyIn,
  monthOf,
  NO_STATUS,
  openCursor,
  type MeterChange,
  type SpendCursor,
} from './meter.ts';
import type { PriceList } from './price-list.ts';

export interface ClusterCost {
  currency: 'USD';
  hourly: number;
  hourlyMax: number;
  monthToDate: number;
  basis: string;
}

/** Money in the API: USD to the micro-dollar (a tiny budget is still visible). */
export function usd(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}

/** What a cluster with these parameters would cost once created (a dry run): running, no agents yet. */
export function estimateCost(parameters: ClusterParameters, prices: PriceList): ClusterCost {
  const rates = clusterRates(parameters, prices);
  return {
    currency: 'USD',
    hourly: usd(hourlyIn(rates, 'READY', 0)),
    hourlyMax: usd(maxHourly(rates)),
    monthToDate: 0,
    basis: rates.basis,
  };
}

export function clusterCost(record: ClusterRecord, prices: PriceList, now: Date): ClusterCost {
  const rates = clusterRates(record.parameters, prices);
  const agents = record.spend?.agents ?? 0;
  return {
    currency: 'USD',
    hourly: usd(hourlyIn(rates, record.status, agents)),
    hourlyMax: record.status === 'DELETED' ? 0 : usd(maxHourly(rates)),
    monthToDate: usd(record.spend ? monthToDate(carriedForward(record, rates, now).cursor, now) : 0),
    basis: rates.basis,
  };
}

/**
 * The cluster's cursor carried to `now` without reading its timeline: settled spend plus the time
 * since, in its present status (taken to have held since the record's last write). The reaper's
 * settlement (core/operations/settle-spend.ts) replaces this with the timeline's exact intervals.
 */
export function carriedForward(record: ClusterRecord, rates: CostRates, now: Date) {
  const cursor = record.spend ?? openCursor(new Date(record.createdAt));
  const since = record.updatedAt > cursor.through ? record.updatedAt : cursor.through;
  const changes: MeterChange[] = [{ at: since, status: record.status }];
  // A cursor never settled starts at the create, which wrote the record CREATING at that instant.
  // Without this, the time up to the last status write would cost nothing: a whole life, for a
  // cluster deleted before the reaper's first settlement ($0 this month where it accrued minimums).
  if (cursor.status === NO_STATUS) changes.unshift({ at: cursor.through, status: 'CREATING' });
  return accrue(cursor, changes, now, rates);
}

function monthToDate(cursor: SpendCursor, now: Date): number {
  return cursor.month === monthOf(now) ? cursor.monthUsd : 0;
}

/** What the cluster has cost in `now`'s month beyond what the team's ledger holds. */
export function unsettledSpend(record: ClusterRecord, prices: PriceList, now: Date): number {
  if (!record.spend) return 0;
  return carriedForward(record, clusterRates(record.parameters, prices), now).charges[monthOf(now)] ?? 0;
}

/** The cluster resource of the API with its `cost`. */
export type PricedClusterView = ClusterView & { cost: ClusterCost };

export function pricedView(record: ClusterRecord, prices: PriceList, now: Date): PricedClusterView {
  return { ...toView(record), cost: clusterCost(record, prices, now) };
}
