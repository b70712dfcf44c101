/**
 * Blocks shared by the lifecycle workflows: status writes on the cluster record, timeline entries,
 * the wait for a stack operation (polling, or CloudFormation's own event through a task token),
 * and the search for the root cause of a failed operation in the stack's events.
 * Every path is written in the JSONPath forms that behave the same in Step Functions and the emulator.
 */
import { reapShardOf } from '../../core/names/shared.ts';
import { OWNERSHIP_TAGS, STACK_MANAGED_BY, STACK_NAME_CLAIM } from '../../core/cluster/naming.ts';
import {
  CLUSTER_PK,
  clusterKey,
  DDB_DELETE,
  DDB_PUT,
  DDB_UPDATE,
  DELETE_MACHINE,
  merge,
  sdk,
  TABLE,
  TRANSIENT_RETRY,
  type Json,
  type State,
  type States,
} from './asl.ts';

const CONDITION_FAILED = ['DynamoDB.ConditionalCheckFailedException'];
const NO_RETRY_ON_CONDITION: Json = { ErrorEquals: CONDITION_FAILED, MaxAttempts: 0 };

export const STATUS_CONFLICT = 'StatusConflict';

/** Where a workflow ends when the record no longer belongs to it (another operation took over). */
export function statusConflict(): States {
  return {
    [STATUS_CONFLICT]: {
      Type: 'Fail',
      Error: 'StatusConflict',
      Cause: 'The cluster record changed under this workflow; another operation owns the cluster now.',
    },
  };
}

export interface StatusWrite {
  /** The status the record must have, or a path to it. */
  from: string;
  /** The new status; without it the write changes attributes only. */
  to?: string;
  /** Extra `SET name = value` pairs; values are DynamoDB attribute values (JSONPath allowed). */
  set?: Record<string, Json>;
  /** `SET name = if_not_exists(name, value)`: written only where the record has no value yet. */
  setIfAbsent?: Record<string, Json>;
  /** `SET target = source` between attributes of the record, e.g. applying pending parameters. */
  copy?: Record<string, string>;
  remove?: string[];
  next: string;
  /** Keep the record as written at this path (ReturnValues ALL_NEW). */
  resultPath?: string;
  /** Set `execution` to this value (a path), handing the record to another workflow. */
  handOverTo?: string;
  /** Where to go when the record is no longer this workflow's (default: the StatusConflict state). */
  onConflict?: string;
  /** The execution the record must belong to, as an intrinsic or path (default: this one). */
  owner?: string;
}

/**
 * A conditional status change: it applies only while the record is in `from` and still belongs to
 * this execution, and bumps the version like every other write.
 */
export function recordStatus(name: string, write: StatusWrite): States {
  const names: Record<string, string> = {
    '#status': 'status',
    '#version': 'version',
    '#updatedAt': 'updatedAt',
    '#execution': 'execution',
    '#reapShard': 'reapShard',
  };
  const values: Record<string, Json> = {
    ':from': write.from.startsWith('$') ? { 'S.$': write.from } : { S: write.from },
    ':me': { 'S.$': write.owner ?? '$$.Execution.Name' },
    ':now': { 'S.$': '$$.State.EnteredTime' },
    ':one': { N: '1' },
  };
  const sets = ['#updatedAt = :now', '#version = #version + :one'];
  const removes = [...(write.remove ?? [])];
  if (write.to) {
    values[':to'] = { S: write.to };
    sets.unshift('#status = :to');
    removes.push('waitToken');
    // The reaper's sparse index holds READY and STOPPED clusters only, each status its own shard.
    const shard = reapShardOf(write.to);
    if (shard) {
      values[':shard'] = { S: shard };
      sets.push('#reapShard = :shard');
    } else removes.push('#reapShard');
  } else delete names['#reapShard'];
  if (write.handOverTo) {
    values[':next'] = { 'S.$': write.handOverTo };
    sets.push('#execution = :next');
  }
  for (const [target, source] of Object.entries(write.copy ?? {})) {
    names[`#${target}`] = target;
    names[`#${source}`] = source;
    sets.push(`#${target} = #${source}`);
  }
  for (const [attribute, value] of Object.entries(write.set ?? {})) {
    names[`#${attribute}`] = attribute;
    values[`:${attribute}`] = value;
    sets.push(`#${attribute} = :${attribute}`);
  }
  for (const [attribute, value] of Object.entries(write.setIfAbsent ?? {})) {
    names[`#${attribute}`] = attribute;
    values[`:${attribute}`] = value;
    sets.push(`#${attribute} = if_not_exists(#${attribute}, :${attribute})`);
  }
  const state: State = {
    Type: 'Task',
    Resource: DDB_UPDATE,
    Parameters: {
      TableName: TABLE,
      Key: clusterKey,
      UpdateExpression: `SET ${sets.join(', ')}${removes.length > 0 ? ` REMOVE ${removes.join(', ')}` : ''}`,
      ConditionExpression: '#status = :from AND #execution = :me',
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
      ...(write.resultPath ? { ReturnValues: 'ALL_NEW' } : {}),
    },
    ResultPath: write.resultPath ?? null,
    Retry: [NO_RETRY_ON_CONDITION, TRANSIENT_RETRY],
    Catch: [{ ErrorEquals: CONDITION_FAILED, Next: write.onConflict ?? STATUS_CONFLICT }],
    Next: write.next,
  };
  return { [name]: state };
}

