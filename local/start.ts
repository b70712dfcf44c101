/**
 * npm start: the whole control plane on this machine. The emulator (moto, through our launcher) on
 * 127.0.0.1:$AWS_EMULATOR_PORT (4566), the control plane's resources and workflows created in it,
 * the API on 127.0.0.1:$PORT (3000) served by the same handler code as on AWS, and the idle reaper
 * every $REAPER_INTERVAL_SECONDS. In a terminal it runs in the foreground and Ctrl-C stops
 * everything it started. Started by a script (stdin not a terminal), it returns once the control
 * plane is ready and leaves it running in its own process group: signal the group, or `npm stop`.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../adapters/config.ts';
import { numberFromEnv } from '../adapters/env.ts';
import { signingKey } from './auth.ts';
import { bootstrap, DEMO_KEY_PAIR } from './bootstrap.ts';
import { EmulatorMissingError, startEmulator, type Emulator } from './emulator.ts';
import { startGateway } from './gateway.ts';
import { projectRoot } from './paths.ts';
import type { Poller } from './poll-loop.ts';
import { startQueuePoller } from './queue-poller.ts';
import { startStreamPoller } from './stream-poller.ts';

const REGION = 'us-east-1';

export interface LocalRuntime {
  apiUrl: string;
  emulatorUrl: string;
  stop(): Promise<void>;
}

export async function startLocal(options: {
  port: number;
  emulatorPort: number;
  log: (line: string) => void;
}): Promise<LocalRuntime> {
  const started = Date.now();
  // Every setting is checked before anything starts: a bad one stops npm start with its reason
  // instead of failing every request later (docs/adr/0031-load-and-faults.md).
  checkSettings(process.env);
  const emulator: Emulator = await startEmulator(options.emulatorPort);
  let server: Server | undefined;
  let reaper: NodeJS.Timeout | undefined;
  let streamPoller: Poller | undefined;
  let queuePoller: Poller | undefined;
  try {
    const resources = await bootstrap(emulator.endpoint, REGION);
    // The handlers read their configuration from the environment, as on Lambda.
    const defaults: Record<string, string> = {
      AWS_REGION: REGION,
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_EMULATOR: 'true',
      CLUSTERS_TABLE: resources.clustersTable,
      AUDIT_TABLE: resources.auditTable,
      WEBHOOK_QUEUE_URL: resources.webhookQueueUrl,
      // Webhooks may post to http://127.0.0.1 here (never on AWS); retries wait a fifth as long.
      WEBHOOK_ALLOW_LOOPBACK_HTTP: 'true',
      WEBHOOK_RETRY_SCALE: '0.2',
      CREATE_STATE_MACHINE_ARN: resources.stateMachines.create,
      UPDATE_STATE_MACHINE_ARN: resources.stateMachines.update,
      DELETE_STATE_MACHINE_ARN: resources.stateMachines.delete,
      STOP_STATE_MACHINE_ARN: resources.stateMachines.stop,
      START_STATE_MACHINE_ARN: resources.stateMachines.start,
      UPGRADE_STATE_MACHINE_ARN: resources.stateMachines.upgrade,
      WORKFLOW_POLL_SECONDS: '1',
      WORKFLOW_POLL_INCREMENT_SECONDS: '0',
      WORKFLOW_MAX_POLL_SECONDS: '2',
      WORKFLOW_FAST_PATH: 'false',
      TEARDOWN_GRACE_SECONDS: '60',
      POWERTOOLS_LOG_LEVEL: 'WARN',
      // The local gateway is the API's gateway here: a request's budget follows its limit.
      API_GATEWAY_LIMIT_SECONDS: process.env.LOCAL_LAMBDA_TIMEOUT_SECONDS ?? '29',
      // Stacks are named exactly like their clusters locally (docs/adr/0017-stack-ownership.md).
      STACK_PREFIX: '',
      // The emulator forgets everything when it stops, so a key per run is enough.
      API_KEY: randomBytes(32).toString('hex'),
    };
    for (const [name, value] of Object.entries(defaults)) process.env[name] ??= value;
    // The emulator's endpoint always wins: nothing local may reach a real account.
    process.env.AWS_ENDPOINT_URL = emulator.endpoint;
    server = await startGateway({
      port: options.port,
      signingKey: signingKey(projectRoot),
      log: options.log,
    });
    reaper = await startReaper(Number(process.env.REAPER_INTERVAL_SECONDS ?? 30), options.log);
    // The table stream's consumer (status transitions -> metrics), as Lambda's event source mapping runs it.
    const { handler: streamHandler } = await import('../functions/stream/handler.ts');
    streamPoller = await startStreamPoller({
      endpoint: emulator.endpoint,
      region: REGION,
      table: resources.clustersTable,
      handler: streamHandler,
      intervalMs: 1000,
      log: options.log,
    });
    // The webhook delivery queue's consumer, as Lambda's SQS event source mapping runs it.
    const { handler: deliveryHandler } = await import('../functions/webhooks/deliver.ts');
    queuePoller = startQueuePoller({
      endpoint: emulator.endpoint,
      region: REGION,
      queueUrl: resources.webhookQueueUrl,
      handler: deliveryHandler,
      intervalMs: 500,
      log: options.log,
    });
    options.log(`control plane ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } catch (error) {
    clearInterval(reaper);
    streamPoller?.stop();
    queuePoller?.stop();
    await emulator.stop();
    throw error;
  }
  const gateway = server;
  return {
    apiUrl: `http://127.0.0.1:${options.port}`,
    emulatorUrl: emulator.endpoint,
    stop: async () => {
      clearInterval(reaper);
      streamPoller?.stop();
      queuePoller?.stop();
      await new Promise<void>((resolve) => gateway.close(() => resolve()));
      await emulator.stop();
    },
  };
}

/**
 * The handlers' configuration as it will be once the emulator's resources exist (their names are
 * placeholders here), and the local runtime's own settings. Throws ConfigurationError with the reason.
 */
