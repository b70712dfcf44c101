/**
 * Blocks the stop and start workflows share: the cluster's stack found by the id its create
 * recorded and checked for this cluster's ownership tags, the instances and database named in its
 * outputs, and a polling round that counts against the operation's budget.
 */
import { clusterKey, DDB_GET, merge, sdk, TABLE, TRANSIENT_RETRY, type Json, type States } from './asl.ts';
import { explainError } from './root-cause.ts';
import { checkOwnership, describeStack, explainNotOwned } from './stack.ts';

const output = (key: string) => `$.describe.Stack.Outputs[?(@.OutputKey == '${key}')].OutputValue`;

export interface FindParts {
  /** The first state after the parts are known (`$.parts.masterId`, `.database`, `.instances`). */
  next: string;
  /** Where to go with `$.reason.text` when there is no usable stack. */
  failed: string;
  /** "stop" or "start", for the reasons. */
  verb: string;
}

/**
 * The stack recorded on the cluster, by id, and only if it carries the cluster's ownership tags.
 * `$.parts.instances` is the master, and the bastion host where the deployment type has one.
 */
export function findParts(options: FindParts): States {
  return merge(
    {
      ReadCluster: {
        Type: 'Task',
        Resource: DDB_GET,
        Parameters: {
          TableName: TABLE,
          Key: clusterKey,
          ConsistentRead: true,
          ProjectionExpression: '#stackId',
          ExpressionAttributeNames: { '#stackId': 'stackId' },
        },
        ResultSelector: { 'item.$': '$.Item' },
        ResultPath: '$.cluster',
        Retry: [TRANSIENT_RETRY],
        Next: 'HasStack',
      },
      HasStack: {
        Type: 'Choice',
        Choices: [{ Variable: '$.cluster.item.stackId.S', IsPresent: true, Next: 'FindStack' }],
        Default: 'ExplainNoStack',
      },
      ExplainNoStack: {
        Type: 'Pass',
        Result: { text: `The cluster has no stack recorded; there is nothing to ${options.verb}.` },
        ResultPath: '$.reason',
        Next: options.failed,
      },
      RememberStack: {
        Type: 'Pass',
        Parameters: { 'id.$': '$.describe.Stack.StackId', 'name.$': '$.describe.Stack.StackName' },
        ResultPath: '$.stack',
        Next: 'RememberStackName',
      },
      RememberStackName: {
        Type: 'Pass',
        InputPath: '$.stack.name',
        ResultPath: '$.stackName',
        Next: 'HasOutputs',
      },
      HasOutputs: {
        Type: 'Choice',
        Choices: [{ Variable: '$.describe.Stack.Outputs', IsPresent: true, Next: 'ReadOutputs' }],
        Default: 'ExplainNoOutputs',
      },
      ExplainNoOutputs: {
        Type: 'Pass',
        Parameters: {
          'text.$': `States.Format('The stack is {} and names no master or database; there is nothing to ${options.verb}.', $.describe.Stack.StackStatus)`,
        },
        ResultPath: '$.reason',
        Next: options.failed,
      },
      ReadOutputs: {
        Type: 'Pass',
        Parameters: {
          'masterId.$': `States.ArrayGetItem(${output('MasterId')}, 0)`,
          'database.$': `States.ArrayGetItem(${output('DatabaseInstanceId')}, 0)`,
          'bastion.$': output('BastionId'),
        },
        ResultPath: '$.parts',
        Next: 'HasBastion',
      },
      HasBastion: {
        Type: 'Choice',
        Choices: [{ Variable: '$.parts.bastion[0]', IsPresent: true, Next: 'MasterAndBastion' }],
        Default: 'MasterOnly',
      },
      MasterAndBastion: {
        Type: 'Pass',
        Parameters: {
          'masterId.$': '$.parts.masterId',
          'database.$': '$.parts.database',
          'instances.$': 'States.Array($.parts.masterId, States.ArrayGetItem($.parts.bastion, 0))',
        },
        ResultPath: '$.parts',
        Next: 'StartClock',
      },
      MasterOnly: {
        Type: 'Pass',
        Parameters: {
          'masterId.$': '$.parts.masterId',
          'database.$': '$.parts.database',
          'instances.$': 'States.Array($.parts.masterId)',
        },
        ResultPath: '$.parts',
        Next: 'StartClock',
      },
      StartClock: {
        Type: 'Pass',
        Parameters: { 'seconds.$': '$.timing.pollSeconds', spent: 0 },
        ResultPath: '$.wait',
        Next: options.next,
      },
    },
    describeStack('FindStack', {
      stack: '$.cluster.item.stackId.S',
      resultPath: '$.describe',
      next: 'StackOwners',
      onError: { resultPath: '$.error', next: 'ExplainNoStackFound' },
    }),
    explainError(
      'ExplainNoStackFound',
      'The stack recorded for this cluster could not be read',
      options.failed,
    ),
    checkOwnership('StackOwners', {
      describe: '$.describe',
      owned: 'RememberStack',
      foreign: 'ExplainNotOwned',
    }),
    explainNotOwned('ExplainNotOwned', options.failed),
  );
}

