/** The metrics of one answered API request: a count and the time spent, by route template and status class. */
import { point, type MetricPoint } from './catalogue.ts';

/** Route templates only (`GET /clusters/{clusterId}`), never raw paths: ids would make a metric per cluster. */
const ROUTE_KEY = /^[A-Z]{3,7} \/[A-Za-z0-9{}/._-]{0,80}$/;

export function statusClass(status: number | undefined): string {
  if (status === undefined || !Number.isInteger(status) || status < 100 || status > 599) return '5xx';
  return `${Math.floor(status / 100)}xx`;
}

export function requestPoints(request: {
  routeKey: string | undefined;
  status: number | undefined;
  elapsedMs: number;
}): MetricPoint[] {
  const dimensions = {
    route: request.routeKey && ROUTE_KEY.test(request.routeKey) ? request.routeKey : 'other',
    statusClass: statusClass(request.status),
  };
  return [
    point('ApiRequests', 1, dimensions),
    point('ApiLatency', Math.max(0, Math.round(request.elapsedMs)), dimensions),
  ];
}
