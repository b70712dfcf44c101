/**
 * Runs the rendered workflows (statemachines/*.asl.json) in-process with aws-local-stepfunctions, in
 * virtual time, for the scenario tests and the bench. What the harness adds to the interpreter, and why:
 *
 * - `Promise.withResolvers` for Node 20 (aws-local-stepfunctions 3 targets Node 22).
 * - JSONPath: a path with a filter, a wildcard or `..` always yields a list, as in Step Functions
 *   (jsonpath-plus, used with `wrap: false`, unwraps a single match and gives undefined for none).
 * - The context object: `$$.Execution.Name`, `$$.State.EnteredTime` (virtual clock), `$$.State.Name`
 *   and a fresh `$$.Task.Token` per task; the interpreter provides only the execution's input.
 * - A virtual clock: Wait states, Retry backoff and task timeouts (TimeoutSecondsPath) run on timers
 *   that fire as soon as the workflow is idle, so a 20-minute stack takes milliseconds.
 * - Counting: every state entered (and every retry), read off the definition itself, because the
 *   interpreter's event log forwards events of Parallel branches asynchronously and drops the last ones.
 * - TimeoutSecondsPath: the interpreter reads it from the task's Parameters instead of the state's
 *   input; the harness resolves it against the execution input instead, which is the same value here
 *   because it is only ever a `$.timing.*` path and no state writes `$.timing`.
 * The definitions themselves are run exactly as rendered, with their placeholders substituted.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { StateMachine } from 'aws-local-stepfunctions';
import { JSONPath } from 'jsonpath-plus';
import { substitute, type Substitution } from '../statemachines/src/index.ts';

type WithResolvers = <T>() => {
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (reason: unknown) => void;
};
const promiseStatics = Promise as unknown as { withResolvers?: WithResolvers };
promiseStatics.withResolvers ??= function withResolvers<T>() {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((ok, fail) => {
    resolve = ok;
    reject = fail;
  });
  return { promise, resolve, reject };
};

type Evaluate = (this: { wrap: boolean }, expr: unknown, ...rest: unknown[]) => unknown;
const jsonPathPrototype = JSONPath.prototype as unknown as { evaluate: Evaluate; __awsLists?: boolean };
if (!jsonPathPrototype.__awsLists) {
  const evaluate = jsonPathPrototype.evaluate;
  jsonPathPrototype.evaluate = function (this: { wrap: boolean }, expr: unknown, ...rest: unknown[]) {
    const path = expr && typeof expr === 'object' ? (expr as { path?: unknown }).path : expr;
    if (typeof path === 'string' && /\[\?\(|\[\*\]|\.\.|\.\*/.test(path)) this.wrap = true;
    return evaluate.call(this, expr, ...rest);
  };
  jsonPathPrototype.__awsLists = true;
}

export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';
export const PREFIX = 'det-control-plane-test';
export const TABLE = `${PREFIX}-clusters`;
export const TEMPLATES_BUCKET = `${PREFIX}-templates`;

export type WorkflowName =
  'create' | 'update' | 'upgrade' | 'delete' | 'stop' | 'start' | 'stack-event-relay';

export const stateMachineArn = (workflow: WorkflowName) =>
  `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${PREFIX}-${workflow}`;

const SUBSTITUTIONS: Record<Substitution, string> = {
  ClustersTable: TABLE,
  DeleteStateMachineArn: stateMachineArn('delete'),
  StackRoleArn: `arn:aws:iam::${ACCOUNT}:role/${PREFIX}-stacks`,
  TemplatesBucket: TEMPLATES_BUCKET,
  TemplatesBucketDomain: `${TEMPLATES_BUCKET}.s3.${REGION}.amazonaws.com`,
};

/** The rendered definition, as CloudFormation's substitutions would deploy it. */
export function renderedDefinition(workflow: WorkflowName): AslDefinition {
  const root = join(import.meta.dirname, '..');
  const text = readFileSync(join(root, 'statemachines', `${workflow}.asl.json`), 'utf8');
  return JSON.parse(substitute(text, SUBSTITUTIONS)) as AslDefinition;
}

