/** What benchmark sections share: one local runtime, started on first use, and a results record. */
import { issueToken, signingKey } from '../local/auth.ts';
import { projectRoot } from '../local/paths.ts';
import { startLocal, type LocalRuntime } from '../local/start.ts';
import { freePort } from '../test/support/ports.ts';

export interface BenchContext {
  /** The local runtime (emulator + API), started once on first use. */
  local(): Promise<LocalRuntime>;
}

export interface BenchSection {
  name: string;
  run(context: BenchContext): Promise<Record<string, unknown>>;
}

export function createContext(): BenchContext & { stop(): Promise<void> } {
  let runtime: Promise<LocalRuntime> | undefined;
  return {
    local() {
      runtime ??= (async () => {
        process.env.POWERTOOLS_LOG_LEVEL ??= 'ERROR';
        // The benchmark's team creates hundreds of clusters; the default quota would answer 429.
        process.env.TEAM_POLICIES ??= JSON.stringify({ defaults: { maxClusters: 10_000 } });
        // Hundreds of stacks at once load the emulator (one Python process) far more than AWS.
        process.env.LOCAL_LAMBDA_TIMEOUT_SECONDS ??= '300';
        process.env.REAPER_INTERVAL_SECONDS ??= '3600';
        return startLocal({ port: await freePort(), emulatorPort: await freePort(), log: () => undefined });
      })();
      return runtime;
    },
    async stop() {
      if (runtime) await (await runtime).stop();
    },
  };
}

/** Percentile of a list of numbers (nearest rank). */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] ?? Number.NaN;
}

/** Request headers of the benchmark's team (a local token, as `npm run token` makes). */
export async function benchHeaders(): Promise<Record<string, string>> {
  const token = await issueToken(signingKey(projectRoot), {
    team: 'bench',
    sub: 'bench',
    admin: false,
    teamClaim: 'team',
    hours: 1,
  });
  return { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
}
