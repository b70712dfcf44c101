/**
 * A small, stateful model of the AWS services the workflows call, in virtual time, for the scenario
 * tests and the bench: CloudFormation stacks that take time, fail with resource events and roll back,
 * EC2 agents and spot requests, RDS final snapshots, S3 buckets, Secrets Manager, Step Functions task
 * tokens, EventBridge delivering stack status changes to the real relay workflow, and the cluster table
 * (fake-dynamodb.ts). Outcomes follow from the model (an agent left running makes DeleteStack fail, an
 * open spot request launches an agent), not from a script of responses. Tests may still inject faults
 * (throttling) or replace a response.
 */
import { compareVersions } from '../core/cluster/determined-versions.ts';
import { clusterPk, fromItem as recordFromItem, toItem as recordToItem } from '../adapters/cluster-store.ts';
import type { ClusterRecord } from '../core/cluster/model.ts';
import { AGENT_TAG_KEY, agentTag, MASTER_BOOT_TAG } from '../core/cluster/naming.ts';
import type { WorkflowTiming } from '../core/workflow/inputs.ts';
import { wakeSettledWorkflows, type SweepReport } from '../core/workflow/lost-events.ts';
import { SETTLED_STACK_STATUSES } from '../core/workflow/lost-events.ts';
import { stackStatusChangeEvent } from './cloudformation-events.ts';
import { FakeTable, fromItem, toAttribute, toItem, type AttributeValue } from './fake-dynamodb.ts';
import {
  ACCOUNT,
  REGION,
  startExecution,
  TABLE,
  TEMPLATES_BUCKET,
  VirtualClock,
  type ExecutionResult,
  type TaskInvocation,
  type WorkflowName,
} from './workflow-harness.ts';

export class ServiceError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

/** Production timing (adapters/config.ts defaults). */
export const PRODUCTION_TIMING: WorkflowTiming = {
  pollSeconds: 10,
  pollIncrementSeconds: 5,
  maxPollSeconds: 60,
  fastPath: false,
  fallbackPollSeconds: 600,
  budgetSeconds: { create: 3600, update: 3600, delete: 3600, stop: 1800, start: 1800 },
};

export const throttling = (service = 'CloudFormation') =>
  new ServiceError(`${service}.${service}Exception`, `Rate exceeded (Service: ${service}, Status Code: 400)`);

export interface Call {
  execution: string;
  state: string;
  action: string;
  params: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- whatever the state sent
  /** Seconds since the model was made. */
  at: number;
  /** The error the call failed with, if it did. */
  error?: string;
}

export interface ResourceFailure {
  logicalId: string;
  type: string;
  reason: string;
  /** The resource status; CREATE_FAILED, UPDATE_FAILED or DELETE_FAILED by operation. */
  status?: string;
}

export interface OperationPlan {
  /** Seconds until the stack operation ends. */
  seconds?: number;
  /** Resources that fail, in the order they fail; none means the operation succeeds. */
  failures?: ResourceFailure[];
  /** Events of other operations to put in the stack's history, with their own time (epoch ms). */
  foreignEvents?: Partial<StackEvent>[];
}

export interface StackEvent {
  StackId: string;
  StackName: string;
  EventId: string;
  LogicalResourceId: string;
  PhysicalResourceId?: string;
  ResourceType: string;
  ResourceStatus: string;
  ResourceStatusReason?: string;
  Timestamp: string;
  ClientRequestToken?: string;
}

export interface FakeStack {
  StackId: string;
  StackName: string;
  parameters: Record<string, string>;
  tags: { Key: string; Value: string }[];
  outputs?: Record<string, string>;
  roleArn?: string;
  templateUrl?: string;
  /** The status over time: the last entry not in the future is the current one. */
  history: { at: number; status: string; reason?: string; token?: string }[];
  events: (StackEvent & { at: number })[];
}

interface Instance {
  InstanceId: string;
  tags: Record<string, string>;
  state: 'pending' | 'running' | 'stopping' | 'stopped' | 'shutting-down' | 'terminated';
}

interface Database {
  DBInstanceIdentifier: string;
  status: string;
  /** The Determined version whose schema the database holds (a master migrates it at boot). */
  schema?: string;
  /**
   * Its DB subnet group; none described when unset (as moto describes a database its template put
   * in no group; AWS says "default" for the VPC's default group).
   */
  subnetGroup?: string;
}

interface Snapshot {
  DBSnapshotIdentifier: string;
  DBInstanceIdentifier: string;
  Status?: string;
  schema?: string;
}

/**
 * How instances and databases change state (seconds), and what a master's boot reports once it is
 * running: "answered" (after bootSeconds), a failure text, or nothing at all ("silent").
 */
export interface Transitions {
  instanceStopSeconds: number;
  instanceStartSeconds: number;
  databaseStopSeconds: number;
  databaseStartSeconds: number;
  bootSeconds: number;
  boot: 'answered' | 'silent' | `failed: ${string}`;
}

interface SpotRequest {
  SpotInstanceRequestId: string;
  tags: Record<string, string>;
  state: 'open' | 'active' | 'cancelled' | 'closed';
}

interface Pending {
  resolve: (output: unknown) => void;
  expiresAt: number;
  execution: string;
}

const RESOURCES_CREATED = [
  ['MasterSecurityGroup', 'AWS::EC2::SecurityGroup'],
  ['AgentSecurityGroup', 'AWS::EC2::SecurityGroup'],
  ['CheckpointBucket', 'AWS::S3::Bucket'],
  ['Database', 'AWS::RDS::DBInstance'],
  ['MasterInstance', 'AWS::EC2::Instance'],
] as const;

export class FakeAws {
  readonly clock = new VirtualClock();
  readonly started = this.clock.now();
  readonly table = new FakeTable(TABLE);
  readonly calls: Call[] = [];
  readonly stacks: FakeStack[] = [];
  readonly instances: Instance[] = [];
  readonly spotRequests: SpotRequest[] = [];
  readonly snapshots: Snapshot[] = [];
  readonly buckets = new Map<string, string[]>([[TEMPLATES_BUCKET, []]]);
  readonly secrets = new Map<string, { deletionDate?: string }>();
  /** EC2 key pairs by name, with their tags (fixtures' PARAMETERS use ml-key). */
  readonly keyPairs = new Map<string, Record<string, string>>([['ml-key', {}]]);
  readonly startedExecutions: { stateMachineArn: string; name: string; input: any }[] = []; // eslint-disable-line @typescript-eslint/no-explicit-any -- workflow input
  readonly relayRuns: Promise<ExecutionResult>[] = [];
  /** Plans for the next stack operations, used in order; without one an operation succeeds in 5 minutes. */
  readonly plans: { create: OperationPlan[]; update: OperationPlan[]; delete: OperationPlan[] } = {
    create: [],
    update: [],
    delete: [],
  };
  /**
   * The watchdog's lost-event sweep (core/workflow/lost-events.ts, the code the watchdog runs),
   * every `everySeconds` from `firstAfterSeconds` after the first run starts; off when undefined.
   */
  watchdog: { everySeconds: number; firstAfterSeconds: number } | undefined;
  readonly sweeps: (SweepReport & { at: number })[] = [];
  private readonly inputs = new Map<string, unknown>();
  private watchdogStarted = false;