export function checkSettings(env: NodeJS.ProcessEnv): void {
  const placeholders = Object.fromEntries(
    [
      'CLUSTERS_TABLE',
      ...['CREATE', 'UPDATE', 'DELETE', 'STOP', 'START', 'UPGRADE'].map((op) => `${op}_STATE_MACHINE_ARN`),
    ].map((name) => [name, 'checked-at-start']),
  );
  loadConfig({
    AWS_REGION: REGION,
    API_KEY: '0'.repeat(64),
    STACK_PREFIX: '',
    ...env,
    ...placeholders,
  });
  numberFromEnv(env, 'REAPER_INTERVAL_SECONDS', 30, { min: 1, max: 3600 });
  numberFromEnv(env, 'LOCAL_LAMBDA_TIMEOUT_SECONDS', 29, { min: 1, max: 900 });
}

/** The reaper Lambda's handler on a timer, as EventBridge Scheduler runs it on AWS; runs never overlap. */
async function startReaper(intervalSeconds: number, log: (line: string) => void): Promise<NodeJS.Timeout> {
  const { handler } = await import('../functions/reaper/handler.ts');
  let running = false;
  return setInterval(() => {
    if (running) return;
    running = true;
    handler()
      .then((report) => {
        if (report.decisions.length > 0)
          log(
            `reaper: ${report.decisions.map((entry) => `${entry.clusterId} ${entry.decision}`).join(', ')}`,
          );
        const budget = report.spend?.budgets;
        if (budget && budget.notified.length + budget.actions.length > 0)
          log(
            `budgets: ${[
              ...budget.notified.map((entry) => `${entry.team} at ${entry.thresholdPercent} %`),
              ...budget.actions.map((entry) => `${entry.clusterId} ${entry.action}`),
            ].join(', ')}`,
          );
      })
      .catch((error: unknown) => log(`reaper failed: ${(error as Error).message}`))
      .finally(() => {
        running = false;
      });
  }, intervalSeconds * 1000);
}

const PID_FILE = join(projectRoot, '.local', 'runtime.pid');

/** Runs the control plane in a child of this process group and returns once it is ready. */
async function startInBackground(): Promise<void> {
  const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url)], {
    env: { ...process.env, LOCAL_BACKGROUND_CHILD: '1' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const outcome = await new Promise<string>((resolve) => {
    child.once('message', (message) => resolve(String(message)));
    child.once('exit', (code) => resolve(`exited ${code}`));
  });
  if (outcome !== 'ready') process.exit(1);
  mkdirSync(join(projectRoot, '.local'), { recursive: true });
  writeFileSync(PID_FILE, String(child.pid));
  child.disconnect();
  child.unref();
}

/** npm stop: ends a control plane that npm start left running in the background. */
export function stopBackground(): boolean {
  try {
    process.kill(Number(readFileSync(PID_FILE, 'utf8')), 'SIGTERM');
    rmSync(PID_FILE, { force: true });
    return true;
  } catch {
    return false;
  }
}

async function main(): Promise<void> {
  if (!process.stdin.isTTY && !process.env.LOCAL_BACKGROUND_CHILD && process.env.LOCAL_FOREGROUND !== '1') {
    await startInBackground();
    return;
  }
  const port = Number(process.env.PORT ?? 3000);
  const emulatorPort = Number(process.env.AWS_EMULATOR_PORT ?? 4566);
  const quiet = process.env.LOCAL_LOG === 'off';
  const log = (line: string) => {
    if (!quiet) console.log(line);
  };
  let runtime: LocalRuntime;
  try {
    runtime = await startLocal({ port, emulatorPort, log });
  } catch (error) {
    console.error(
      error instanceof EmulatorMissingError ? error.message : `npm start failed: ${(error as Error).message}`,
    );
    process.exit(1);
  }
  console.log(`API            ${runtime.apiUrl}   (try: curl ${runtime.apiUrl}/health)`);
  console.log(`AWS emulator   ${runtime.emulatorUrl}   (aws --endpoint-url ${runtime.emulatorUrl} ...)`);
  console.log(`demo key pair  ${DEMO_KEY_PAIR}`);
  console.log('token          npm run token -- --team my-team');
  process.send?.('ready');
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    console.log('stopping...');
    await runtime.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