/**
 * Give up the cluster's claim on its stack name (core/cluster/naming.ts STACK_NAME_CLAIM), once the
 * record is DELETED: then another team may create a cluster of the same id. Only a claim this
 * cluster holds is removed. `stackName` is the path of the claimed name (the record's `stackName`);
 * a record without one (written before claims existed) holds none. Best effort: a claim left behind
 * by a release that kept failing is free anyway, because its holder is DELETED
 * (adapters/cluster-store.ts takes it over).
 */
export function releaseStackName(name: string, options: { stackName: string; next: string }): States {
  return {
    [name]: {
      Type: 'Choice',
      Choices: [{ Variable: options.stackName, IsPresent: true, Next: `${name}Claim` }],
      Default: options.next,
    },
    [`${name}Claim`]: {
      Type: 'Task',
      Resource: DDB_DELETE,
      Parameters: {
        TableName: TABLE,
        Key: {
          pk: { 'S.$': `States.Format('${STACK_NAME_CLAIM.pkPrefix}{}', ${options.stackName})` },
          sk: { S: STACK_NAME_CLAIM.sk },
        },
        ConditionExpression: '#holder = :me',
        ExpressionAttributeNames: { '#holder': STACK_NAME_CLAIM.holder },
        ExpressionAttributeValues: { ':me': { 'S.$': CLUSTER_PK } },
      },
      ResultPath: null,
      Retry: [NO_RETRY_ON_CONDITION, TRANSIENT_RETRY],
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: null, Next: options.next }],
      Next: options.next,
    },
  };
}

/**
 * A timeline entry for the cluster (GET /clusters/{id}/events). `message` may be a States.Format(...)
 * expression. Best effort: a timeline write that keeps failing must not stop a status change.
 */
export function logEvent(
  name: string,
  entry: { kind: string; status?: string; message: string },
  next: string,
): States {
  const dynamic = entry.message.startsWith('States.') || entry.message.startsWith('$');
  const message: Json = dynamic ? { 'S.$': entry.message } : { S: entry.message };
  return {
    [name]: {
      Type: 'Task',
      Resource: DDB_PUT,
      Parameters: {
        TableName: TABLE,
        Item: {
          pk: { 'S.$': CLUSTER_PK },
          sk: { 'S.$': "States.Format('EVENT#{}#{}', $$.State.EnteredTime, $$.State.Name)" },
          at: { 'S.$': '$$.State.EnteredTime' },
          source: { S: 'control-plane' },
          kind: { S: entry.kind },
          message,
          ...(entry.status ? { status: { S: entry.status } } : {}),
        },
      },
      ResultPath: null,
      Retry: [TRANSIENT_RETRY],
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: null, Next: next }],
      Next: next,
    },
  };
}

/**
 * `$.reason.text` from an error a Catch put at `$.error`: "<message>: <its Cause>", or the error's
 * name when it came without a Cause (a path that matches nothing would be a States.Runtime error).
 */
