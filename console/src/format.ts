/** How figures read on the page. */
import { STABLE_STATUSES as STABLE } from '../../core/cluster/statuses.ts';
export interface Cost {
  currency: string;
  hourly: number;
  hourlyMax?: number;
  monthToDate?: number;
  basis?: string;
}

export const usd = (value: number | null | undefined): string =>
  value === null || value === undefined ? '—' : `$${value.toFixed(value < 1 ? 3 : 2)}`;

/** "in 1 h 5 min", "in 40 s", "3 min ago". */
export function relative(instant: string | undefined, now = Date.now()): string {
  if (!instant) return '—';
  const ms = Date.parse(instant) - now;
  const seconds = Math.round(Math.abs(ms) / 1000);
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  const text = h ? `${h} h ${m} min` : m ? `${m} min ${s} s` : `${s} s`;
  return ms >= 0 ? `in ${text}` : `${text} ago`;
}

/** The API's answers carry plain strings. */
export const STABLE_STATUSES: readonly string[] = STABLE;
export const isFailed = (status: string) => status.endsWith('_FAILED');
