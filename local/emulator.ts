/** The local AWS: moto, started through our launcher (local/emulator/launcher.py). */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { projectRoot } from './paths.ts';

const START_TIMEOUT_MS = 90_000;

export class EmulatorMissingError extends Error {}

export function checkPython(): void {
  const probe = spawnSync('python3', ['-c', 'import moto, sys; sys.stdout.write(moto.__version__)'], {
    encoding: 'utf8',
  });
  if (probe.error) {
    throw new EmulatorMissingError(
      'python3 was not found. The local runtime needs Python 3 with moto 5.2: install python3, then `pip install "moto[server]==5.2.1"`.',
    );
  }
  if (probe.status !== 0) {
    throw new EmulatorMissingError(
      'moto is not installed for python3. Install it with: pip install "moto[server]==5.2.1"',
    );
  }
}

export interface Emulator {
  endpoint: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

export async function startEmulator(port: number, options: { quiet?: boolean } = {}): Promise<Emulator> {
  checkPython();
  const endpoint = `http://127.0.0.1:${port}`;
  if (await reachable(endpoint)) {
    throw new Error(`port ${port} is already in use; stop what runs there or set AWS_EMULATOR_PORT`);
  }
  const child = spawn(
    'python3',
    [join(projectRoot, 'local', 'emulator', 'launcher.py'), '-H', '127.0.0.1', '-p', String(port)],
    {
      stdio: ['ignore', 'ignore', options.quiet ? 'ignore' : 'pipe'],
      env: { ...process.env, PYTHONUNBUFFERED: '1' },
    },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  // moto imports boto and the patches first: seconds on a quiet machine, far more on a busy CI runner.
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(
        `the emulator exited (${child.exitCode}): ${stderr.trim().split('\n').slice(-3).join(' ')}`,
      );
    if (await reachable(endpoint)) {
      return {
        endpoint,
        process: child,
        stop: () => stopProcess(child),
      };
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await stopProcess(child);
  throw new Error(`the emulator did not answer on ${endpoint} within ${START_TIMEOUT_MS / 1000} s`);
}

async function reachable(endpoint: string): Promise<boolean> {
  try {
    const response = await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(500) });
    return response.ok;
  } catch {
    return false;
  }
}

function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
