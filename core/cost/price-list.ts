/**
 * The price list the cost model reads: core/cost/prices.json, data with a source and a date on every
 * figure (docs/adr/0027-cost-and-budgets.md). `npm run prices` refreshes it from the AWS Price List.
 */
import data from './prices.json' with { type: 'json' };

export interface PriceFigure {
  usd: number;
  unit: 'hour' | 'GB-month';
  /** A key of `PriceList.sources`: where the figure was read, or that it was derived. */
  source: string;
  /** When the figure was read (ISO date, or a month). */
  date: string;
  /** For derived figures: how, e.g. "us-east-1 × 1.1146". */
  derivation?: string;
}

type ByRegion = Record<string, Record<string, PriceFigure>>;

export interface PriceList {
  currency: 'USD';
  /** AWS turns a GB-month price into an hourly one over 730 hours. */
  hoursPerMonth: number;
  sources: Record<string, string>;
  regions: Record<string, { location: string; factor: number }>;
  /** Instance type -> on-demand Linux price per hour. */
  ec2: ByRegion;
  /** DB instance class -> per hour; `gp3` -> storage per GB-month. */
  rds: ByRegion;
  /** `gp3` -> EBS volume storage per GB-month. */
  ebs: ByRegion;
  /** `standard` -> EFS storage per GB-month. */
  efs: ByRegion;
  /** `lustrePersistent2Ssd125` -> FSx for Lustre storage per GB-month. */
  fsx: ByRegion;
  /** `publicIpv4` (every public IPv4 address, Elastic or not) and `natGateway`, per hour. */
  vpc: ByRegion;
}

export const PRICES = data as PriceList;

export type PriceService = 'ec2' | 'rds' | 'ebs' | 'efs' | 'fsx' | 'vpc';

/** A figure, or undefined when the list has none for that region and item. */
export function figure(
  prices: PriceList,
  service: PriceService,
  region: string,
  item: string,
): PriceFigure | undefined {
  return prices[service][region]?.[item];
}

/** USD per hour: hourly figures as they are, GB-month figures for `gigabytes` over the month's hours. */
export function hourly(prices: PriceList, price: PriceFigure | undefined, gigabytes = 1): number {
  if (!price) return 0;
  return price.unit === 'hour' ? price.usd : (price.usd * gigabytes) / prices.hoursPerMonth;
}

/** The newest date among the figures used, and whether any of them is derived rather than read. */
export function provenance(figures: (PriceFigure | undefined)[]): { date: string; derived: boolean } {
  const known = figures.filter((price): price is PriceFigure => price !== undefined);
  const date =
    known
      .map((price) => price.date)
      .sort()
      .at(-1) ?? 'unknown';
  return { date, derived: known.some((price) => price.source === 'derived') };
}