  /** Whether EventBridge delivers stack status changes to the stack-event relay, and after how long. */
  eventBridge: { deliver: boolean; delaySeconds: number } = { deliver: false, delaySeconds: 1 };
  /** DescribeStackEvents page size (CloudFormation's is 100). */
  eventsPageSize = 100;
  /** Seconds a terminated instance spends shutting down. */
  shutdownSeconds = 30;
  /** RDS instances of the stacks (created with their stack), by identifier. */
  readonly databases = new Map<string, Database>();
  /** EC2 tags besides the ones instances are made with: the master's boot report. */
  readonly bootReports = new Map<string, string>();
  /** Stop and start timings (AWS: about a minute for an instance, several for a database). */
  transitions: Transitions = {
    instanceStopSeconds: 40,
    instanceStartSeconds: 20,
    databaseStopSeconds: 180,
    databaseStartSeconds: 300,
    bootSeconds: 90,
    boot: 'answered',
  };
  /** What a manual snapshot does: it becomes `status` after `seconds`. */
  snapshotOutcome: { seconds: number; status: string } = { seconds: 120, status: 'available' };
  /** What the boot of a Determined version reports (default: it answers after bootSeconds). */
  readonly versionBoots = new Map<string, Transitions['boot']>();
  /** How long RDS takes to rename a database and to restore one from a snapshot. */
  rdsSeconds = { rename: 60, restore: 600 };
  /** Instances that never leave their current state when asked to stop (a hung shutdown). */
  readonly stuckInstances = new Set<string>();
  /** Databases that never finish stopping or starting. */
  readonly stuckDatabases = new Set<string>();

  private readonly faults = new Map<string, (ServiceError | (() => unknown))[]>();
  private readonly pending = new Map<string, Pending>();
  private ids = 0;

  constructor() {
    this.table.write(toItem({ pk: 'TEAM#ml', sk: 'QUOTA', active: 1 }));
  }

  // ------------------------------------------------------------------ running workflows

  /** Start an execution that runs while the clock is driven. */
  execute(workflow: WorkflowName, input: unknown, name: string): Promise<ExecutionResult> {
    this.inputs.set(name, input);
    return startExecution({ workflow, input, name, clock: this.clock, handle: (call) => this.invoke(call) });
  }

  /** Run an execution to its end, in virtual time. */
  run(workflow: WorkflowName, input: unknown, name: string): Promise<ExecutionResult> {
    this.startWatchdog();
    return this.clock.drive(() => this.execute(workflow, input, name));
  }

  private startWatchdog(): void {
    if (!this.watchdog || this.watchdogStarted) return;
    this.watchdogStarted = true;
    const { everySeconds, firstAfterSeconds } = this.watchdog;
    const sweep = () => {
      this.at(everySeconds, sweep);
      // Parked executions are the running ones that matter to the sweep.
      const running = [...new Set([...this.pending.values()].map((entry) => entry.execution))].map(
        (name) => ({
          workflow: 'any',
          name,
          startedAt: new Date(this.started),
        }),
      );
      void wakeSettledWorkflows({
        running: async () => running,
        clusterOf: async (execution) => {
          const input = this.inputs.get(execution.name) as { team?: string; clusterId?: string } | undefined;
          return input?.team && input.clusterId
            ? { team: input.team, clusterId: input.clusterId }
            : undefined;
        },
        parked: async (cluster) => {
          const { Item } = this.table.getItem({
            TableName: TABLE,
            Key: toItem({ pk: clusterPk(cluster), sk: 'CLUSTER' }),
          });
          const { execution, waitToken, stackId } = (Item ? fromItem(Item) : {}) as Record<string, unknown>;
          return typeof execution === 'string' && typeof waitToken === 'string' && typeof stackId === 'string'
            ? { execution, waitToken, stackId }
            : undefined;
        },
        stackStatus: async (stackId) => {
          const stack = this.stack(stackId);
          return stack ? this.statusOf(stack) : undefined;
        },
        wake: async (token, status) => {
          try {
            this.sendTaskSuccess({ TaskToken: token, Output: JSON.stringify({ status }) });
            return true;
          } catch {
            return false;
          }
        },
      }).then((report) => this.sweeps.push({ ...report, at: this.clock.secondsSince(this.started) }));
    };
    this.at(firstAfterSeconds, sweep);
  }

  /** Let virtual time pass (scheduled events happen, started executions advance). */
  async advance(seconds: number): Promise<void> {
    await this.clock.drive(
      () => new Promise<void>((resolve) => this.clock.schedule(seconds * 1000, resolve)),
    );
  }

  /** Do something at a moment of virtual time, e.g. a DELETE arriving during a create. */
  at(secondsFromNow: number, action: () => void): void {
    this.clock.schedule(secondsFromNow * 1000, action);
  }

  /** The next `times` calls of `action` fail with `error`, or answer what `respond` returns. */
  fail(action: string, error: ServiceError, times = 1): void {
    this.faults.set(action, [...(this.faults.get(action) ?? []), ...Array<ServiceError>(times).fill(error)]);
  }

  respond(action: string, respond: () => unknown, times = 1): void {
    this.faults.set(action, [
      ...(this.faults.get(action) ?? []),
      ...Array<() => unknown>(times).fill(respond),
    ]);
  }

  /**
   * AWS stops answering for `seconds` of virtual time from `fromSeconds` after the clock's start
   * (issue 12: "AWS endpoint down for 30 s"): every call in the window fails as a 503 would.
   */
  outage(fromSeconds: number, seconds: number): void {
    const start = this.clock.now() + fromSeconds * 1000;
    this.outages.push({ from: start, to: start + seconds * 1000 });
  }

  private readonly outages: { from: number; to: number }[] = [];

  /** The calls an execution made, as "service:action" in order (retries included). */
  actions(execution: string, options: { timeline?: boolean } = {}): string[] {
    return this.calls
      .filter((call) => call.execution === execution)
      .filter((call) => options.timeline !== false || !this.isTimelineWrite(call))
      .map((call) => call.action);
  }

  private isTimelineWrite(call: Call): boolean {
    return call.action === 'dynamodb:putItem' && String(call.params?.Item?.sk?.S ?? '').startsWith('EVENT#');
  }

  // ------------------------------------------------------------------ the cluster table

  seedCluster(record: ClusterRecord): void {
    this.table.write(toItem(recordToItem(record)));
  }

  /** The record as the API reads it (adapters/cluster-store.ts); team 'ml' unless given. */
  cluster(clusterId: string, team = 'ml'): ClusterRecord {
    const item = this.table.read(clusterPk({ team, clusterId }), 'CLUSTER');
    if (!item) throw new Error(`no record for ${clusterId}`);
    return recordFromItem(fromItem(item));
  }

  /** Raw attributes of the record, including the workflow-only ones (waitToken, reapShard, ttl). */
  rawCluster(clusterId: string, team = 'ml'): Record<string, unknown> {
    return fromItem(this.table.read(clusterPk({ team, clusterId }), 'CLUSTER') ?? {});
  }

  /** Change the record the way the API does (adapters/cluster-store.ts): conditional on its version, bumping it. */
  apiUpdate(clusterId: string, changes: Record<string, unknown>, team = 'ml'): void {
    const { version } = this.rawCluster(clusterId, team);
    const names: Record<string, string> = { '#version': 'version' };
    const values: Record<string, AttributeValue> = { ':expected': toAttribute(version), ':one': { N: '1' } };
    const sets = ['#version = #version + :one'];
    for (const [field, value] of Object.entries(changes)) {
      names[`#${field}`] = field;
      values[`:${field}`] = toAttribute(value);
      sets.push(`#${field} = :${field}`);
    }
    this.table.updateItem({
      TableName: TABLE,
      Key: toItem({ pk: clusterPk({ team, clusterId }), sk: 'CLUSTER' }),
      UpdateExpression: `SET ${sets.join(', ')}`,
      ConditionExpression: '#version = :expected',
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    });
  }