export function explainError(name: string, message: string, next: string): States {
  return {
    [name]: {
      Type: 'Choice',
      Choices: [{ Variable: '$.error.Cause', IsPresent: true, Next: `${name}Cause` }],
      Default: `${name}Name`,
    },
    [`${name}Cause`]: {
      Type: 'Pass',
      Parameters: { 'text.$': `States.Format('${message}: {}', $.error.Cause)` },
      ResultPath: '$.reason',
      Next: next,
    },
    [`${name}Name`]: {
      Type: 'Pass',
      Parameters: { 'text.$': `States.Format('${message} ({}).', $.error.Error)` },
      ResultPath: '$.reason',
      Next: next,
    },
  };
}

/**
 * Route on the Cause of the error at `$.error`: `onMatch` when it matches `pattern`, else `otherwise`.
 * Two Choice states, because a rule on a missing path fails the execution and Step Functions does not
 * promise to skip the rest of an And once one part is false.
 */
export function routeOnCause(
  name: string,
  rule: { pattern: string; onMatch: string; otherwise: string },
): States {
  return {
    [name]: {
      Type: 'Choice',
      Choices: [{ Variable: '$.error.Cause', IsPresent: true, Next: `${name}Cause` }],
      Default: rule.otherwise,
    },
    [`${name}Cause`]: {
      Type: 'Choice',
      Choices: [{ Variable: '$.error.Cause', StringMatches: rule.pattern, Next: rule.onMatch }],
      Default: rule.otherwise,
    },
  };
}

/**
 * DescribeStacks of one stack, kept at `resultPath` as {Stack}: a path ending in [0] is unwrapped
 * the same way everywhere, and deeper paths are read from the result.
 */
export function describeStack(
  name: string,
  options: {
    stack: string;
    resultPath: string;
    next: string;
    onError?: { resultPath: string; next: string };
  },
): States {
  return {
    [name]: {
      Type: 'Task',
      Resource: sdk('cloudformation', 'describeStacks'),
      Parameters: { 'StackName.$': options.stack },
      ResultSelector: { 'Stack.$': '$.Stacks[0]' },
      ResultPath: options.resultPath,
      Retry: [TRANSIENT_RETRY],
      ...(options.onError
        ? {
            Catch: [
              {
                ErrorEquals: ['States.ALL'],
                ResultPath: options.onError.resultPath,
                Next: options.onError.next,
              },
            ],
          }
        : {}),
      Next: options.next,
    },
  };
}

/**
 * How many of the tags at `tags` (a {Key, Value} list, which services may leave out) satisfy one of
 * `rules`, at `resultPath`.count. Rules are Choice rules over `$.tag.Key` and `$.tag.Value`, and may
 * compare with `$.team` and `$.clusterId`. A Map, because a Choice cannot compare a filtered list.
 */
export function countTags(
  name: string,
  options: { tags: string; rules: Json[]; resultPath: string; next: string },
): States {
  return {
    [name]: {
      Type: 'Choice',
      Choices: [{ Variable: `${options.tags}[0]`, IsPresent: true, Next: `${name}Scan` }],
      Default: `${name}None`,
    },
    [`${name}None`]: {
      Type: 'Pass',
      Result: { count: 0 },
      ResultPath: options.resultPath,
      Next: options.next,
    },
    [`${name}Scan`]: {
      Type: 'Map',
      ItemsPath: options.tags,
      ItemSelector: { 'tag.$': '$$.Map.Item.Value', 'team.$': '$.team', 'clusterId.$': '$.clusterId' },
      ItemProcessor: {
        ProcessorConfig: { Mode: 'INLINE' },
        StartAt: `${name}Rule`,
        States: {
          [`${name}Rule`]: {
            Type: 'Choice',
            Choices: options.rules.map((rule) => ({ ...(rule as object), Next: `${name}Match` })),
            Default: `${name}Other`,
          },
          [`${name}Match`]: { Type: 'Pass', Result: { match: true }, End: true },
          [`${name}Other`]: { Type: 'Pass', Result: {}, End: true },
        },
      },
      MaxConcurrency: 50,
      ResultPath: options.resultPath,
      Next: `${name}Matches`,
    },
    [`${name}Matches`]: {
      Type: 'Pass',
      Parameters: { 'list.$': `${options.resultPath}[?(@.match)]` },
      ResultPath: options.resultPath,
      Next: `${name}Count`,
    },
    [`${name}Count`]: {
      Type: 'Pass',
      Parameters: { 'count.$': `States.ArrayLength(${options.resultPath}.list)` },
      ResultPath: options.resultPath,
      Next: options.next,
    },
  };
}

