/**
 * A small typed client of the control plane's REST API (shared/contract.md, "Endpoints"): bearer
 * auth, problem+json errors as ApiError, Idempotency-Key on every write, and retries of transient
 * failures (a write is retried with the same key, so the API answers it at most once).
 */
import { randomUUID } from 'node:crypto';
import type { ClusterView } from '../core/cluster/model.ts';
import type { CreateClusterRequest, UpdateClusterRequest } from '../core/cluster/request.ts';
import type { ClusterCost } from '../core/cost/cluster-cost.ts';
import type { UpdatePreview } from '../core/operations/update-cluster.ts';
import type { TimelineEntry } from '../core/timeline.ts';

/** Stack progress the API reports while a stack operation runs. */
export interface StackProgress {
  stackStatus: string;
  resourcesDone: number;
  resourcesTotal: number;
}

export type Cluster = ClusterView & { progress?: StackProgress; cost?: ClusterCost };
export type { TimelineEntry, UpdatePreview };

export interface Page<T> {
  items: T[];
  nextToken?: string;
}

export interface DryRunResult {
  template: unknown;
  parameters: Record<string, string>;
  cost?: ClusterCost;
}

/** RFC 9457 problem details, as the API sends them. */
export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  errors?: { field: string; message: string }[];
  requestId?: string;
  /** budget-exceeded: the team's monthly budget and its spend this month. */
  budgetUsd?: number;
  spentUsd?: number;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem,
    readonly request: string,
  ) {
    super(problem.detail ?? problem.title ?? `HTTP ${status}`);
    this.name = 'ApiError';
  }
}

/** The API could not be reached at all (connection refused, DNS, timeout). */
export class ApiUnreachableError extends Error {
  constructor(
    readonly url: string,
    cause: unknown,
  ) {
    super(`cannot reach the API at ${url}: ${describeCause(cause)}`, { cause });
    this.name = 'ApiUnreachableError';
  }
}

export interface ApiClientOptions {
  baseUrl: string;
  token: string;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  newIdempotencyKey?: () => string;
  /** Attempts per request, the first included. */
  attempts?: number;
  timeoutMs?: number;
}

export class ApiClient {
  private readonly fetch: typeof fetch;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly newKey: () => string;
  private readonly attempts: number;
  private readonly timeoutMs: number;

  constructor(private readonly options: ApiClientOptions) {
    this.fetch = options.fetch ?? globalThis.fetch;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.newKey = options.newIdempotencyKey ?? randomUUID;
    this.attempts = options.attempts ?? 3;
    this.timeoutMs = options.timeoutMs ?? 30_000;
  }