export interface AslDefinition {
  StartAt: string;
  States: Record<string, AslState>;
  [key: string]: unknown;
}
export interface AslState {
  Type: string;
  Resource?: string;
  TimeoutSecondsPath?: string;
  TimeoutSeconds?: number;
  Branches?: AslDefinition[];
  ItemProcessor?: AslDefinition;
  [key: string]: unknown;
}

// ---------------------------------------------------------------------------------------------
// Virtual time

interface Timer {
  due: number;
  seq: number;
  fire: () => void;
}

const realSetImmediate = globalThis.setImmediate;
const idle = () => new Promise<void>((resolve) => realSetImmediate(resolve));

/**
 * Replaces setTimeout/clearTimeout while it drives a promise: when nothing else can run, the clock
 * jumps to the earliest timer and fires it. Everything the interpreter waits for is a timer.
 */
export class VirtualClock {
  private current: number;
  private seq = 0;
  private readonly timers = new Map<number, Timer>();
  private saved: { setTimeout: typeof setTimeout; clearTimeout: typeof clearTimeout } | undefined;

  constructor(start = Date.parse('2026-03-02T09:00:00.000Z')) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  /** Seconds since `since` (epoch ms). */
  secondsSince(since: number): number {
    return (this.current - since) / 1000;
  }

  iso(): string {
    return new Date(this.current).toISOString();
  }

  schedule(delayMs: number, fire: () => void): number {
    const id = ++this.seq;
    this.timers.set(id, { due: this.current + Math.max(0, delayMs), seq: id, fire });
    return id;
  }

  cancel(id: number): void {
    this.timers.delete(id);
  }

  /**
   * Start `start` and run it to completion in virtual time. It starts once the fake timers are in
   * place: the interpreter sets the first timers before its first await.
   */
  async drive<T>(start: () => Promise<T>): Promise<T> {
    const outermost = this.saved === undefined;
    if (outermost) this.install();
    let settled = false;
    let work: Promise<T>;
    try {
      work = start();
      work.then(
        () => (settled = true),
        () => (settled = true),
      );
    } catch (error) {
      if (outermost) this.uninstall();
      throw error;
    }
    try {
      for (;;) {
        await idle();
        if (settled) break;
        const next = [...this.timers.values()].sort((a, b) => a.due - b.due || a.seq - b.seq)[0];
        if (!next) throw new Error('the workflow waits for something that never happens (no timer left)');
        this.timers.delete(next.seq);
        this.current = Math.max(this.current, next.due);
        next.fire();
      }
    } finally {
      if (outermost) this.uninstall();
    }
    return work;
  }

  private install(): void {
    this.saved = { setTimeout: globalThis.setTimeout, clearTimeout: globalThis.clearTimeout };
    const fake = (callback: (...args: unknown[]) => void, ms?: number, ...args: unknown[]) => {
      const id = this.schedule(ms ?? 0, () => callback(...args));
      return {
        id,
        unref: () => undefined,
        ref: () => undefined,
        hasRef: () => true,
        [Symbol.toPrimitive]: () => id,
      };
    };
    globalThis.setTimeout = fake as unknown as typeof setTimeout;
    globalThis.clearTimeout = ((handle?: { id?: number } | number) => {
      const id = typeof handle === 'object' && handle !== null ? handle.id : handle;
      if (typeof id === 'number') this.cancel(id);
    }) as typeof clearTimeout;
  }