const tagIs = (key: string, value: Json): Json => ({
  And: [
    { Variable: '$.tag.Key', StringEquals: key },
    { Variable: '$.tag.Value', ...(value as object) },
  ],
});

/**
 * Whether the stack described at `describe` is this cluster's: its ownership tags (managed-by,
 * team, cluster-id) all match. A workflow acts only on a stack it recorded, and refuses one whose
 * tags say otherwise (`foreign`): no action, a clear status.
 */
export function checkOwnership(
  name: string,
  options: { describe: string; owned: string; foreign: string },
): States {
  return merge(
    countTags(name, {
      tags: `${options.describe}.Stack.Tags`,
      rules: [
        tagIs(OWNERSHIP_TAGS.managedBy, { StringEquals: STACK_MANAGED_BY }),
        tagIs(OWNERSHIP_TAGS.team, { StringEqualsPath: '$.team' }),
        tagIs(OWNERSHIP_TAGS.clusterId, { StringEqualsPath: '$.clusterId' }),
      ],
      resultPath: '$.ownership',
      next: `${name}Verdict`,
    }),
    {
      [`${name}Verdict`]: {
        Type: 'Choice',
        Choices: [{ Variable: '$.ownership.count', NumericEquals: 3, Next: options.owned }],
        Default: options.foreign,
      },
    },
  );
}

/** `$.reason.text` for a recorded stack whose ownership tags do not match. */
export function explainNotOwned(name: string, next: string): States {
  return {
    [name]: {
      Type: 'Pass',
      Parameters: {
        'text.$':
          "States.Format('The stack recorded for this cluster ({}) does not carry its ownership tags (managed-by, team, cluster-id); the control plane leaves it untouched. Ask the platform team.', $.describe.Stack.StackId)",
      },
      ResultPath: '$.reason',
      Next: next,
    },
  };
}

export interface StackWait {
  /** Prefix of the loop's state names, e.g. "Create". */
  prefix: string;
  /** Path of this operation's time budget in seconds. */
  budget: string;
  succeeded: string[];
  inProgress: string[];
  onSucceeded: string;
  onFailed: string;
  onTimeout: string;
}

const anyOf = (statuses: string[]): Json => ({
  Or: statuses.map((status) => ({ Variable: '$.describe.Stack.StackStatus', StringEquals: status })),
});

/**
 * Wait for the stack operation to end. With `timing.fastPath` the workflow parks on a task token
 * that the stack-event relay completes when CloudFormation reports a terminal status, and polls only
 * every `fallbackPollSeconds`; otherwise it polls, the interval growing by `pollIncrementSeconds` up
 * to `maxPollSeconds`. Both stop at the operation's budget.
 */