  /** The cluster, or undefined when there is none with this id (404). */
  async getCluster(clusterId: string): Promise<Cluster | undefined> {
    try {
      return await this.request<Cluster>('GET', clusterPath(clusterId));
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) return undefined;
      throw error;
    }
  }

  createCluster(body: CreateClusterRequest): Promise<Cluster> {
    return this.request<Cluster>('POST', '/clusters', body);
  }

  dryRun(body: CreateClusterRequest): Promise<DryRunResult> {
    return this.request<DryRunResult>('POST', '/clusters?dryRun=true', body);
  }

  updateCluster(clusterId: string, patch: UpdateClusterRequest): Promise<Cluster> {
    return this.request<Cluster>('PATCH', clusterPath(clusterId), patch);
  }

  /** PATCH ?dryRun=true: the update's checks and CloudFormation's change set; nothing changes. */
  previewUpdate(clusterId: string, patch: UpdateClusterRequest): Promise<UpdatePreview> {
    return this.request<UpdatePreview>('PATCH', `${clusterPath(clusterId)}?dryRun=true`, patch);
  }

  deleteCluster(clusterId: string, options: { purge?: boolean } = {}): Promise<Cluster> {
    return this.request<Cluster>('DELETE', `${clusterPath(clusterId)}${options.purge ? '?purge=true' : ''}`);
  }

  stopCluster(clusterId: string): Promise<Cluster> {
    return this.request<Cluster>('POST', `${clusterPath(clusterId)}/stop`);
  }

  startCluster(clusterId: string): Promise<Cluster> {
    return this.request<Cluster>('POST', `${clusterPath(clusterId)}/start`);
  }

  listClusters(query: { limit?: number; nextToken?: string } = {}): Promise<Page<Cluster>> {
    return this.request<Page<Cluster>>('GET', `/clusters${queryString(query)}`);
  }

  /** Every cluster the caller sees, following nextToken. */
  async allClusters(): Promise<Cluster[]> {
    const clusters: Cluster[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.listClusters({ limit: 100, ...(nextToken ? { nextToken } : {}) });
      clusters.push(...page.items);
      nextToken = page.nextToken;
    } while (nextToken);
    return clusters;
  }

  listEvents(
    clusterId: string,
    query: { limit?: number; nextToken?: string } = {},
  ): Promise<Page<TimelineEntry>> {
    return this.request<Page<TimelineEntry>>('GET', `${clusterPath(clusterId)}/events${queryString(query)}`);
  }

  private async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const url = `${this.options.baseUrl}${path}`;
    const headers: Record<string, string> = {
      accept: 'application/json, application/problem+json',
      authorization: `Bearer ${this.options.token}`,
      'user-agent': 'det-deploy',
    };
    const write = method !== 'GET';
    // One key for all attempts of this request: a retry after a lost response is answered, not redone.
    if (write) headers['idempotency-key'] = this.newKey();
    if (body !== undefined) headers['content-type'] = 'application/json';
    const payload = body === undefined ? undefined : JSON.stringify(body);

    for (let attempt = 1; ; attempt += 1) {
      let response: Response;
      try {
        response = await this.fetch(url, {
          method,
          headers,
          body: payload,
          signal: AbortSignal.timeout(this.timeoutMs),
        });
      } catch (error) {
        if (attempt < this.attempts) {
          await this.sleep(backoff(attempt));
          continue;
        }
        throw new ApiUnreachableError(this.options.baseUrl, error);
      }
      const text = await response.text();
      if (response.ok) return (text ? JSON.parse(text) : undefined) as T;
      if (attempt < this.attempts && retryable(response.status, write) && !isBudgetExceeded(text)) {
        await this.sleep(retryAfter(response) ?? backoff(attempt));
        continue;
      }
      throw new ApiError(response.status, parseProblem(text, response.status), `${method} ${path}`);
    }
  }
}

/** 429 and gateway errors are transient; a 500 on a write is an answer, not a hiccup. */
function retryable(status: number, write: boolean): boolean {
  if (status === 429 || status === 502 || status === 503 || status === 504) return true;
  return status >= 500 && !write;
}

/** A spent budget does not come back within a retry; the answer is final. */
function isBudgetExceeded(text: string): boolean {
  return /"type"\s*:\s*"[^"]*budget-exceeded"/.test(text);
}

function backoff(attempt: number): number {
  return 500 * 2 ** (attempt - 1);
}

function retryAfter(response: Response): number | undefined {
  const seconds = Number(response.headers.get('retry-after'));
  return Number.isFinite(seconds) && seconds > 0 ? Math.min(seconds, 10) * 1000 : undefined;
}

function parseProblem(text: string, status: number): Problem {
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === 'object') return parsed as Problem;
  } catch {
    // not JSON: a proxy or gateway answered
  }
  return { status, title: `HTTP ${status}`, ...(text ? { detail: text.slice(0, 300) } : {}) };
}

function clusterPath(clusterId: string): string {
  return `/clusters/${encodeURIComponent(clusterId)}`;
}

function queryString(query: Record<string, string | number | undefined>): string {
  const entries = Object.entries(query).filter(([, value]) => value !== undefined);
  if (entries.length === 0) return '';
  return `?${new URLSearchParams(entries.map(([key, value]): [string, string] => [key, String(value)])).toString()}`;
}

function describeCause(cause: unknown): string {
  if (!(cause instanceof Error)) return String(cause);
  // fetch wraps the socket error: "fetch failed" says nothing, its cause does.
  const inner = cause.cause;
  if (inner instanceof Error) {
    const code = (inner as { code?: string }).code;
    return code ? `${code} (${inner.message})` : inner.message;
  }
  return cause.name === 'TimeoutError' ? 'no answer in time' : cause.message;
}