/** One polling round: wait `timing.pollSeconds`, count it, and go on or give up at the budget. */
export function pollRound(
  name: string,
  options: { budget: string; next: string; onTimeout: string },
): States {
  return {
    [name]: { Type: 'Wait', SecondsPath: '$.timing.pollSeconds', Next: `${name}Counted` },
    [`${name}Counted`]: {
      Type: 'Pass',
      Parameters: {
        'seconds.$': '$.wait.seconds',
        'spent.$': 'States.MathAdd($.wait.spent, $.timing.pollSeconds)',
      },
      ResultPath: '$.wait',
      Next: `${name}Budget`,
    },
    [`${name}Budget`]: {
      Type: 'Choice',
      Choices: [
        { Variable: '$.wait.spent', NumericGreaterThanEqualsPath: options.budget, Next: options.onTimeout },
      ],
      Default: options.next,
    },
  };
}

/** RDS statuses from which a database neither stops nor starts without someone's help. */
export const DATABASE_STUCK = [
  'failed',
  'storage-full',
  'incompatible-network',
  'incompatible-option-group',
  'incompatible-parameters',
  'incompatible-restore',
  'inaccessible-encryption-credentials',
  'deleting',
];

/** The database's status at `$.db.status` (a list of at most one; empty when it is gone). */
export function describeDatabase(name: string, options: { next: string; failed: string }): States {
  return merge(
    {
      [name]: {
        Type: 'Task',
        Resource: sdk('rds', 'describeDBInstances'),
        Parameters: { 'DBInstanceIdentifier.$': '$.parts.database' },
        ResultSelector: { 'status.$': '$.DBInstances[*].DBInstanceStatus' },
        ResultPath: '$.db',
        Retry: [TRANSIENT_RETRY],
        Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: `Explain${name}Error` }],
        Next: `${name}Found`,
      },
      [`${name}Found`]: {
        Type: 'Choice',
        Choices: [{ Variable: '$.db.status[0]', IsPresent: true, Next: `${name}Usable` }],
        Default: `Explain${name}Gone`,
      },
      [`${name}Usable`]: {
        Type: 'Choice',
        Choices: [
          {
            Or: DATABASE_STUCK.map((status): Json => ({ Variable: '$.db.status[0]', StringEquals: status })),
            Next: `Explain${name}Stuck`,
          },
        ],
        Default: options.next,
      },
      [`Explain${name}Gone`]: {
        Type: 'Pass',
        Parameters: {
          'text.$': "States.Format('The database {} of the stack no longer exists.', $.parts.database)",
        },
        ResultPath: '$.reason',
        Next: options.failed,
      },
      [`Explain${name}Stuck`]: {
        Type: 'Pass',
        Parameters: {
          'text.$':
            "States.Format('The database {} is {}; RDS can neither stop nor start it in that state. Fix it in RDS, then retry.', $.parts.database, States.ArrayGetItem($.db.status, 0))",
        },
        ResultPath: '$.reason',
        Next: options.failed,
      },
    },
    explainError(`Explain${name}Error`, 'RDS did not describe the database', options.failed),
  );
}

/**
 * The instances at `$.parts.instances` by state, at `$.instances`: `stopped`, `pending` (not yet in
 * `target`), `gone` (terminated) and `leaving` (shutting down), each a list of ids. A Map reads each
 * instance's id and state first: the filters then compare one field for equality, the JSONPath that
 * every engine (and asl-validator) reads alike.
 */
