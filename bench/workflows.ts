/**
 * The workflows' cost and speed. State transitions (what Step Functions bills) of one create whose
 * stack takes 20 minutes, run by the scenario harness in virtual time with production timing: polling
 * only (10 s, then 5 s more per poll, at most 60 s) and with the fast path (task token woken by the
 * stack-event relay, fallback poll every 600 s). Then the local POST-to-READY time, through the API
 * and the emulator's real Step Functions.
 */
import { DEMO_KEY_PAIR } from '../local/bootstrap.ts';
import type { ClusterParameters, ClusterRecord } from '../core/cluster/model.ts';
import { executionName, secretName, stackName } from '../core/cluster/naming.ts';
import { CREATE_DEFAULTS } from '../core/cluster/request.ts';
import { createWorkflowInput } from '../core/workflow/create-input.ts';
import { timingFrom, type WorkflowTiming } from '../core/workflow/inputs.ts';
import { SWEEP_SECONDS } from '../core/workflow/lost-events.ts';
import { loadConfig } from '../adapters/config.ts';
import { FakeAws, PRODUCTION_TIMING } from '../aws-model/fake-aws.ts';
import { benchHeaders, percentile, type BenchContext, type BenchSection } from './context.ts';

export const FAST_PATH_TARGET = 30;
const STACK_SECONDS = 20 * 60;
const LOCAL_CREATES = 5;

async function create(
  stackSeconds: number,
  timing: WorkflowTiming,
  deliverEvents: boolean,
  watchdog?: FakeAws['watchdog'],
) {
  const aws = new FakeAws();
  aws.eventBridge = { deliver: deliverEvents, delaySeconds: 1 };
  aws.watchdog = watchdog;
  aws.plans.create.push({ seconds: stackSeconds });
  aws.keyPairs.set('bench', {});
  const now = new Date(aws.clock.now());
  const cluster = { team: 'ml', clusterId: 'bench' };
  const parameters: ClusterParameters = {
    ...CREATE_DEFAULTS,
    keypair: 'bench',
    region: 'us-east-1',
    idleTimeout: 'never',
    tags: {},
  };
  const record: ClusterRecord = {
    clusterId: 'bench',
    team: 'ml',
    owner: 'bench',
    deploymentType: 'simple',
    status: 'CREATING',
    parameters,
    outputs: {},
    secretName: secretName(cluster, 1, now),
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
    version: 1,
    idle: { idleTimeout: 'never' },
    execution: executionName(cluster, 'create', now),
  };
  aws.seedCluster(record);
  const input = createWorkflowInput(record, {
    stackName: stackName('detcp-bench-', cluster.clusterId),
    template: {},
    inputs: { secretName: record.secretName ?? '' },
    timing,
  });
  const result = await aws.run('create', input, record.execution ?? '');
  const relays = await Promise.all(aws.relayRuns);
  if (aws.cluster('bench').status !== 'READY')
    throw new Error(`the bench create ended ${aws.cluster('bench').status}`);
  // When the stack settled, and when the workflow first read it settled (its wait ended there).
  const stack = aws.stacks[0];
  const settledAt =
    (stack?.history.find((entry) => entry.status === 'CREATE_COMPLETE')?.at ?? 0) - aws.started;
  const noticedAt = aws.calls.find(
    (call) => call.action === 'cloudformation:describeStacks' && call.at * 1000 >= settledAt,
  )?.at;
  return {
    transitions: result.transitions,
    settledAtSeconds: settledAt / 1000,
    lagSeconds: noticedAt === undefined ? undefined : noticedAt - settledAt / 1000,
    describeStacksCalls: aws.calls.filter((call) => call.action === 'cloudformation:describeStacks').length,
    readyAfterSeconds: aws.clock.secondsSince(aws.started),
    noticedSecondsAfterStack: aws.clock.secondsSince(aws.started) - stackSeconds,
    ...(relays.length > 0
      ? {
          relayExecutions: relays.length,
          relayTransitions: relays.reduce((sum, relay) => sum + relay.transitions, 0),
        }
      : {}),
  };
}

async function localPostToReady(context: BenchContext) {
  const runtime = await context.local();
  const headers = await benchHeaders();
  const samples: number[] = [];
  for (let run = 0; run < LOCAL_CREATES; run++) {
    const clusterId = `bench-${Date.now().toString(36)}-${run}`;
    const started = performance.now();
    const response = await fetch(`${runtime.apiUrl}/clusters`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ clusterId, keypair: DEMO_KEY_PAIR }),
    });
    if (response.status !== 202)
      throw new Error(`POST /clusters gave ${response.status}: ${await response.text()}`);
    for (;;) {
      const cluster = (await (
        await fetch(`${runtime.apiUrl}/clusters/${clusterId}`, { headers })
      ).json()) as {
        status: string;
        statusReason?: string;
      };
      if (cluster.status === 'READY') break;
      if (cluster.status.endsWith('FAILED'))
        throw new Error(`${clusterId} ${cluster.status}: ${cluster.statusReason}`);
      if (performance.now() - started > 60_000) throw new Error(`${clusterId} not READY within 60 s`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    samples.push(Math.round(performance.now() - started));
    await fetch(`${runtime.apiUrl}/clusters/${clusterId}?purge=true`, { method: 'DELETE', headers });
  }
  return { creates: LOCAL_CREATES, medianMs: percentile(samples, 50), samplesMs: samples };
}