export function waitForStack(wait: StackWait): States {
  const p = wait.prefix;
  return {
    [`${p}StartClock`]: {
      Type: 'Pass',
      Parameters: { 'seconds.$': '$.timing.pollSeconds', spent: 0 },
      ResultPath: '$.wait',
      Next: `${p}Wait`,
    },
    [`${p}Wait`]: {
      Type: 'Choice',
      Choices: [{ Variable: '$.timing.fastPath', BooleanEquals: true, Next: `${p}AwaitStackEvent` }],
      Default: `${p}Delay`,
    },
    [`${p}AwaitStackEvent`]: {
      Type: 'Task',
      Comment: 'Parked until the stack-event relay returns the token, or the fallback poll is due',
      Resource: `${sdk('dynamodb', 'updateItem')}.waitForTaskToken`,
      Parameters: {
        TableName: TABLE,
        Key: clusterKey,
        UpdateExpression: 'SET waitToken = :token',
        ConditionExpression: '#execution = :me',
        ExpressionAttributeNames: { '#execution': 'execution' },
        ExpressionAttributeValues: {
          ':token': { 'S.$': '$$.Task.Token' },
          ':me': { 'S.$': '$$.Execution.Name' },
        },
      },
      TimeoutSecondsPath: '$.timing.fallbackPollSeconds',
      ResultPath: null,
      Catch: [
        { ErrorEquals: ['States.Timeout'], ResultPath: null, Next: `${p}FallbackPollDue` },
        { ErrorEquals: ['States.ALL'], ResultPath: null, Next: `${p}Delay` },
      ],
      Next: `${p}DescribeStack`,
    },
    [`${p}FallbackPollDue`]: {
      Type: 'Pass',
      Parameters: {
        'seconds.$': '$.wait.seconds',
        'spent.$': 'States.MathAdd($.wait.spent, $.timing.fallbackPollSeconds)',
      },
      ResultPath: '$.wait',
      Next: `${p}DescribeStack`,
    },
    [`${p}Delay`]: { Type: 'Wait', SecondsPath: '$.wait.seconds', Next: `${p}Backoff` },
    [`${p}Backoff`]: {
      Type: 'Pass',
      Parameters: {
        'seconds.$': 'States.MathAdd($.wait.seconds, $.timing.pollIncrementSeconds)',
        'spent.$': 'States.MathAdd($.wait.spent, $.wait.seconds)',
      },
      ResultPath: '$.wait',
      Next: `${p}CapBackoff`,
    },
    [`${p}CapBackoff`]: {
      Type: 'Choice',
      Choices: [
        {
          Variable: '$.wait.seconds',
          NumericGreaterThanPath: '$.timing.maxPollSeconds',
          Next: `${p}AtMaxInterval`,
        },
      ],
      Default: `${p}DescribeStack`,
    },
    [`${p}AtMaxInterval`]: {
      Type: 'Pass',
      Parameters: { 'seconds.$': '$.timing.maxPollSeconds', 'spent.$': '$.wait.spent' },
      ResultPath: '$.wait',
      Next: `${p}DescribeStack`,
    },
    ...describeStack(`${p}DescribeStack`, {
      stack: '$.stackId',
      resultPath: '$.describe',
      next: `${p}Route`,
    }),
    [`${p}Route`]: {
      Type: 'Choice',
      Choices: [
        { ...(anyOf(wait.succeeded) as object), Next: wait.onSucceeded },
        { ...(anyOf(wait.inProgress) as object), Next: `${p}CheckBudget` },
      ],
      Default: wait.onFailed,
    },
    [`${p}CheckBudget`]: {
      Type: 'Choice',
      Choices: [
        { Variable: '$.wait.spent', NumericGreaterThanEqualsPath: wait.budget, Next: wait.onTimeout },
        // Decided here again rather than by going back to Wait: one transition less per round.
        { Variable: '$.timing.fastPath', BooleanEquals: true, Next: `${p}AwaitStackEvent` },
      ],
      Default: `${p}Delay`,
    },
  };
}

export interface RootCause {
  prefix: string;
  next: string;
}

const MAX_EVENT_PAGES = 5;

/**
 * Find why the operation failed: the oldest event of this operation (its ClientRequestToken is the
 * execution name) whose resource reached a *_FAILED status. Any of them: an update that adds or
 * replaces a resource fails it with CREATE_FAILED, not UPDATE_FAILED; the cancellations and rollback
 * failures that follow the first failure are newer, so the oldest is the cause. Writes `$.reason.text` as
 * "<logical id> (<type>) failed: <CloudFormation's reason>", or the stack's own status reason
 * when no resource failed.
 */
