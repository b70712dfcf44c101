/**
 * The stack a workflow works on: reading it, checking that its ownership tags are the cluster's,
 * and waiting for a stack operation to settle (polling, or CloudFormation's own event through a
 * task token, with a fallback poll).
 */
import { OWNERSHIP_TAGS, STACK_MANAGED_BY } from '../../core/cluster/naming.ts';
import { clusterKey, merge, sdk, TABLE, TRANSIENT_RETRY, type Json, type States } from './asl.ts';

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