  timeline(clusterId: string, team = 'ml'): Record<string, unknown>[] {
    return this.table.query(clusterPk({ team, clusterId }), 'EVENT#').map(fromItem);
  }

  quota(team = 'ml'): number {
    return Number(fromItem(this.table.read(`TEAM#${team}`, 'QUOTA') ?? {}).active);
  }

  // ------------------------------------------------------------------ world setup

  /** A stack as an earlier operation left it, e.g. ROLLBACK_COMPLETE from a failed create. */
  addStack(options: {
    name: string;
    status: string;
    outputs?: Record<string, string>;
    parameters?: Record<string, string>;
    tags?: { Key: string; Value: string }[];
  }): FakeStack {
    const stack = this.newStack(options.name, options.parameters ?? {}, options.tags ?? [], undefined);
    stack.history.push({ at: this.clock.now() - 3_600_000, status: options.status });
    if (options.outputs) stack.outputs = options.outputs;
    return stack;
  }

  /** An event of another operation in a stack's history (another token, e.g. an earlier update). */
  addStackEvent(
    stack: FakeStack,
    event: { at: number; logicalId: string; type: string; status: string; reason?: string; token: string },
  ): void {
    this.event(stack, event.at, event);
  }

  /** A created, complete cluster stack with its master, bucket (with objects) and database. */
  addCompleteStack(
    name: string,
    parameters: Record<string, string> = {},
    tags: { Key: string; Value: string }[] = [],
  ): FakeStack {
    const stack = this.addStack({ name, status: 'CREATE_COMPLETE', parameters, tags });
    this.materialise(stack);
    return stack;
  }

  /** An agent the master of stack `stack` launched (the agent tag is named after the stack). */
  addAgent(stack: string): string {
    const id = `i-agent${String(++this.ids).padStart(4, '0')}`;
    this.instances.push({
      InstanceId: id,
      tags: { [AGENT_TAG_KEY]: agentTag(stack).value },
      state: 'running',
    });
    return id;
  }

  /** A spot request for an agent: an open one launches its agent after `fulfilAfterSeconds`. */
  addSpotRequest(stack: string, options: { fulfilAfterSeconds?: number } = {}): string {
    const id = `sir-${String(++this.ids).padStart(6, '0')}`;
    const request: SpotRequest = {
      SpotInstanceRequestId: id,
      tags: { [AGENT_TAG_KEY]: agentTag(stack).value },
      state: 'open',
    };
    this.spotRequests.push(request);
    if (options.fulfilAfterSeconds !== undefined) {
      this.at(options.fulfilAfterSeconds, () => {
        if (request.state !== 'open') return;
        request.state = 'active';
        this.addAgent(stack);
      });
    }
    return id;
  }

  /** The bastion host of a secure stack: an instance of the stack, named in its outputs. */
  addBastion(stack: FakeStack): string {
    const id = `i-bastion${String(++this.ids).padStart(4, '0')}`;
    this.instances.push({ InstanceId: id, tags: { 'managed-by': 'determined' }, state: 'running' });
    stack.outputs = { ...stack.outputs, BastionId: id, BastionAddress: '198.51.100.7' };
    return id;
  }

  database(identifier: string): Database | undefined {
    return this.databases.get(identifier);
  }

  stack(nameOrId: string): FakeStack | undefined {
    return (
      this.stacks.find((stack) => stack.StackId === nameOrId) ??
      this.stacks.findLast(
        (stack) => stack.StackName === nameOrId && this.statusOf(stack) !== 'DELETE_COMPLETE',
      )
    );
  }

  statusOf(stack: FakeStack): string {
    const now = this.clock.now();
    return stack.history.filter((entry) => entry.at <= now).at(-1)?.status ?? 'REVIEW_IN_PROGRESS';
  }

  instance(id: string): Instance | undefined {
    return this.instances.find((instance) => instance.InstanceId === id);
  }

  agentsOf(stack: string): Instance[] {
    return this.instances.filter((instance) => instance.tags[AGENT_TAG_KEY] === agentTag(stack).value);
  }

  // ------------------------------------------------------------------ dispatch