export function findRootCause(cause: RootCause): States {
  const p = cause.prefix;
  const scanEvent: States = {
    HasToken: {
      Type: 'Choice',
      Choices: [{ Variable: '$.event.ClientRequestToken', IsPresent: true, Next: 'ThisOperation' }],
      Default: 'Skip',
    },
    ThisOperation: {
      Type: 'Choice',
      Choices: [
        {
          And: [
            { Variable: '$.event.ClientRequestToken', StringEqualsPath: '$.token' },
            { Variable: '$.event.ResourceStatus', StringMatches: '*_FAILED' },
            { Variable: '$.event.ResourceStatusReason', IsPresent: true },
          ],
          Next: 'Keep',
        },
      ],
      Default: 'Skip',
    },
    Keep: {
      Type: 'Pass',
      Parameters: {
        'logicalId.$': '$.event.LogicalResourceId',
        'type.$': '$.event.ResourceType',
        'reason.$': '$.event.ResourceStatusReason',
      },
      End: true,
    },
    Skip: { Type: 'Pass', Result: {}, End: true },
  };
  return {
    [`${p}FirstEventsPage`]: {
      Type: 'Task',
      Resource: sdk('cloudformation', 'describeStackEvents'),
      Parameters: { 'StackName.$': '$.stackId' },
      ResultPath: '$.page',
      Retry: [TRANSIENT_RETRY],
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: null, Next: `${p}Explain` }],
      Next: `${p}CountPage`,
    },
    [`${p}CountPage`]: {
      Type: 'Pass',
      Parameters: { 'count.$': 'States.MathAdd($.pages.count, 1)' },
      ResultPath: '$.pages',
      Next: `${p}ScanPage`,
    },
    [`${p}ScanPage`]: {
      Type: 'Map',
      ItemsPath: '$.page.StackEvents',
      ItemSelector: { 'event.$': '$$.Map.Item.Value', 'token.$': '$$.Execution.Name' },
      ItemProcessor: { ProcessorConfig: { Mode: 'INLINE' }, StartAt: 'HasToken', States: scanEvent },
      MaxConcurrency: 40,
      ResultPath: '$.scan',
      Next: `${p}FailuresOnPage`,
    },
    [`${p}FailuresOnPage`]: {
      Type: 'Pass',
      Parameters: { 'list.$': '$.scan[?(@.logicalId)]' },
      ResultPath: '$.failures',
      Next: `${p}CountFailures`,
    },
    [`${p}CountFailures`]: {
      Type: 'Pass',
      Parameters: { 'list.$': '$.failures.list', 'count.$': 'States.ArrayLength($.failures.list)' },
      ResultPath: '$.failures',
      Next: `${p}AnyFailureOnPage`,
    },
    [`${p}AnyFailureOnPage`]: {
      Type: 'Choice',
      Choices: [{ Variable: '$.failures.count', NumericGreaterThan: 0, Next: `${p}RememberOldest` }],
      Default: `${p}MorePages`,
    },
    // Pages run newest to oldest, so the last failure on the last page that has one is the first to happen.
    [`${p}RememberOldest`]: {
      Type: 'Pass',
      Parameters: {
        'resource.$': 'States.ArrayGetItem($.failures.list, States.MathAdd($.failures.count, -1))',
      },
      ResultPath: '$.rootCause',
      Next: `${p}MorePages`,
    },
    [`${p}MorePages`]: {
      Type: 'Choice',
      Choices: [
        {
          And: [
            { Variable: '$.page.NextToken', IsPresent: true },
            { Variable: '$.pages.count', NumericLessThan: MAX_EVENT_PAGES },
          ],
          Next: `${p}NextEventsPage`,
        },
      ],
      Default: `${p}Explain`,
    },
    [`${p}NextEventsPage`]: {
      Type: 'Task',
      Resource: sdk('cloudformation', 'describeStackEvents'),
      Parameters: { 'StackName.$': '$.stackId', 'NextToken.$': '$.page.NextToken' },
      ResultPath: '$.page',
      Retry: [TRANSIENT_RETRY],
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: null, Next: `${p}Explain` }],
      Next: `${p}CountPage`,
    },
    [`${p}Explain`]: {
      Type: 'Choice',
      Choices: [
        { Variable: '$.rootCause.resource', IsPresent: true, Next: `${p}BlameResource` },
        { Variable: '$.describe.Stack.StackStatusReason', IsPresent: true, Next: `${p}BlameStack` },
      ],
      Default: `${p}StatusOnly`,
    },
    [`${p}BlameResource`]: {
      Type: 'Pass',
      Parameters: {
        'text.$':
          "States.Format('{} ({}) failed: {}', $.rootCause.resource.logicalId, $.rootCause.resource.type, $.rootCause.resource.reason)",
      },
      ResultPath: '$.reason',
      Next: cause.next,
    },
    [`${p}BlameStack`]: {
      Type: 'Pass',
      Parameters: {
        'text.$':
          "States.Format('The stack ended {}: {}', $.describe.Stack.StackStatus, $.describe.Stack.StackStatusReason)",
      },
      ResultPath: '$.reason',
      Next: cause.next,
    },
    [`${p}StatusOnly`]: {
      Type: 'Pass',
      Parameters: { 'text.$': "States.Format('The stack ended {}.', $.describe.Stack.StackStatus)" },
      ResultPath: '$.reason',
      Next: cause.next,
    },
  };
}

