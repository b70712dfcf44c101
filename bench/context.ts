/** What benchmark sections share: one local runtime, started on first use, and timing helpers. */
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { issueToken, signingKey } from '../local/auth.ts';
import { projectRoot } from '../local/paths.ts';
import { startLocal, type LocalRuntime } from '../local/start.ts';
import { freePort } from '../local/ports.ts';

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

/** Wall time of one run of a command, in milliseconds (the command's output is discarded). */
export function timeRun(command: string, args: readonly string[]): number {
  const started = performance.now();
  const result = spawnSync(command, args, { stdio: 'ignore' });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${result.status}`);
  return performance.now() - started;
}

/** Milliseconds a fresh node process spends in `import()` of a module: a Lambda cold start's init. */
export function importMs(file: string): number {
  const script = `const t = performance.now(); await import(${JSON.stringify(pathToFileURL(file).href)}); process.stdout.write(String(performance.now() - t));`;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`importing ${file} failed: ${result.stderr}`);
  return Number(result.stdout);
}

/** Round to one decimal, as the results record figures. */
export const round1 = (value: number) => Math.round(value * 10) / 10;