export function describeInstances(
  name: string,
  options: { target: 'stopped' | 'running'; next: string },
): States {
  const having = (field: string, value: string) => `$.instances.all[?(@.${field} == '${value}')].id`;
  return {
    [name]: {
      Type: 'Task',
      Resource: sdk('ec2', 'describeInstances'),
      Parameters: { 'InstanceIds.$': '$.parts.instances' },
      ResultSelector: { 'list.$': '$.Reservations[*].Instances[*]' },
      ResultPath: '$.instances',
      Retry: [TRANSIENT_RETRY],
      Next: `${name}States`,
    },
    [`${name}States`]: {
      Type: 'Map',
      ItemsPath: '$.instances.list',
      ItemSelector: { 'id.$': '$$.Map.Item.Value.InstanceId', 'state.$': '$$.Map.Item.Value.State.Name' },
      ItemProcessor: {
        ProcessorConfig: { Mode: 'INLINE' },
        StartAt: `${name}State`,
        States: {
          [`${name}State`]: {
            Type: 'Choice',
            Choices: [{ Variable: '$.state', StringEquals: options.target, Next: `${name}Settled` }],
            Default: `${name}Unsettled`,
          },
          [`${name}Settled`]: {
            Type: 'Pass',
            Parameters: { 'id.$': '$.id', 'state.$': '$.state', settled: 'yes' },
            End: true,
          },
          [`${name}Unsettled`]: {
            Type: 'Pass',
            Parameters: { 'id.$': '$.id', 'state.$': '$.state', settled: 'no' },
            End: true,
          },
        },
      },
      ResultPath: '$.instances',
      ResultSelector: { 'all.$': '$' },
      Next: `${name}ByState`,
    },
    [`${name}ByState`]: {
      Type: 'Pass',
      Parameters: {
        'stopped.$': having('state', 'stopped'),
        'pending.$': having('settled', 'no'),
        'gone.$': having('state', 'terminated'),
        'leaving.$': having('state', 'shutting-down'),
      },
      ResultPath: '$.instances',
      Next: options.next,
    },
  };
}

/** `$.reason.text` for an instance of the stack that was terminated behind the control plane's back. */
export function explainInstanceGone(name: string, next: string): States {
  return {
    [name]: {
      Type: 'Pass',
      Parameters: {
        'text.$':
          "States.Format('Instances of the stack are terminated or terminating ({}{}); the cluster cannot be parked or resumed. Delete it; its data is kept.', States.JsonToString($.instances.gone), States.JsonToString($.instances.leaving))",
      },
      ResultPath: '$.reason',
      Next: next,
    },
  };
}

/**
 * Bring the database to `target` (a stop parks it, a start wakes it): describe it, act once when it
 * is at the opposite rest, wait while it is busy, and give up with a reason at the budget.
 * States: DescribeDatabase, DatabaseState, <action>Database, DatabaseBusy, ExplainDatabaseTimeout.
 */
export function driveDatabase(options: {
  target: 'available' | 'stopped';
  /** Where to go once the database is at the target. */
  next: string;
  failed: string;
  /** The workflow's budget, e.g. `$.timing.budgetSeconds.stop`. */
  budget: string;
  /** Said after the timeout's reason, e.g. "; the master was not started". */
  consequence?: string;
}): States {
  const [from, action, actionState] =
    options.target === 'available'
      ? (['stopped', 'startDBInstance', 'StartDatabase'] as const)
      : (['available', 'stopDBInstance', 'StopDatabase'] as const);
  return merge(
    describeDatabase('DescribeDatabase', { next: 'DatabaseState', failed: options.failed }),
    {
      DatabaseState: {
        Type: 'Choice',
        Choices: [
          { Variable: '$.db.status[0]', StringEquals: from, Next: actionState },
          { Variable: '$.db.status[0]', StringEquals: options.target, Next: options.next },
        ],
        // On its way somewhere (a stop or start that failed half-way; AWS restarts a database
        // stopped for 7 days), backing-up, modifying...
        Default: 'DatabaseBusy',
      },
      [actionState]: {
        Type: 'Task',
        Resource: sdk('rds', action),
        Parameters: { 'DBInstanceIdentifier.$': '$.parts.database' },
        ResultPath: null,
        Retry: [TRANSIENT_RETRY],
        // Its status changed since it was read (a backup began): read it again, within the budget.
        Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.dbError', Next: 'DatabaseBusy' }],
        Next: 'DescribeDatabase',
      },
      ExplainDatabaseTimeout: {
        Type: 'Pass',
        Parameters: {
          'text.$': `States.Format('The database {} was still {} after {} seconds${options.consequence ?? ''}.', $.parts.database, States.ArrayGetItem($.db.status, 0), ${options.budget})`,
        },
        ResultPath: '$.reason',
        Next: options.failed,
      },
    },
    pollRound('DatabaseBusy', {
      budget: options.budget,
      next: 'DescribeDatabase',
      onTimeout: 'ExplainDatabaseTimeout',
    }),
  );
}