/** The counter the root-cause search pages with; set before the first page. */
export function resetPageCount(name: string, next: string): States {
  return { [name]: { Type: 'Pass', Result: { count: 0 }, ResultPath: '$.pages', Next: next } };
}

/**
 * A cluster deleted while this workflow ran (DELETE during CREATING or UPDATING) is handed to the
 * delete workflow now, in the status the record reached; otherwise the workflow ends. Should the
 * delete execution not start, the record goes from DELETING to DELETE_FAILED, from which a DELETE
 * starts over: a DELETING record without a workflow would never change again.
 */
export function handOverPendingDelete(prefix: string, options: { recordPath: string; done: string }): States {
  const record = options.recordPath;
  const deleteExecution = "States.Format('{}-d', $$.Execution.Name)";
  return merge(
    {
      [`${prefix}DeleteRequested`]: {
        Type: 'Choice',
        Choices: [
          {
            Variable: `${record}.Attributes.deleteRequested`,
            IsPresent: true,
            Next: `${prefix}HandOverToDelete`,
          },
        ],
        Default: options.done,
      },
    },
    recordStatus(`${prefix}HandOverToDelete`, {
      from: `${record}.Attributes.status.S`,
      to: 'DELETING',
      handOverTo: deleteExecution,
      set: { statusReason: { S: 'Deletion requested while the previous operation ran.' } },
      next: `${prefix}StartDelete`,
    }),
    recordStatus(`${prefix}DeleteNotStarted`, {
      from: 'DELETING',
      to: 'DELETE_FAILED',
      owner: deleteExecution,
      set: {
        statusReason: {
          S: 'The deletion requested while the previous operation ran could not be started; nothing was deleted. Retry the delete.',
        },
      },
      next: options.done,
      onConflict: options.done,
    }),
    {
      [`${prefix}StartDelete`]: {
        Type: 'Task',
        Resource: 'arn:aws:states:::states:startExecution',
        Parameters: {
          StateMachineArn: DELETE_MACHINE,
          'Name.$': deleteExecution,
          Input: {
            'team.$': '$.team',
            'clusterId.$': '$.clusterId',
            'purge.$': `${record}.Attributes.deleteRequested.M.purge.BOOL`,
            'recordTtl.$': `${record}.Attributes.deleteRequested.M.recordTtl.N`,
            'timing.$': '$.timing',
          },
        },
        ResultPath: null,
        Retry: [TRANSIENT_RETRY],
        Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: null, Next: `${prefix}DeleteNotStarted` }],
        Next: options.done,
      },
    },
  );
}

export interface OperationFailure {
  /** Names the states: Record<Operation>Failed, Log<Operation>Failed. */
  operation: 'Create' | 'Update' | 'Stop' | 'Start';
  from: string;
  to: string;
  remove?: string[];
  /** The Fail state the workflow ends in once the failure is recorded. */
  fail: { name: string; error: string; cause: string };
}

/**
 * Record a failed operation with `$.reason.text`, put it on the timeline, hand a pending delete
 * over, and end the execution as failed.
 */
export function recordOperationFailure(failure: OperationFailure): States {
  return merge(
    recordStatus(`Record${failure.operation}Failed`, {
      from: failure.from,
      to: failure.to,
      set: { statusReason: { 'S.$': '$.reason.text' } },
      ...(failure.remove ? { remove: failure.remove } : {}),
      resultPath: '$.record',
      next: `Log${failure.operation}Failed`,
    }),
    logEvent(
      `Log${failure.operation}Failed`,
      { kind: 'failed', status: failure.to, message: '$.reason.text' },
      'FailedDeleteRequested',
    ),
    handOverPendingDelete('Failed', { recordPath: '$.record', done: failure.fail.name }),
    { [failure.fail.name]: { Type: 'Fail', Error: failure.fail.error, Cause: failure.fail.cause } },
  );
}
