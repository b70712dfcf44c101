/**
 * Starts the local runtime (`npm start`'s code: moto through the launcher, the control plane's
 * resources, the API) on free ports, once for all emulator tests. Tests find it through
 * API_URL and EMULATOR_URL, and the emulator's region and test credentials in the usual variables.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, openSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../local/ports.ts';

declare global {
  var localRuntime: ChildProcess | undefined;
}

export default async function globalSetup(): Promise<void> {
  const [port, emulatorPort] = await Promise.all([freePort(), freePort()]);
  const root = join(import.meta.dirname, '..', '..');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    AWS_EMULATOR_PORT: String(emulatorPort),
    LOCAL_LOG: 'off',
    LOCAL_FOREGROUND: '1',
    // The reaper test drives its own runs with an injected clock; keep the background one quiet.
    REAPER_INTERVAL_SECONDS: process.env.REAPER_INTERVAL_SECONDS ?? '3600',
    // Stack updates end at once in moto: a one-minute update budget lets the rolled-back upgrade of
    // test/emulator/update-replacement.test.ts wait out a master that never answers. The budget counts
    // the poll rounds' waits (1-2 s each), not wall time, so a loaded machine cannot shorten it; every
    // other update and upgrade here ends within a few rounds, and no other test reads the value.
    UPDATE_TIMEOUT_MINUTES: process.env.UPDATE_TIMEOUT_MINUTES ?? '1',
    // One team with a tiny monthly budget, for test/emulator/cost.test.ts; every other team has none.
    TEAM_POLICIES:
      process.env.TEAM_POLICIES ?? JSON.stringify({ teams: { 'budget-emu': { monthlyBudgetUsd: 0.005 } } }),
  };
  // The runtime's stdout (the handlers' embedded-metric lines among it) goes to a file tests can read.
  const runtimeLog = join(mkdtempSync(join(tmpdir(), 'local-runtime-')), 'stdout.log');
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'local', 'start.ts')], {
    cwd: root,
    env,
    stdio: ['ignore', openSync(runtimeLog, 'w'), 'pipe'],
    detached: false,
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  globalThis.localRuntime = child;
  const apiUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the local runtime exited: ${stderr}`);
    try {
      const response = await fetch(`${apiUrl}/health`, { signal: AbortSignal.timeout(500) });
      if (response.ok) break;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`the local runtime did not start within 60 s: ${stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  process.env.API_URL = apiUrl;
  process.env.RUNTIME_LOG = runtimeLog;
  process.env.EMULATOR_URL = `http://127.0.0.1:${emulatorPort}`;
  process.env.AWS_REGION = 'us-east-1';
  process.env.AWS_ACCESS_KEY_ID = 'test';
  process.env.AWS_SECRET_ACCESS_KEY = 'test';
}