  private async invoke(invocation: TaskInvocation): Promise<unknown> {
    const call: Call = {
      execution: invocation.execution,
      state: invocation.state,
      action: invocation.action,
      params: invocation.params,
      at: this.clock.secondsSince(this.started),
    };
    this.calls.push(call);
    try {
      const now = this.clock.now();
      if (this.outages.some((outage) => now >= outage.from && now < outage.to))
        throw new ServiceError('ServiceUnavailable', 'Service Unavailable (the endpoint is down)');
      const fault = this.faults.get(invocation.action)?.shift();
      if (fault instanceof ServiceError) throw fault;
      const action = invocation.action.replace(/\.waitForTaskToken$/, '');
      const result = fault ? fault() : this.serve(action, invocation.params as never);
      if (invocation.callback) {
        const { token, expiresAt } = invocation.callback;
        return await new Promise((resolve) => {
          this.pending.set(token, { resolve, expiresAt, execution: invocation.execution });
        });
      }
      return structuredClone(result);
    } catch (error) {
      call.error = (error as Error).name;
      throw error;
    }
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each action has its own parameters
  private serve(action: string, params: any): unknown {
    switch (action) {
      case 'dynamodb:getItem':
        return this.table.getItem(params);
      case 'dynamodb:putItem':
        return this.table.putItem(params);
      case 'dynamodb:updateItem':
        return this.table.updateItem(params);
      case 'dynamodb:deleteItem':
        return this.table.deleteItem(params);
      case 'dynamodb:query':
        return this.table.queryIndex(params);
      case 'ec2:describeKeyPairs':
        return this.describeKeyPairs(params);
      case 's3:putObject':
        return this.putObject(params);
      case 's3:listObjectsV2':
        return this.listObjects(params);
      case 's3:deleteObject':
        return this.deleteObject(params);
      case 's3:deleteBucket':
        return this.deleteBucket(params);
      case 'cloudformation:createStack':
        return this.createStack(params);
      case 'cloudformation:updateStack':
        return this.updateStack(params);
      case 'cloudformation:deleteStack':
        return this.deleteStack(params);
      case 'cloudformation:describeStacks':
        return this.describeStacks(params);
      case 'cloudformation:describeStackEvents':
        return this.describeStackEvents(params);
      case 'ec2:describeInstances':
        return this.describeInstances(params);
      case 'ec2:stopInstances':
        return this.stopInstances(params);
      case 'ec2:startInstances':
        return this.startInstances(params);
      case 'ec2:describeTags':
        return this.describeTags(params);
      case 'ec2:deleteTags':
        return this.deleteTags(params);
      case 'rds:describeDBInstances':
        return this.describeDatabases(params);
      case 'rds:stopDBInstance':
        return this.changeDatabase(params, 'available', 'stopping', 'stopped');
      case 'rds:startDBInstance':
        return this.changeDatabase(params, 'stopped', 'starting', 'available');
      case 'ec2:terminateInstances':
        return this.terminateInstances(params);
      case 'ec2:describeSpotInstanceRequests':
        return this.describeSpotRequests(params);
      case 'ec2:cancelSpotInstanceRequests':
        return this.cancelSpotRequests(params);
      case 'rds:describeDBSnapshots':
        return this.describeSnapshots(params);
      case 'rds:createDBSnapshot':
        return this.createSnapshot(params);
      case 'rds:modifyDBInstance':
        return this.renameDatabase(params);
      case 'rds:restoreDBInstanceFromDBSnapshot':
        return this.restoreDatabase(params);
      case 'ec2:rebootInstances':
        for (const id of params.InstanceIds as string[]) this.boot(id, this.versionOf(id));
        return {};
      case 'rds:deleteDBSnapshot':
        return this.deleteSnapshot(params);
      case 'secretsmanager:deleteSecret':
        return this.deleteSecret(params);
      case 'states:startExecution':
        return this.startExecutionCall(params);
      case 'sfn:sendTaskSuccess':
        return this.sendTaskSuccess(params);
      default:
        throw new Error(`the fake has no ${action}`);
    }
  }

  // ------------------------------------------------------------------ CloudFormation

  private newStack(
    name: string,
    parameters: Record<string, string>,
    tags: { Key: string; Value: string }[],
    roleArn: string | undefined,
  ): FakeStack {
    const stack: FakeStack = {
      StackId: `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/${name}/${String(++this.ids).padStart(8, '0')}-0000-4000-8000-000000000000`,
      StackName: name,
      parameters,
      tags,
      history: [],
      events: [],
      ...(roleArn ? { roleArn } : {}),
    };
    this.stacks.push(stack);
    return stack;
  }

  private event(
    stack: FakeStack,
    at: number,
    fields: { logicalId?: string; type?: string; status: string; reason?: string; token?: string },
  ): void {
    const logicalId = fields.logicalId ?? stack.StackName;
    stack.events.push({
      at,
      StackId: stack.StackId,
      StackName: stack.StackName,
      EventId: `${logicalId}-${String(++this.ids)}`,
      LogicalResourceId: logicalId,
      ResourceType: fields.type ?? 'AWS::CloudFormation::Stack',
      ResourceStatus: fields.status,
      Timestamp: new Date(at).toISOString(),
      ...(fields.reason !== undefined ? { ResourceStatusReason: fields.reason } : {}),
      ...(fields.token ? { ClientRequestToken: fields.token } : {}),
    });
  }

  /** Record a stack status at a time, and have EventBridge relay it if it is one the rule sends. */
  private status(stack: FakeStack, at: number, status: string, token: string, reason?: string): void {
    stack.history.push({ at, status, token, ...(reason ? { reason } : {}) });
    stack.history.sort((a, b) => a.at - b.at);
    this.event(stack, at, { status, token, ...(reason ? { reason } : {}) });
    if (SETTLED_STACK_STATUSES.includes(status)) {
      this.at((at - this.clock.now()) / 1000 + this.eventBridge.delaySeconds, () => {
        if (!this.eventBridge.deliver) return;
        const event = stackStatusChangeEvent({
          stackId: stack.StackId,
          status,
          reason: reason ?? '',
          clientRequestToken: token,
          time: new Date(at).toISOString(),
        });
        this.relayRuns.push(this.execute('stack-event-relay', event, `relay-${++this.ids}`));
      });
    }
  }

  /** What a complete cluster stack has: outputs, the master, the checkpoint bucket with data. */
  private materialise(stack: FakeStack): void {
    const masterId = `i-master${String(++this.ids).padStart(4, '0')}`;
    const bucket = `${stack.StackName.toLowerCase()}-checkpointbucket-${String(this.ids).padStart(6, '0')}`;
    const database = `${stack.StackName.toLowerCase()}-database-${String(this.ids).padStart(6, '0')}`;
    stack.outputs = {
      MasterId: masterId,
      MasterUrl: 'http://203.0.113.10:8080',
      CheckpointBucket: bucket,
      DatabaseInstanceId: database,
      AgentSecurityGroupId: 'sg-0agents',
    };
    this.instances.push({ InstanceId: masterId, tags: { 'managed-by': 'determined' }, state: 'running' });
    this.databases.set(database, {
      DBInstanceIdentifier: database,
      status: 'available',
      schema: stack.parameters.DeterminedVersion ?? '0.38.1',
      subnetGroup: 'default',
    });
    this.bootReports.set(masterId, 'answered 0.38.1');
    this.buckets.set(bucket, [
      'checkpoints/trial-1/state.pt',
      'checkpoints/trial-2/state.pt',
      'logs/run.txt',
    ]);
  }

  private createStack(params: {
    StackName: string;
    TemplateURL?: string;
    Parameters?: { ParameterKey: string; ParameterValue?: string }[];
    Tags?: { Key: string; Value: string }[];
    RoleARN?: string;
    ClientRequestToken?: string;
  }): { StackId: string } {
    const existing = this.stack(params.StackName);
    if (existing) {
      // The same token is the same request: CloudFormation answers it again.
      if (existing.history[0]?.token && existing.history[0].token === params.ClientRequestToken) {
        return { StackId: existing.StackId };
      }
      throw new ServiceError(
        'CloudFormation.AlreadyExistsException',
        `Stack [${params.StackName}] already exists (Service: CloudFormation, Status Code: 400)`,
      );
    }
    if (params.TemplateURL && !this.templateExists(params.TemplateURL)) {
      throw new ServiceError(
        'CloudFormation.CloudFormationException',
        `TemplateURL must reference a valid S3 object`,
      );
    }
    const plan = this.plans.create.shift() ?? {};
    const token = params.ClientRequestToken ?? '';
    const parameters = Object.fromEntries(
      (params.Parameters ?? []).map((parameter) => [parameter.ParameterKey, parameter.ParameterValue ?? '']),
    );
    const stack = this.newStack(params.StackName, parameters, params.Tags ?? [], params.RoleARN);
    stack.templateUrl = params.TemplateURL ?? '';
    const t0 = this.clock.now();
    const end = t0 + (plan.seconds ?? 300) * 1000;
    this.status(stack, t0, 'CREATE_IN_PROGRESS', token, 'User Initiated');
    RESOURCES_CREATED.forEach(([logicalId, type], index) =>
      this.event(stack, t0 + 1000 + index, { logicalId, type, status: 'CREATE_IN_PROGRESS', token }),
    );
    for (const foreign of plan.foreignEvents ?? []) {
      this.event(stack, Number(foreign.Timestamp ? Date.parse(foreign.Timestamp) : t0), {
        logicalId: foreign.LogicalResourceId ?? 'Unknown',
        type: foreign.ResourceType ?? 'AWS::EC2::Instance',
        status: foreign.ResourceStatus ?? 'CREATE_FAILED',
        reason: foreign.ResourceStatusReason ?? 'failed',
        token: foreign.ClientRequestToken ?? 'Console-CreateStack-00000000',
      });
    }
    const failures = plan.failures ?? [];
    if (failures.length === 0) {
      // The resources exist while the stack builds; DescribeStacks shows the outputs once it is complete.
      this.materialise(stack);
      for (const [logicalId, type] of RESOURCES_CREATED) {
        this.event(stack, end - 1000, { logicalId, type, status: 'CREATE_COMPLETE', token });
      }
      this.status(stack, end, 'CREATE_COMPLETE', token);
      return { StackId: stack.StackId };
    }
    // The first failures, then the resources still in progress are cancelled, then the rollback.
    const failedAt = t0 + ((end - t0) * 2) / 3;
    failures.forEach((failure, index) =>
      this.event(stack, failedAt + index * 1000, {
        logicalId: failure.logicalId,
        type: failure.type,
        status: failure.status ?? 'CREATE_FAILED',
        reason: failure.reason,
        token,
      }),
    );
    const cancelledAt = failedAt + failures.length * 1000;
    for (const [logicalId, type] of RESOURCES_CREATED.filter(
      ([logicalId]) => !failures.some((failure) => failure.logicalId === logicalId),
    )) {
      this.event(stack, cancelledAt, {
        logicalId,
        type,
        status: 'CREATE_FAILED',
        reason: 'Resource creation cancelled',
        token,
      });
    }
    const names = failures.map((failure) => failure.logicalId).join(', ');
    this.status(
      stack,
      cancelledAt + 1000,
      'ROLLBACK_IN_PROGRESS',
      token,
      `The following resource(s) failed to create: [${names}]. Rollback requested by user.`,
    );
    for (const [logicalId, type] of RESOURCES_CREATED) {
      this.event(stack, end - 1000, { logicalId, type, status: 'DELETE_COMPLETE', token });
    }
    this.status(stack, end, 'ROLLBACK_COMPLETE', token);
    return { StackId: stack.StackId };
  }

  private templateExists(url: string): boolean {
    const match = /^https:\/\/([^.]+(?:\.[^.]+)*?)\.s3\.[^/]+\/(.+)$/.exec(url);
    return Boolean(match && this.buckets.get(match[1] ?? '')?.includes(match[2] ?? ''));
  }

  private updateStack(params: {
    StackName: string;
    UsePreviousTemplate?: boolean;
    Parameters?: { ParameterKey: string; ParameterValue?: string; UsePreviousValue?: boolean }[];
    ClientRequestToken?: string;
  }): { StackId: string } {
    const stack = this.stack(params.StackName);
    if (!stack) throw this.noStack(params.StackName);
    const status = this.statusOf(stack);
    if (!['CREATE_COMPLETE', 'UPDATE_COMPLETE', 'UPDATE_ROLLBACK_COMPLETE'].includes(status)) {
      throw new ServiceError(
        'CloudFormation.CloudFormationException',
        `Stack:${stack.StackId} is in ${status} state and can not be updated.`,
      );
    }
    const next = { ...stack.parameters };
    for (const parameter of params.Parameters ?? []) {
      if (parameter.UsePreviousValue && parameter.ParameterValue !== undefined) {
        throw new ServiceError(
          'CloudFormation.CloudFormationException',
          'Cannot specify UsePreviousValue and a value',
        );
      }
      if (!parameter.UsePreviousValue) next[parameter.ParameterKey] = parameter.ParameterValue ?? '';
      else if (!(parameter.ParameterKey in stack.parameters)) {
        throw new ServiceError(
          'CloudFormation.CloudFormationException',
          `Parameter ${parameter.ParameterKey} has no previous value`,
        );
      }
    }
    if (JSON.stringify(next) === JSON.stringify(stack.parameters)) {
      throw new ServiceError(
        'CloudFormation.CloudFormationException',
        'No updates are to be performed. (Service: CloudFormation, Status Code: 400)',
      );
    }
    const plan = this.plans.update.shift() ?? {};
    const token = params.ClientRequestToken ?? '';
    const t0 = this.clock.now();
    const end = t0 + (plan.seconds ?? 180) * 1000;
    this.status(stack, t0, 'UPDATE_IN_PROGRESS', token, 'User Initiated');
    this.event(stack, t0 + 1000, {
      logicalId: 'MasterInstance',
      type: 'AWS::EC2::Instance',
      status: 'UPDATE_IN_PROGRESS',
      token,
    });
    const failures = plan.failures ?? [];
    if (failures.length === 0) {
      this.event(stack, end - 2000, {
        logicalId: 'MasterInstance',
        type: 'AWS::EC2::Instance',
        status: 'UPDATE_COMPLETE',
        token,
      });
      // New user data (another version): CloudFormation stops and starts the master, which boots it.
      const master = stack.outputs?.MasterId;
      const version = next.DeterminedVersion;
      if (master && version && version !== stack.parameters.DeterminedVersion) {
        this.at((end - 2000 - t0) / 1000, () => this.boot(master, version));
      }
      this.status(stack, end - 1000, 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS', token);
      this.status(stack, end, 'UPDATE_COMPLETE', token);
      this.justBefore(end, () => (stack.parameters = next));
      return { StackId: stack.StackId };
    }
    const failedAt = t0 + (end - t0) / 3;
    failures.forEach((failure, index) =>
      this.event(stack, failedAt + index * 1000, {
        logicalId: failure.logicalId,
        type: failure.type,
        status: failure.status ?? 'UPDATE_FAILED',
        reason: failure.reason,
        token,
      }),
    );
    const names = failures.map((failure) => failure.logicalId).join(', ');
    this.status(
      stack,
      failedAt + failures.length * 1000,
      'UPDATE_ROLLBACK_IN_PROGRESS',
      token,
      `The following resource(s) failed to update: [${names}].`,
    );
    this.status(stack, end - 1000, 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS', token);
    this.status(stack, end, 'UPDATE_ROLLBACK_COMPLETE', token);
    return { StackId: stack.StackId };
  }

  private deleteStack(params: { StackName: string; ClientRequestToken?: string }): Record<string, never> {
    const stack = this.stack(params.StackName);
    if (!stack || this.statusOf(stack) === 'DELETE_COMPLETE') return {}; // deleting nothing succeeds
    if (this.statusOf(stack) === 'DELETE_IN_PROGRESS') return {};
    const plan = this.plans.delete.shift() ?? {};
    const token = params.ClientRequestToken ?? '';
    const t0 = this.clock.now();
    const end = t0 + (plan.seconds ?? 240) * 1000;
    this.status(stack, t0, 'DELETE_IN_PROGRESS', token, 'User Initiated');
    // Agents the stack does not know about keep its security group in use.
    const blocking = this.agentsOf(stack.StackName).filter((agent) => agent.state !== 'terminated');
    const failures: ResourceFailure[] = [
      ...(plan.failures ?? []),
      ...(blocking.length > 0
        ? [
            {
              logicalId: 'AgentSecurityGroup',
              type: 'AWS::EC2::SecurityGroup',
              reason: `resource sg-0agents has a dependent object (Service: Ec2, Status Code: 400, Request ID: 1b2c)`,
            },
          ]
        : []),
    ];
    if (failures.length > 0) {
      failures.forEach((failure, index) =>
        this.event(stack, t0 + (end - t0) / 2 + index * 1000, {
          logicalId: failure.logicalId,
          type: failure.type,
          status: failure.status ?? 'DELETE_FAILED',
          reason: failure.reason,
          token,
        }),
      );
      const names = failures.map((failure) => failure.logicalId).join(', ');
      this.status(
        stack,
        end,
        'DELETE_FAILED',
        token,
        `The following resource(s) failed to delete: [${names}]. `,
      );
      return {};
    }
    this.status(stack, end, 'DELETE_COMPLETE', token);
    this.justBefore(end, () => {
      // The master goes with the stack; the database leaves its final snapshot (DeletionPolicy: Snapshot).
      const master = stack.outputs?.MasterId;
      if (master) this.setInstances([master], 'terminated');
      const database = stack.outputs?.DatabaseInstanceId;
      if (database) {
        this.snapshots.push({
          DBSnapshotIdentifier: `${database}-final-${String(++this.ids)}`,
          DBInstanceIdentifier: database,
        });
      }
    });
    return {};
  }

  /** Side effects of an operation happen a moment before the status that reports them. */
  private justBefore(at: number, action: () => void): void {
    this.clock.schedule(at - this.clock.now() - 1, action);
  }

  private noStack(name: string): ServiceError {
    return new ServiceError(
      'CloudFormation.CloudFormationException',
      `Stack with id ${name} does not exist (Service: CloudFormation, Status Code: 400)`,
    );
  }

  private describeStacks(params: { StackName: string }): unknown {
    const stack =
      this.stacks.find((candidate) => candidate.StackId === params.StackName) ?? this.stack(params.StackName);
    if (!stack) throw this.noStack(params.StackName);
    const status = this.statusOf(stack);
    const reason = stack.history.filter((entry) => entry.at <= this.clock.now()).at(-1)?.reason;
    const complete = ![
      'CREATE_IN_PROGRESS',
      'ROLLBACK_IN_PROGRESS',
      'ROLLBACK_COMPLETE',
      'ROLLBACK_FAILED',
      'CREATE_FAILED',
    ].includes(status);
    return {
      Stacks: [
        {
          StackId: stack.StackId,
          StackName: stack.StackName,
          StackStatus: status,
          ...(reason ? { StackStatusReason: reason } : {}),
          CreationTime: new Date(stack.history[0]?.at ?? this.clock.now()).toISOString(),
          Parameters: Object.entries(stack.parameters).map(([ParameterKey, ParameterValue]) => ({
            ParameterKey,
            ParameterValue,
          })),
          Tags: stack.tags,
          ...(complete && stack.outputs
            ? {
                Outputs: Object.entries(stack.outputs).map(([OutputKey, OutputValue]) => ({
                  OutputKey,
                  OutputValue,
                })),
              }
            : {}),
        },
      ],
    };
  }

  private describeStackEvents(params: { StackName: string; NextToken?: string }): unknown {
    const stack =
      this.stacks.find((candidate) => candidate.StackId === params.StackName) ?? this.stack(params.StackName);
    if (!stack) throw this.noStack(params.StackName);
    const now = this.clock.now();
    const events = stack.events
      .filter((event) => event.at <= now)
      .sort((a, b) => b.at - a.at)
      .map(({ at: _at, ...event }) => event);
    const from = Number(params.NextToken ?? 0);
    const page = events.slice(from, from + this.eventsPageSize);
    const next = from + this.eventsPageSize;
    return { StackEvents: page, ...(next < events.length ? { NextToken: String(next) } : {}) };
  }

  // ------------------------------------------------------------------ EC2, RDS, S3, Secrets Manager

  private describeKeyPairs(params: { KeyNames?: string[] }): unknown {
    const names = params.KeyNames ?? [...this.keyPairs.keys()];
    const missing = names.find((name) => !this.keyPairs.has(name));
    if (missing !== undefined)
      throw new ServiceError(
        'Ec2.Ec2Exception',
        `The key pair '${missing}' does not exist (Service: Ec2, Status Code: 400, Request ID: 5e6f)`,
      );
    return {
      KeyPairs: names.map((KeyName) => ({
        KeyName,
        KeyPairId: `key-${KeyName}`,
        ...(Object.keys(this.keyPairs.get(KeyName) ?? {}).length > 0
          ? { Tags: Object.entries(this.keyPairs.get(KeyName) ?? {}).map(([Key, Value]) => ({ Key, Value })) }
          : {}),
      })),
    };
  }

  private matches(
    tags: Record<string, string>,
    filters: { Name: string; Values: string[] }[],
    state: string,
    stateFilter: string,
  ) {
    return filters.every((filter) => {
      if (filter.Name.startsWith('tag:'))
        return filter.Values.includes(tags[filter.Name.slice(4)] ?? '\u0000');
      if (filter.Name === stateFilter) return filter.Values.includes(state);
      throw new ServiceError('Ec2.InvalidParameterValue', `The filter '${filter.Name}' is invalid`);
    });
  }

  private describeInstances(params: {
    InstanceIds?: string[];
    Filters?: { Name: string; Values: string[] }[];
  }): unknown {
    for (const id of params.InstanceIds ?? []) {
      if (!this.instance(id))
        throw new ServiceError('Ec2.InvalidInstanceIDNotFound', `The instance ID '${id}' does not exist`);
    }
    const found = this.instances.filter(
      (instance) =>
        (!params.InstanceIds || params.InstanceIds.includes(instance.InstanceId)) &&
        this.matches(instance.tags, params.Filters ?? [], instance.state, 'instance-state-name'),
    );
    return {
      Reservations: found.map((instance) => ({
        ReservationId: `r-${instance.InstanceId}`,
        Instances: [{ InstanceId: instance.InstanceId, State: { Name: instance.state } }],
      })),
    };
  }

  private setInstances(ids: string[], state: Instance['state']): unknown {
    for (const id of ids) {
      const instance = this.instance(id);
      if (!instance)
        throw new ServiceError('Ec2.InvalidInstanceIDNotFound', `The instance ID '${id}' does not exist`);
      instance.state = state;
    }
    return {};
  }

  /** EC2 stops instances through "stopping"; stopping a stopped one is a no-op, a terminated one an error. */
  private stopInstances(params: { InstanceIds: string[] }): unknown {
    for (const id of params.InstanceIds) {
      const instance = this.instance(id);
      if (!instance)
        throw new ServiceError('Ec2.InvalidInstanceIDNotFound', `The instance ID '${id}' does not exist`);
      if (['shutting-down', 'terminated'].includes(instance.state))
        throw new ServiceError(
          'Ec2.IncorrectInstanceState',
          `The instance '${id}' is not in a state from which it can be stopped.`,
        );
    }
    for (const id of params.InstanceIds) {
      const instance = this.instance(id);
      if (!instance || instance.state === 'stopped' || instance.state === 'stopping') continue;
      if (this.stuckInstances.has(id)) {
        instance.state = 'stopping';
        continue;
      }
      instance.state = 'stopping';
      this.at(this.transitions.instanceStopSeconds, () => {
        if (instance.state === 'stopping') instance.state = 'stopped';
      });
    }
    return { StoppingInstances: params.InstanceIds.map((InstanceId) => ({ InstanceId })) };
  }

  /** Started instances go through "pending"; a started master boots and then writes its report. */
  private startInstances(params: { InstanceIds: string[] }): unknown {
    for (const id of params.InstanceIds) {
      const instance = this.instance(id);
      if (!instance)
        throw new ServiceError('Ec2.InvalidInstanceIDNotFound', `The instance ID '${id}' does not exist`);
      if (instance.state !== 'stopped' && instance.state !== 'running' && instance.state !== 'pending')
        throw new ServiceError(
          'Ec2.IncorrectInstanceState',
          `The instance '${id}' is not in a state from which it can be started.`,
        );
    }
    for (const id of params.InstanceIds) {
      const instance = this.instance(id);
      if (!instance || instance.state !== 'stopped') continue;
      instance.state = 'pending';
      this.at(this.transitions.instanceStartSeconds, () => {
        if (instance.state !== 'pending') return;
        instance.state = 'running';
        if (!id.startsWith('i-master')) return;
        const { boot, bootSeconds } = this.transitions;
        if (boot === 'silent') return;
        this.at(bootSeconds, () => {
          if (instance.state === 'running')
            this.bootReports.set(id, boot === 'answered' ? 'answered 0.38.1' : boot);
        });
      });
    }
    return { StartingInstances: params.InstanceIds.map((InstanceId) => ({ InstanceId })) };
  }

  private describeTags(params: { Filters?: { Name: string; Values: string[] }[] }): unknown {
    const filter = (name: string) => params.Filters?.find((entry) => entry.Name === name)?.Values;
    const resources = filter('resource-id') ?? [];
    const keys = filter('key') ?? [];
    if (keys.some((key) => key !== MASTER_BOOT_TAG))
      throw new Error(`the fake describes only ${MASTER_BOOT_TAG} tags`);
    return {
      Tags: resources.flatMap((id) => {
        const value = this.bootReports.get(id);
        return value === undefined
          ? []
          : [{ ResourceId: id, ResourceType: 'instance', Key: MASTER_BOOT_TAG, Value: value }];
      }),
    };
  }

  private deleteTags(params: { Resources: string[]; Tags: { Key: string }[] }): unknown {
    if (params.Tags.some((tag) => tag.Key !== MASTER_BOOT_TAG))
      throw new Error(`the fake deletes only ${MASTER_BOOT_TAG} tags`);
    for (const id of params.Resources) this.bootReports.delete(id);
    return {};
  }

  private describeDatabases(params: {
    DBInstanceIdentifier?: string;
    Filters?: { Name: string; Values: string[] }[];
  }): unknown {
    if (params.Filters) {
      const ids = params.Filters.find((filter) => filter.Name === 'db-instance-id')?.Values ?? [];
      return {
        DBInstances: ids.flatMap((id) => {
          const found = this.databases.get(id);
          return found ? [{ DBInstanceIdentifier: id, DBInstanceStatus: found.status }] : [];
        }),
      };
    }
    const database = this.databases.get(params.DBInstanceIdentifier ?? '');
    if (!database)
      throw new ServiceError(
        'Rds.DbInstanceNotFoundException',
        `DBInstance ${params.DBInstanceIdentifier} not found. (Service: Rds, Status Code: 404)`,
      );
    return {
      DBInstances: [
        {
          DBInstanceIdentifier: database.DBInstanceIdentifier,
          DBInstanceStatus: database.status,
          DBInstanceClass: 'db.t4g.medium',
          ...(database.subnetGroup ? { DBSubnetGroup: { DBSubnetGroupName: database.subnetGroup } } : {}),
          VpcSecurityGroups: [{ VpcSecurityGroupId: 'sg-0database', Status: 'active' }],
        },
      ],
    };
  }

  /** RDS refuses a stop or start unless the database is in `from`; it ends in `to` after a while. */
  private changeDatabase(
    params: { DBInstanceIdentifier: string },
    from: string,
    through: string,
    to: string,
  ): unknown {
    const database = this.databases.get(params.DBInstanceIdentifier);
    if (!database)
      throw new ServiceError(
        'Rds.DbInstanceNotFoundException',
        `DBInstance ${params.DBInstanceIdentifier} not found.`,
      );
    if (database.status !== from)
      throw new ServiceError(
        'Rds.InvalidDbInstanceStateException',
        `Instance ${params.DBInstanceIdentifier} is not in ${from} state. (Service: Rds, Status Code: 400)`,
      );
    database.status = through;
    if (!this.stuckDatabases.has(database.DBInstanceIdentifier)) {
      const seconds =
        to === 'stopped' ? this.transitions.databaseStopSeconds : this.transitions.databaseStartSeconds;
      this.at(seconds, () => {
        if (database.status === through) database.status = to;
      });
    }
    return { DBInstance: { DBInstanceIdentifier: database.DBInstanceIdentifier, DBInstanceStatus: through } };
  }

  private terminateInstances(params: { InstanceIds: string[] }): unknown {
    this.setInstances(params.InstanceIds, 'shutting-down');
    this.at(this.shutdownSeconds, () => this.setInstances(params.InstanceIds, 'terminated'));
    return { TerminatingInstances: params.InstanceIds.map((InstanceId) => ({ InstanceId })) };
  }

  private describeSpotRequests(params: { Filters?: { Name: string; Values: string[] }[] }): unknown {
    return {
      SpotInstanceRequests: this.spotRequests
        .filter((request) => this.matches(request.tags, params.Filters ?? [], request.state, 'state'))
        .map((request) => ({ SpotInstanceRequestId: request.SpotInstanceRequestId, State: request.state })),
    };
  }

  private cancelSpotRequests(params: { SpotInstanceRequestIds: string[] }): unknown {
    for (const id of params.SpotInstanceRequestIds) {
      const request = this.spotRequests.find((candidate) => candidate.SpotInstanceRequestId === id);
      if (request) request.state = 'cancelled';
    }
    return {
      CancelledSpotInstanceRequests: params.SpotInstanceRequestIds.map((SpotInstanceRequestId) => ({
        SpotInstanceRequestId,
      })),
    };
  }

  // ------------------------------------------------------------------ upgrades

  /**
   * A master's boot of `version`: it migrates its database forward to that version (an older
   * version cannot read a newer schema and fails), then reports as `versionBoots` says.
   */
  private boot(masterId: string, version: string): void {
    const outcome = this.versionBoots.get(version) ?? 'answered';
    this.at(this.transitions.bootSeconds, () => {
      const stack = this.stacks.find((candidate) => candidate.outputs?.MasterId === masterId);
      const database = this.databases.get(stack?.outputs?.DatabaseInstanceId ?? '');
      if (database?.status !== 'available') {
        this.bootReports.set(masterId, 'failed: the database does not answer');
        return;
      }
      if (database.schema && compareVersions(database.schema, version) > 0) {
        this.bootReports.set(masterId, `failed: the database schema is Determined ${database.schema}'s`);
        return;
      }
      database.schema = version;
      if (outcome === 'silent') return;
      this.bootReports.set(masterId, outcome === 'answered' ? `answered ${version}` : outcome);
    });
  }

  private versionOf(masterId: string): string {
    const stack = this.stacks.find((candidate) => candidate.outputs?.MasterId === masterId);
    return stack?.parameters.DeterminedVersion ?? '0.38.1';
  }

  private describeSnapshots(params: {
    DBSnapshotIdentifier?: string;
    DBInstanceIdentifier?: string;
  }): unknown {
    const found = this.snapshots.filter((snapshot) =>
      params.DBSnapshotIdentifier
        ? snapshot.DBSnapshotIdentifier === params.DBSnapshotIdentifier
        : snapshot.DBInstanceIdentifier === params.DBInstanceIdentifier,
    );
    if (params.DBSnapshotIdentifier && found.length === 0)
      throw new ServiceError(
        'Rds.DbSnapshotNotFoundException',
        `DBSnapshot ${params.DBSnapshotIdentifier} not found. (Service: Rds, Status Code: 404)`,
      );
    return {
      DBSnapshots: found.map(({ schema: _schema, ...snapshot }) => ({ Status: 'available', ...snapshot })),
    };
  }

  private createSnapshot(params: { DBSnapshotIdentifier: string; DBInstanceIdentifier: string }): unknown {
    const database = this.databases.get(params.DBInstanceIdentifier);
    if (!database)
      throw new ServiceError(
        'Rds.DbInstanceNotFoundException',
        `DBInstance ${params.DBInstanceIdentifier} not found.`,
      );
    if (this.snapshots.some((snapshot) => snapshot.DBSnapshotIdentifier === params.DBSnapshotIdentifier))
      throw new ServiceError(
        'Rds.DbSnapshotAlreadyExistsException',
        'Cannot create the snapshot because a snapshot with the identifier already exists.',
      );
    const snapshot: Snapshot = {
      ...params,
      Status: 'creating',
      ...(database.schema ? { schema: database.schema } : {}),
    };
    this.snapshots.push(snapshot);
    this.at(this.snapshotOutcome.seconds, () => (snapshot.Status = this.snapshotOutcome.status));
    return { DBSnapshot: { ...params, Status: 'creating' } };
  }

  /** ModifyDBInstance, as the upgrade uses it: a new identifier, applied after `rdsSeconds.rename`. */
  private renameDatabase(params: { DBInstanceIdentifier: string; NewDBInstanceIdentifier: string }): unknown {
    const database = this.databases.get(params.DBInstanceIdentifier);
    if (!database)
      throw new ServiceError(
        'Rds.DbInstanceNotFoundException',
        `DBInstance ${params.DBInstanceIdentifier} not found.`,
      );
    if (this.databases.has(params.NewDBInstanceIdentifier))
      throw new ServiceError('Rds.DbInstanceAlreadyExistsException', 'DB instance already exists');
    database.status = 'renaming';
    this.at(this.rdsSeconds.rename, () => {
      this.databases.delete(params.DBInstanceIdentifier);
      database.DBInstanceIdentifier = params.NewDBInstanceIdentifier;
      database.status = 'available';
      this.databases.set(params.NewDBInstanceIdentifier, database);
    });
    return {
      DBInstance: { DBInstanceIdentifier: params.DBInstanceIdentifier, DBInstanceStatus: 'renaming' },
    };
  }

  private restoreDatabase(params: {
    DBInstanceIdentifier: string;
    DBSnapshotIdentifier: string;
    DBSubnetGroupName?: string;
  }): unknown {
    if (this.databases.has(params.DBInstanceIdentifier))
      throw new ServiceError('Rds.DbInstanceAlreadyExistsException', 'DB instance already exists');
    const snapshot = this.snapshots.find(
      (candidate) => candidate.DBSnapshotIdentifier === params.DBSnapshotIdentifier,
    );
    if (snapshot?.Status !== 'available')
      throw new ServiceError(
        'Rds.DbSnapshotNotFoundException',
        `DBSnapshot ${params.DBSnapshotIdentifier} not found.`,
      );
    const database: Database = {
      DBInstanceIdentifier: params.DBInstanceIdentifier,
      status: 'creating',
      ...(snapshot.schema ? { schema: snapshot.schema } : {}),
      // Without a group named, RDS restores into the VPC's default subnet group.
      subnetGroup: params.DBSubnetGroupName ?? 'default',
    };
    this.databases.set(params.DBInstanceIdentifier, database);
    this.at(this.rdsSeconds.restore, () => (database.status = 'available'));
    return {
      DBInstance: { DBInstanceIdentifier: params.DBInstanceIdentifier, DBInstanceStatus: 'creating' },
    };
  }

  private deleteSnapshot(params: { DBSnapshotIdentifier: string }): unknown {
    const index = this.snapshots.findIndex(
      (snapshot) => snapshot.DBSnapshotIdentifier === params.DBSnapshotIdentifier,
    );
    if (index < 0)
      throw new ServiceError(
        'Rds.DbSnapshotNotFoundException',
        `DBSnapshot ${params.DBSnapshotIdentifier} not found.`,
      );
    const [deleted] = this.snapshots.splice(index, 1);
    return { DBSnapshot: { ...deleted, Status: 'deleted' } };
  }

  private putObject(params: { Bucket: string; Key: string }): unknown {
    const keys = this.buckets.get(params.Bucket);
    if (!keys) throw new ServiceError('S3.NoSuchBucketException', 'The specified bucket does not exist');
    if (!keys.includes(params.Key)) keys.push(params.Key);
    return { ETag: '"0"' };
  }

  private listObjects(params: { Bucket: string; MaxKeys?: number }): unknown {
    const keys = this.buckets.get(params.Bucket);
    if (!keys) throw new ServiceError('S3.NoSuchBucketException', 'The specified bucket does not exist');
    const page = keys.slice(0, params.MaxKeys ?? 1000);
    return {
      Name: params.Bucket,
      KeyCount: page.length,
      IsTruncated: page.length < keys.length,
      ...(page.length > 0 ? { Contents: page.map((Key) => ({ Key, Size: 1 })) } : {}),
    };
  }

  private deleteObject(params: { Bucket: string; Key: string }): unknown {
    const keys = this.buckets.get(params.Bucket);
    if (!keys) throw new ServiceError('S3.NoSuchBucketException', 'The specified bucket does not exist');
    this.buckets.set(
      params.Bucket,
      keys.filter((key) => key !== params.Key),
    );
    return {};
  }

  private deleteBucket(params: { Bucket: string }): unknown {
    const keys = this.buckets.get(params.Bucket);
    if (!keys) throw new ServiceError('S3.NoSuchBucketException', 'The specified bucket does not exist');
    if (keys.length > 0)
      throw new ServiceError('S3.S3Exception', 'The bucket you tried to delete is not empty');
    this.buckets.delete(params.Bucket);
    return {};
  }

  private deleteSecret(params: { SecretId: string; RecoveryWindowInDays?: number }): unknown {
    const secret = this.secrets.get(params.SecretId);
    if (!secret)
      throw new ServiceError(
        'SecretsManager.ResourceNotFoundException',
        "Secrets Manager can't find the specified secret.",
      );
    secret.deletionDate = new Date(
      this.clock.now() + (params.RecoveryWindowInDays ?? 30) * 86_400_000,
    ).toISOString();
    return { Name: params.SecretId, DeletionDate: secret.deletionDate };
  }

  // ------------------------------------------------------------------ Step Functions

  private startExecutionCall(params: { StateMachineArn: string; Name: string; Input: unknown }): unknown {
    if (this.startedExecutions.some((execution) => execution.name === params.Name)) {
      throw new ServiceError(
        'StepFunctions.ExecutionAlreadyExistsException',
        `Execution Already Exists: '${params.Name}'`,
      );
    }
    this.startedExecutions.push({
      stateMachineArn: params.StateMachineArn,
      name: params.Name,
      input: params.Input,
    });
    return {
      ExecutionArn: `${params.StateMachineArn.replace(':stateMachine:', ':execution:')}:${params.Name}`,
      StartDate: this.clock.iso(),
    };
  }

  private sendTaskSuccess(params: { TaskToken: string; Output: string }): unknown {
    const waiting = this.pending.get(params.TaskToken);
    if (!waiting) throw new ServiceError('Sfn.InvalidTokenException', 'Invalid Token');
    this.pending.delete(params.TaskToken);
    if (this.clock.now() >= waiting.expiresAt) {
      throw new ServiceError('Sfn.TaskTimedOutException', 'Task Timed Out');
    }
    waiting.resolve(JSON.parse(params.Output));
    return {};
  }
}
