/**
 * Why an operation failed, in the user's words: the first failing resource in the stack's events
 * (its type and CloudFormation's own reason), or a workflow error explained.
 */
import { sdk, TRANSIENT_RETRY, type States } from './asl.ts';

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