  private uninstall(): void {
    if (!this.saved) return;
    globalThis.setTimeout = this.saved.setTimeout;
    globalThis.clearTimeout = this.saved.clearTimeout;
    this.saved = undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Executions

export interface TaskInvocation {
  execution: string;
  state: string;
  /** e.g. "cloudformation:createStack", "dynamodb:updateItem.waitForTaskToken", "states:startExecution" */
  action: string;
  params: unknown;
  /** Set for `.waitForTaskToken` tasks: the token the task was given and when it times out (epoch ms). */
  callback?: { token: string; expiresAt: number };
}

export type TaskHandler = (invocation: TaskInvocation) => unknown;

export interface ExecutionResult {
  name: string;
  status: 'SUCCEEDED' | 'FAILED';
  output?: unknown;
  error?: string;
  cause?: string;
  /** States entered, in order, counting each retry; nested states (branches, Map items) included. */
  states: string[];
  transitions: number;
}

/** "arn:aws:states:::aws-sdk:cloudformation:createStack" -> "cloudformation:createStack" */
export function actionOf(resource: string): { action: string; callback: boolean } {
  return {
    action: resource.split(':').slice(-2).join(':'),
    callback: resource.endsWith('.waitForTaskToken'),
  };
}

let tokens = 0;

/**
 * Start one execution of a rendered workflow; every Task state calls `handle`. The returned promise
 * settles only while a VirtualClock drives it.
 */
export function startExecution(options: {
  workflow: WorkflowName;
  input: unknown;
  name: string;
  clock: VirtualClock;
  handle: TaskHandler;
}): Promise<ExecutionResult> {
  const { clock, name } = options;
  const states: string[] = [];
  let current = '';
  let lastToken = '';
  const tasks = new Map<string, AslState>();
  const instrument = (definition: AslDefinition): AslDefinition => ({
    ...definition,
    States: Object.fromEntries(
      Object.entries(definition.States).map(([stateName, original]) => {
        const state: AslState = {
          ...original,
          ...(original.Branches ? { Branches: original.Branches.map(instrument) } : {}),
          ...(original.ItemProcessor ? { ItemProcessor: instrument(original.ItemProcessor) } : {}),
        };
        if (state.Type === 'Task') {
          if (tasks.has(stateName)) throw new Error(`two Task states are named ${stateName}`);
          tasks.set(stateName, state);
          if (state.TimeoutSecondsPath) {
            if (!state.TimeoutSecondsPath.startsWith('$.timing.')) {
              throw new Error(`${stateName}: the harness resolves only $.timing.* timeouts`);
            }
            state.TimeoutSeconds = Number(
              JSONPath({ path: state.TimeoutSecondsPath, json: options.input as object, wrap: false }),
            );
            delete state.TimeoutSecondsPath;
          }
        }
        // The interpreter asks every state, once per attempt, whether it has an InputPath.
        const observed = new Proxy(state, {
          has(target, key) {
            if (key === 'InputPath') {
              states.push(stateName);
              current = stateName;
            }
            return Reflect.has(target, key);
          },
        });
        return [stateName, observed];
      }),
    ),
  });
  const definition = instrument(renderedDefinition(options.workflow));

  const handlers: Record<string, (params: unknown) => Promise<unknown>> = {};
  for (const [stateName, state] of tasks) {
    const { action, callback } = actionOf(String(state.Resource));
    handlers[stateName] = async (params) => {
      const invocation: TaskInvocation = { execution: name, state: stateName, action, params };
      if (callback) {
        const seconds = state.TimeoutSeconds ?? 99999999;
        invocation.callback = { token: lastToken, expiresAt: clock.now() + seconds * 1000 };
      }
      return options.handle(invocation);
    };
  }

  const context = {
    Execution: {
      Id: `arn:aws:states:${REGION}:${ACCOUNT}:execution:${PREFIX}-${options.workflow}:${name}`,
      Name: name,
      StartTime: clock.iso(),
    },
    StateMachine: { Id: stateMachineArn(options.workflow), Name: `${PREFIX}-${options.workflow}` },
    State: {
      get EnteredTime() {
        return clock.iso();
      },
      get Name() {
        return current;
      },
      RetryCount: 0,
    },
    Task: {
      get Token() {
        lastToken = `token-${++tokens}-${name}`;
        return lastToken;
      },
    },
  };

  const machine = new StateMachine(definition as never, {
    validationOptions: { checkPaths: true, checkArn: true },
  });
  states.length = 0; // validation may have looked at the states too
  const execution = machine.run(options.input as never, {
    overrides: { taskResourceLocalHandlers: handlers as never },
    context,
  });
  return execution.result.then(
    (output): ExecutionResult => ({
      name,
      status: 'SUCCEEDED',
      output,
      states,
      transitions: states.length,
    }),
    (failure: unknown): ExecutionResult => {
      const error = (failure as { cause?: { name?: string; message?: string } }).cause ?? {};
      return {
        name,
        status: 'FAILED',
        error: error.name,
        cause: error.message,
        states,
        transitions: states.length,
      };
    },
  );
}
