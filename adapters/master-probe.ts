/**
 * Asks a Determined master whether it has work, through its documented REST API
 * (reference: det-deploy.md §4): active commands/notebooks/shells/tensorboards, experiments that are
 * active or queued, and jobs queued or scheduled in any resource pool. Anything unexpected
 * (unreachable, login refused, timeout) is "unreachable", which alone never proves idleness.
 */
import type { MasterProbe } from '../core/ports.ts';

const ACTIVE_EXPERIMENT_STATES = [
  'STATE_ACTIVE',
  'STATE_QUEUED',
  'STATE_PULLING',
  'STATE_STARTING',
  'STATE_RUNNING',
];

type Json = Record<string, unknown>;

export class HttpMasterProbe implements MasterProbe {
  constructor(private readonly options: { timeoutMs: number }) {}

  async activity(
    masterUrl: string,
    credentials: { username: string; password: string },
  ): Promise<'busy' | 'idle' | 'unreachable'> {
    try {
      const base = masterUrl.replace(/\/+$/, '');
      const login = await this.request(`${base}/api/v1/auth/login`, undefined, {
        username: credentials.username,
        password: credentials.password,
        isHashed: false,
      });
      const token = login.token;
      if (typeof token !== 'string') return 'unreachable';
      const states = ACTIVE_EXPERIMENT_STATES.map((state) => `states=${state}`).join('&');
      const [tasks, experiments, queues] = await Promise.all([
        this.request(`${base}/api/v1/tasks/count`, token),
        this.request(`${base}/api/v1/experiments?${states}&limit=1`, token),
        this.request(`${base}/api/v1/job-queues/stats`, token),
      ]);
      const activeTasks = ['commands', 'notebooks', 'shells', 'tensorboards'].some(
        (kind) => Number(tasks[kind] ?? 0) > 0,
      );
      const activeExperiments = Array.isArray(experiments.experiments) && experiments.experiments.length > 0;
      const queued = (Array.isArray(queues.results) ? queues.results : []).some((result: Json) => {
        const stats = (result.stats ?? {}) as Json;
        return (
          Number(stats.queuedCount ?? stats.queued_count ?? 0) +
            Number(stats.scheduledCount ?? stats.scheduled_count ?? 0) >
          0
        );
      });
      return activeTasks || activeExperiments || queued ? 'busy' : 'idle';
    } catch {
      return 'unreachable';
    }
  }

  private async request(url: string, token?: string, body?: Json): Promise<Json> {
    const response = await fetch(url, {
      method: body ? 'POST' : 'GET',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(this.options.timeoutMs),
    });
    if (!response.ok) throw new Error(`${url}: ${response.status}`);
    return (await response.json()) as Json;
  }
}