const FAST: WorkflowTiming = { ...PRODUCTION_TIMING, fastPath: true, fallbackPollSeconds: 600 };

/**
 * Lag after a stack settles when its event is lost, for stacks of 5 to 45 minutes: the workflow's
 * own fallback poll (the deployed defaults, adapters/config.ts) and the watchdog's sweep every
 * SWEEP_SECONDS (core/workflow/lost-events.ts), run in virtual time. The sweep's phase against the
 * stack is unknown, so each duration is run with the sweeps at several offsets; the worst is kept.
 */
export async function lostEventLag() {
  const timing = deployedTiming();
  const byDuration: { stackMinutes: number; worstLagSeconds: number; transitions: number }[] = [];
  for (let minutes = 5; minutes <= 45; minutes += 5) {
    // Where the stack settles in this run (virtual time is deterministic), then sweeps placed just
    // before it (the worst case: the next sweep is a period later), at it, and between.
    const probe = await create(minutes * 60, timing, false);
    const settledAt = (probe.settledAtSeconds ?? 0) + 0.001;
    let worst = 0;
    let transitions = 0;
    for (const before of [0.002, 1, SWEEP_SECONDS / 4, SWEEP_SECONDS / 2, (3 * SWEEP_SECONDS) / 4]) {
      const run = await create(minutes * 60, timing, false, {
        everySeconds: SWEEP_SECONDS,
        firstAfterSeconds: (((settledAt - before) % SWEEP_SECONDS) + SWEEP_SECONDS) % SWEEP_SECONDS,
      });
      if (run.lagSeconds === undefined)
        throw new Error(`the ${minutes}-minute create never read its stack settled`);
      worst = Math.max(worst, run.lagSeconds);
      transitions = Math.max(transitions, run.transitions);
    }
    byDuration.push({ stackMinutes: minutes, worstLagSeconds: Math.round(worst * 1000) / 1000, transitions });
  }
  // 21 minutes: not a multiple of the fallback poll, so this shows the lag without the sweep.
  const withoutSweep = await create(21 * 60, timing, false);
  const withEvent = await create(20 * 60, timing, true, {
    everySeconds: SWEEP_SECONDS,
    firstAfterSeconds: 1,
  });
  const worstLagSeconds = Math.max(...byDuration.map((entry) => entry.worstLagSeconds));
  return {
    timing: { fallbackPollSeconds: timing.fallbackPollSeconds, sweepSeconds: SWEEP_SECONDS },
    byDuration,
    worstLagSeconds,
    lagTargetSeconds: LAG_TARGET_SECONDS,
    meetsLagTarget: worstLagSeconds <= LAG_TARGET_SECONDS,
    twentyMinuteCreate: {
      withEventTransitions: withEvent.transitions,
      target: FAST_PATH_TARGET,
      meetsTarget: withEvent.transitions <= FAST_PATH_TARGET,
    },
    twentyOneMinuteCreateEventLostWithoutSweep: {
      lagSeconds: withoutSweep.lagSeconds,
      transitions: withoutSweep.transitions,
    },
  };
}

export const LAG_TARGET_SECONDS = 60;

/** The workflow timing a deploy gets (serverless.yml sets WORKFLOW_FAST_PATH; the rest are defaults). */
function deployedTiming(): WorkflowTiming {
  return timingFrom(
    loadConfig({
      AWS_REGION: 'us-east-1',
      CLUSTERS_TABLE: 'bench',
      ...Object.fromEntries(
        ['CREATE', 'UPDATE', 'DELETE', 'STOP', 'START', 'UPGRADE'].map((op) => [
          `${op}_STATE_MACHINE_ARN`,
          'bench',
        ]),
      ),
      API_KEY: '0'.repeat(64),
      WORKFLOW_FAST_PATH: 'true',
    }).workflow,
  );
}

export const workflows: BenchSection = {
  name: 'workflows',
  async run(context) {
    // Virtual time replaces the timer functions while it runs: measure it before the local runtime
    // (which has timers of its own) starts.
    const polling = await create(STACK_SECONDS, PRODUCTION_TIMING, false);
    const fastPath = await create(STACK_SECONDS, FAST, true);
    const lostEvents = await lostEventLag();
    // 20 minutes is a multiple of the fallback interval, so there the poll and the event coincide;
    // other durations show what the event saves, and the most a create costs with the fast path.
    const sweep = [];
    for (const minutes of [5, 12, 19, 20, 21, 31, 45]) {
      const withEvent = await create(minutes * 60, FAST, true);
      const eventLost = await create(minutes * 60, FAST, false);
      sweep.push({
        stackMinutes: minutes,
        transitions: withEvent.transitions,
        noticedSecondsAfterStack: withEvent.noticedSecondsAfterStack,
        eventLost: {
          transitions: eventLost.transitions,
          noticedSecondsAfterStack: eventLost.noticedSecondsAfterStack,
        },
      });
    }
    return {
      stackMinutes: STACK_SECONDS / 60,
      transitionsPerCreate: {
        polling,
        fastPath: {
          ...fastPath,
          target: FAST_PATH_TARGET,
          meetsTarget: fastPath.transitions <= FAST_PATH_TARGET,
        },
      },
      fastPathByStackDuration: sweep,
      fastPathMostTransitions: Math.max(...sweep.map((entry) => entry.transitions)),
      lostEvents,
      localPostToReady: await localPostToReady(context),
    };
  },
};
