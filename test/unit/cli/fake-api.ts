/**
 * A scripted stand-in for the control plane's HTTP API, seen through fetch, and an Io that records
 * what det-deploy writes. Requests are recorded so tests can assert on exactly what was sent.
 */
import type { Cluster } from '../../../cli/api-client.ts';
import type { Io } from '../../../cli/context.ts';
import { run } from '../../../cli/run.ts';

export interface SentRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: unknown;
}

export interface Answer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

type Route = (request: SentRequest) => Answer | undefined;

export class FakeApi {
  readonly requests: SentRequest[] = [];
  private readonly routes: Route[] = [];

  /** Answer `method path` (path without the query) with the answers in turn; the last one repeats. */
  on(
    method: string,
    path: string | RegExp,
    ...answers: (Answer | ((request: SentRequest) => Answer))[]
  ): this {
    let next = 0;
    this.routes.push((request) => {
      const bare = request.path.split('?')[0] ?? '';
      const matches = typeof path === 'string' ? bare === path : path.test(bare);
      if (request.method !== method || !matches) return undefined;
      const answer = answers[Math.min(next, answers.length - 1)];
      next += 1;
      return typeof answer === 'function' ? answer(request) : answer;
    });
    return this;
  }

  /** The creates sent: POST /clusters without ?dryRun (up asks for a dry run's cost estimate first). */
  creates(): SentRequest[] {
    return this.sent('POST').filter((request) => request.path === '/clusters');
  }

  sent(method: string, pathPrefix = ''): SentRequest[] {
    return this.requests.filter(
      (request) => request.method === method && request.path.startsWith(pathPrefix),
    );
  }

  readonly fetch: typeof fetch = async (input, init) => {
    const url = new URL(String(input));
    const headers = Object.fromEntries(Object.entries((init?.headers ?? {}) as Record<string, string>));
    const request: SentRequest = {
      method: init?.method ?? 'GET',
      path: `${url.pathname}${url.search}`,
      headers,
      body: typeof init?.body === 'string' ? JSON.parse(init.body) : undefined,
    };
    this.requests.push(request);
    for (const route of this.routes) {
      const answer = route(request);
      if (answer) {
        const problem = answer.status >= 400;
        return new Response(answer.body === undefined ? null : JSON.stringify(answer.body), {
          status: answer.status,
          headers: {
            'content-type': problem ? 'application/problem+json' : 'application/json',
            ...answer.headers,
          },
        });
      }
    }
    return new Response(JSON.stringify({ title: 'Not found', status: 404, detail: 'no route' }), {
      status: 404,
    });
  };
}

export const API_URL = 'http://api.test';

export function cluster(overrides: Partial<Cluster> = {}): Cluster {
  return {
    clusterId: 'c1',
    team: 'alpha',
    owner: 'alpha-user',
    deploymentType: 'simple',
    status: 'READY',
    parameters: {
      keypair: 'demo-key',
      deploymentType: 'simple',
      masterInstanceType: 'm5.large',
      cpuAgentInstanceType: 't2.xlarge',
      gpuAgentInstanceType: 'p2.8xlarge',
      inboundCidr: '0.0.0.0/0',
      region: 'us-east-1',
      maxCpuContainersPerAgent: 100,
      maxIdleAgentPeriod: '10m',
      maxDynamicAgents: 5,
      spot: false,
      determinedVersion: '0.38.1',
      idleTimeout: '8h',
      protected: false,
      tags: {},
    },
    outputs: {
      masterUrl: 'http://203.0.113.10:8080',
      masterAddress: '203.0.113.10',
      masterId: 'i-0123',
      logGroup: '/determined/c1',
      checkpointBucket: 'c1-checkpoints',
    },
    createdAt: '2030-01-01T00:00:00.000Z',
    updatedAt: '2030-01-01T00:00:00.000Z',
    idle: { idleTimeout: '8h' },
    version: 1,
    ...overrides,
  };
}

export interface RecordingIo extends Io {
  out(): string;
  err(): string;
  stderrWrites: string[];
  prompts: string[];
}

export function recordingIo(
  api: FakeApi,
  options: { tty?: boolean; stdinIsTTY?: boolean; answer?: string; env?: Record<string, string> } = {},
): RecordingIo {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const prompts: string[] = [];
  let clock = Date.parse('2030-01-01T00:10:00Z');
  let key = 0;
  return {
    stdout: { write: (text) => void stdout.push(text), isTTY: options.tty ?? false },
    stderr: { write: (text) => void stderr.push(text), isTTY: options.tty ?? false, columns: 100 },
    env: options.env ?? { DET_DEPLOY_API_URL: API_URL, DET_DEPLOY_TOKEN: 'test-token' },
    stdinIsTTY: options.stdinIsTTY ?? false,
    prompt: async (question) => {
      prompts.push(question);
      return options.answer ?? '';
    },
    sleep: async (ms) => {
      clock += ms;
    },
    now: () => clock,
    fetch: api.fetch,
    newIdempotencyKey: () => `key-${(key += 1)}`,
    pollIntervalMs: 1000,
    out: () => stdout.join(''),
    err: () => stderr.join(''),
    stderrWrites: stderr,
    prompts,
  };
}

/** Run det-deploy with argv against the fake API; returns the exit code and what it wrote. */
export async function detDeploy(
  argv: string[],
  api: FakeApi,
  options: Parameters<typeof recordingIo>[1] = {},
) {
  const io = recordingIo(api, options);
  const code = await run(argv, io);
  return { code, out: io.out(), err: io.err(), io };
}
