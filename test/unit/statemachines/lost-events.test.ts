/**
 * A lost, duplicated or late stack event (issue 12): the watchdog's sweep
 * (core/workflow/lost-events.ts, modelled in aws-model/fake-aws.ts with the same code) wakes a
 * workflow parked on a settled stack within a sweep period; a duplicate or late wake changes
 * nothing; a token of another execution or another stack of the same name is left alone.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import {
  SETTLED_STACK_STATUSES,
  SWEEP_SECONDS,
  wakeSettledWorkflows,
  type LostEventDeps,
} from '../../../core/workflow/lost-events.ts';
import { projectRoot } from '../../../local/paths.ts';
import { createInput, deleteInput, FakeAws, name, ownedStack, seed } from './fixtures.ts';

const FAST = { fastPath: true, fallbackPollSeconds: 600 };
const EVERY_MINUTE = { everySeconds: 60, firstAfterSeconds: 7 };

function create(clusterId: string, stackSeconds: number) {
  const aws = new FakeAws();
  const execution = name(clusterId, 'create', aws);
  const record = seed(aws, clusterId, { execution });
  aws.plans.create.push({ seconds: stackSeconds });
  return { aws, run: () => aws.run('create', createInput(record, FAST), execution) };
}

describe('the lost-event sweep against the rendered workflows', () => {
  it('wakes a create whose event was lost within one sweep period, not at the fallback poll', async () => {
    const { aws, run } = create('ml-lost', 7 * 60);
    aws.eventBridge = { deliver: false, delaySeconds: 1 };
    aws.watchdog = EVERY_MINUTE;

    const result = await run();

    expect(result.status).toBe('SUCCEEDED');
    expect(aws.cluster('ml-lost').status).toBe('READY');
    expect(aws.clock.secondsSince(aws.started) - 7 * 60).toBeLessThanOrEqual(60);
    expect(result.states).not.toContain('CreateFallbackPollDue');
    expect(aws.sweeps.flatMap((sweep) => sweep.woken.map((wake) => wake.status))).toEqual([
      'CREATE_COMPLETE',
    ]);
  });

  it('is harmless when the event also arrives (twice, in effect): one wake takes, READY once', async () => {
    const { aws, run } = create('ml-twice', 7 * 60);
    // The event comes 30 s late: a sweep may be first, the relay then finds no token waiting.
    aws.eventBridge = { deliver: true, delaySeconds: 30 };
    aws.watchdog = EVERY_MINUTE;

    const result = await run();
    // The late event comes after the workflow moved on: the relay finds nobody waiting.
    await aws.advance(60);
    const relays = await Promise.all(aws.relayRuns);

    expect(result.status).toBe('SUCCEEDED');
    expect(aws.cluster('ml-twice').status).toBe('READY');
    expect(relays[0]?.states.at(-1)).toBe('NobodyWaiting');
    expect(relays.map((relay) => relay.status)).toEqual(['SUCCEEDED']);
    const sweepWakes = aws.sweeps.reduce((sum, sweep) => sum + sweep.woken.length, 0);
    const relayWakes = aws.calls.filter(
      (call) => call.action === 'sfn:sendTaskSuccess' && call.error === undefined,
    ).length;
    expect(sweepWakes + relayWakes).toBe(1);
    expect(aws.sweeps.every((sweep) => sweep.errors === 0)).toBe(true);
  });

  it('wakes a delete whose event was lost', async () => {
    const aws = new FakeAws();
    aws.eventBridge = { deliver: false, delaySeconds: 1 };
    aws.watchdog = EVERY_MINUTE;
    const stack = ownedStack(aws, 'ml-del');
    const execution = name('ml-del', 'delete', aws);
    seed(aws, 'ml-del', { status: 'DELETING', execution, stackId: stack.StackId });
    aws.plans.delete.push({ seconds: 400 });

    const result = await aws.run('delete', deleteInput('ml-del', {}, FAST), execution);

    expect(result.status).toBe('SUCCEEDED');
    expect(aws.cluster('ml-del').status).toBe('DELETED');
    expect(aws.clock.secondsSince(aws.started)).toBeLessThanOrEqual(400 + 60 + 5);
  });
});

describe('wakeSettledWorkflows', () => {
  const running = [
    { workflow: 'create', name: 'exec-a', startedAt: new Date(0) },
    { workflow: 'delete', name: 'exec-b', startedAt: new Date(0) },
  ];
  function deps(overrides: Partial<LostEventDeps> = {}): LostEventDeps & { woken: string[] } {
    const woken: string[] = [];
    return {
      woken,
      running: async () => running,
      clusterOf: async (execution) => ({ team: 'ml', clusterId: execution.name.replace('exec-', '') }),
      parked: async (cluster) => ({
        execution: `exec-${cluster.clusterId}`,
        waitToken: `token-${cluster.clusterId}`,
        stackId: `stack-${cluster.clusterId}`,
      }),
      stackStatus: async () => 'CREATE_COMPLETE',
      wake: async (token) => {
        woken.push(token);
        return true;
      },
      ...overrides,
    };
  }

  it('wakes each parked execution whose stack settled', async () => {
    const sweep = deps();
    const report = await wakeSettledWorkflows(sweep);
    expect(sweep.woken).toEqual(['token-a', 'token-b']);
    expect(report).toEqual({
      parked: 2,
      woken: [
        { execution: 'exec-a', status: 'CREATE_COMPLETE' },
        { execution: 'exec-b', status: 'CREATE_COMPLETE' },
      ],
      errors: 0,
    });
  });

  it('leaves a stack still in progress, and a token the record holds for another execution', async () => {
    const sweep = deps({
      stackStatus: async (stackId) => (stackId === 'stack-a' ? 'CREATE_IN_PROGRESS' : 'DELETE_COMPLETE'),
      parked: async (cluster) =>
        cluster.clusterId === 'b'
          ? { execution: 'exec-older', waitToken: 'token-old', stackId: 'stack-b' }
          : { execution: 'exec-a', waitToken: 'token-a', stackId: 'stack-a' },
    });
    const report = await wakeSettledWorkflows(sweep);
    expect(sweep.woken).toEqual([]);
    expect(report.parked).toBe(1);
  });

  it('counts a token no longer waited on as no wake, and one failure without hiding the rest', async () => {
    const sweep = deps({
      clusterOf: async (execution) => {
        if (execution.name === 'exec-a') throw new Error('DescribeExecution throttled');
        return { team: 'ml', clusterId: 'b' };
      },
      wake: async () => false,
    });
    const report = await wakeSettledWorkflows(sweep);
    expect(report).toEqual({ parked: 1, woken: [], errors: 1 });
  });
});

describe('the sweep as deployed', () => {
  it('runs as often as SWEEP_SECONDS says (the lag the bench reports) and knows the relayed statuses', () => {
    const tags = ['!Ref', '!GetAtt', '!Sub', '!Join', '!If'].map((tag) => ({
      tag,
      resolve: (value: string) => value,
    }));
    type RelayEvent = { eventBridge?: { event?: { detail?: { 'status-details'?: { status?: string[] } } } } };
    const config = parse(readFileSync(join(projectRoot, 'serverless.yml'), 'utf8'), { customTags: tags }) as {
      functions: { watchdog: { events: { eventBridge?: { schedule?: string } }[] } };
      stepFunctions: { stateMachines: { stackEventRelay: { events: RelayEvent[] } } };
    };
    const schedule = config.functions.watchdog.events
      .map((event) => event.eventBridge?.schedule)
      .find(Boolean);
    const match = /^rate\((\d+) minutes?\)$/.exec(schedule ?? '');
    expect(Number(match?.[1]) * 60).toBe(SWEEP_SECONDS);
    // The EventBridge rule relays exactly the statuses the sweep treats as settled.
    const relayed = config.stepFunctions.stateMachines.stackEventRelay.events.flatMap(
      (event) => event.eventBridge?.event?.detail?.['status-details']?.status ?? [],
    );
    expect(relayed).toHaveLength(SETTLED_STACK_STATUSES.length);
    expect([...relayed].sort()).toEqual([...SETTLED_STACK_STATUSES].sort());
  });
});
