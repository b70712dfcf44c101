/**
 * Upgrade: Determined in place, without losing work (docs/adr/0030-in-place-upgrades.md).
 *  1. Pause work: wait until the stack's agents are gone (the master terminates idle agents after
 *     maxIdleAgentPeriod), up to `drainSeconds`; agents still busy then end the upgrade before
 *     anything changed (UPDATE_FAILED, the old version serving), since killing them loses trials.
 *  2. Snapshot the database (CreateDBSnapshot, waited for), recorded on the cluster and the timeline.
 *  3. UpdateStack with the new version (and its agent image) only; the master restarts with it, and
 *     the cluster is READY only when the master's boot reports that GET /info answers the new version.
 *  4. Otherwise (the stack update failed, the boot reported a failure, or no answer within the
 *     budget) the new master may have migrated the database: the migrated database is set aside
 *     (renamed, kept), the pre-upgrade snapshot is restored under the database's own name (so the
 *     stack and the master's address stay the same), the stack goes back to the previous version,
 *     and the cluster ends UPDATE_FAILED with the reason once the previous version answers again.
 */
import { agentFilter } from './agents.ts';
import { awaitBoot, forgetBoot } from './boot.ts';
import {
  clusterKey,
  DDB_UPDATE,
  merge,
  sdk,
  STACK_ROLE,
  TABLE,
  TRANSIENT_RETRY,
  type States,
} from './asl.ts';
import { guarded } from './guard.ts';
import { findParts, pollRound } from './park.ts';
import {
  handOverPendingDelete,
  logEvent,
  recordOperationFailure,
  recordStatus,
  statusConflict,
} from './record.ts';
import { explainError, findRootCause, resetPageCount, routeOnCause } from './root-cause.ts';
import { waitForStack } from './stack.ts';
import type { StateMachine } from './asl.ts';

const BUDGET = '$.timing.budgetSeconds.update';
const IN_PROGRESS = [
  'UPDATE_IN_PROGRESS',
  'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS',
  'UPDATE_ROLLBACK_IN_PROGRESS',
  'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS',
];
/** The name the database the failed upgrade left behind is kept under. */
const SET_ASIDE = "States.Format('{}-failed-upgrade', $.parts.database)";

export function upgradeWorkflow(): StateMachine {
  return guarded(workflowBody(), {
    inProgress: 'UPDATING',
    failed: 'UPDATE_FAILED',
    recordedErrors: ['ClusterUpgradeFailed'],
    claim: true,
  });
}

/** Start a polling loop's clock again: each phase has its own budget. */
function resetClock(name: string, next: string): States {
  return {
    [name]: {
      Type: 'Pass',
      Parameters: { 'seconds.$': '$.timing.pollSeconds', spent: 0 },
      ResultPath: '$.wait',
      Next: next,
    },
  };
}

/**
 * Wait for the master's boot report to read "answered <version at `version`>" (statemachines/src/boot.ts);
 * a "failed: ..." report or no answer within the budget go to `failed` with `$.reason`. The report
 * that counts is kept at `$.expectedBoot`, beside the poll clock at `$.wait`.
 */
function awaitVersion(
  prefix: string,
  options: { version: string; answered: string; failed: string; what: string },
): States {
  return merge(
    {
      [`${prefix}Expect`]: {
        Type: 'Pass',
        Parameters: { 'text.$': `States.Format('answered {}', ${options.version})` },
        ResultPath: '$.expectedBoot',
        Next: `${prefix}Clock`,
      },
    },
    resetClock(`${prefix}Clock`, `${prefix}ReadBoot`),
    awaitBoot(prefix, {
      expect: '$.expectedBoot.text',
      budget: BUDGET,
      answered: options.answered,
      bootFailed: `${prefix}ExplainBootFailed`,
      noAnswer: `${prefix}ExplainNoAnswer`,
    }),
    {
      [`${prefix}ExplainBootFailed`]: {
        Type: 'Pass',
        Parameters: {
          'text.$': `States.Format('${options.what} {} did not come up: its boot reported "{}".', ${options.version}, States.ArrayGetItem($.boot.values, 0))`,
        },
        ResultPath: '$.reason',
        Next: options.failed,
      },
      [`${prefix}ExplainNoAnswer`]: {
        Type: 'Pass',
        Parameters: {
          'text.$': `States.Format('${options.what} {} did not answer GET /info within {} seconds (its log is the determined-master stream of the stack log group).', ${options.version}, ${BUDGET})`,
        },
        ResultPath: '$.reason',
        Next: options.failed,
      },
    },
  );
}

/** UpdateStack with the stack role, the parameters at `parameters` and an idempotency token. */
function updateStack(
  name: string,
  options: { parameters: string; token: string; next: string; onError: string },
): States {
  return {
    [name]: {
      Type: 'Task',
      Resource: sdk('cloudformation', 'updateStack'),
      Parameters: {
        'StackName.$': '$.stack.id',
        UsePreviousTemplate: true,
        'Parameters.$': options.parameters,
        Capabilities: ['CAPABILITY_IAM'],
        RoleARN: STACK_ROLE,
        'ClientRequestToken.$': options.token,
      },
      ResultPath: null,
      Retry: [TRANSIENT_RETRY],
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: options.onError }],
      Next: options.next,
    },
  };
}

/** `$.reason.text` with a fixed sentence and the versions. */
function explain(name: string, format: string, args: string, next: string): States {
  return {
    [name]: {
      Type: 'Pass',
      Parameters: { 'text.$': `States.Format('${format}', ${args})` },
      ResultPath: '$.reason',
      Next: next,
    },
  };
}

const NOTHING_CHANGED = 'Nothing was changed; Determined {} still serves. Retry the upgrade.';

/** 1. Pause work: the stack's agents, still running or starting, until none is left. */
function pauseWork(): States {
  return merge(
    {
      FindWork: {
        Type: 'Task',
        Resource: sdk('ec2', 'describeInstances'),
        Parameters: {
          Filters: [agentFilter, { Name: 'instance-state-name', Values: ['pending', 'running'] }],
        },
        ResultSelector: { 'ids.$': '$.Reservations[*].Instances[*].InstanceId' },
        ResultPath: '$.agents',
        Retry: [TRANSIENT_RETRY],
        Next: 'AnyWork',
      },
      AnyWork: {
        Type: 'Choice',
        Choices: [{ Variable: '$.agents.ids[0]', IsPresent: true, Next: 'WorkRunning' }],
        Default: 'TakeSnapshot',
      },
    },
    pollRound('WorkRunning', { budget: '$.drainSeconds', next: 'FindWork', onTimeout: 'ExplainBusy' }),
    explain(
      'ExplainBusy',
      `The upgrade to {} did not start: agents were still running work after {} seconds ({}), and stopping them would lose it. ${NOTHING_CHANGED}`,
      '$.versions.to, $.drainSeconds, States.JsonToString($.agents.ids), $.versions.from',
      'RecordUpgradeFailed',
    ),
  );
}

/** 2. The pre-upgrade snapshot, waited for, on the cluster record and the timeline. */
function snapshotDatabase(): States {
  return merge(
    {
      TakeSnapshot: {
        Type: 'Task',
        Resource: sdk('rds', 'createDBSnapshot'),
        Parameters: {
          'DBSnapshotIdentifier.$': '$.snapshot',
          'DBInstanceIdentifier.$': '$.parts.database',
          'Tags.$': '$.describe.Stack.Tags',
        },
        ResultPath: null,
        Retry: [TRANSIENT_RETRY],
        Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'ExplainSnapshotRejected' }],
        Next: 'LogSnapshotStarted',
      },
    },
    explainError(
      'ExplainSnapshotRejected',
      'The upgrade did not start, nothing was changed: RDS did not take the pre-upgrade snapshot',
      'RecordUpgradeFailed',
    ),
    logEvent(
      'LogSnapshotStarted',
      {
        kind: 'snapshot',
        message:
          "States.Format('Taking the pre-upgrade database snapshot {} of {}.', $.snapshot, $.parts.database)",
      },
      'SnapshotClock',
    ),
    resetClock('SnapshotClock', 'DescribeSnapshot'),
    {
      DescribeSnapshot: {
        Type: 'Task',
        Resource: sdk('rds', 'describeDBSnapshots'),
        Parameters: { 'DBSnapshotIdentifier.$': '$.snapshot' },
        ResultSelector: { 'status.$': '$.DBSnapshots[*].Status' },
        ResultPath: '$.snap',
        Retry: [TRANSIENT_RETRY],
        Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'ExplainSnapshotLost' }],
        Next: 'SnapshotStatus',
      },
      SnapshotStatus: {
        Type: 'Choice',
        Choices: [
          { Variable: '$.snap.status[0]', IsPresent: false, Next: 'ExplainSnapshotGone' },
          { Variable: '$.snap.status[0]', StringEquals: 'available', Next: 'RecordSnapshot' },
          { Variable: '$.snap.status[0]', StringEquals: 'creating', Next: 'SnapshotCreating' },
        ],
        Default: 'ExplainSnapshotFailed',
      },
      RecordSnapshot: {
        Type: 'Task',
        Comment: 'The cluster keeps when its pre-upgrade snapshot was available',
        Resource: DDB_UPDATE,
        Parameters: {
          TableName: TABLE,
          Key: clusterKey,
          UpdateExpression: 'SET #upgrade.#taken = :now',
          ConditionExpression: '#status = :updating AND #execution = :me AND #upgrade.#snapshot = :snapshot',
          ExpressionAttributeNames: {
            '#upgrade': 'upgrade',
            '#taken': 'snapshotTakenAt',
            '#snapshot': 'snapshot',
            '#status': 'status',
            '#execution': 'execution',
          },
          ExpressionAttributeValues: {
            ':now': { 'S.$': '$$.State.EnteredTime' },
            ':updating': { S: 'UPDATING' },
            ':me': { 'S.$': '$$.Execution.Name' },
            ':snapshot': { 'S.$': '$.snapshot' },
          },
        },
        ResultPath: null,
        Retry: [
          { ErrorEquals: ['DynamoDB.ConditionalCheckFailedException'], MaxAttempts: 0 },
          TRANSIENT_RETRY,
        ],
        Catch: [{ ErrorEquals: ['DynamoDB.ConditionalCheckFailedException'], Next: 'StatusConflict' }],
        Next: 'LogSnapshotTaken',
      },
    },
    pollRound('SnapshotCreating', {
      budget: BUDGET,
      next: 'DescribeSnapshot',
      onTimeout: 'ExplainSnapshotSlow',
    }),
    explainError(
      'ExplainSnapshotLost',
      'The upgrade did not start, nothing was changed: RDS did not describe the pre-upgrade snapshot',
      'RecordUpgradeFailed',
    ),
    explain(
      'ExplainSnapshotGone',
      `The pre-upgrade snapshot {} disappeared before it was available, so the upgrade did not start. ${NOTHING_CHANGED}`,
      '$.snapshot, $.versions.from',
      'RecordUpgradeFailed',
    ),
    explain(
      'ExplainSnapshotFailed',
      `The pre-upgrade snapshot {} ended "{}", so the upgrade did not start. ${NOTHING_CHANGED}`,
      '$.snapshot, States.ArrayGetItem($.snap.status, 0), $.versions.from',
      'RecordUpgradeFailed',
    ),
    explain(
      'ExplainSnapshotSlow',
      `The pre-upgrade snapshot {} was not available within {} seconds, so the upgrade did not start. ${NOTHING_CHANGED}`,
      `$.snapshot, ${BUDGET}, $.versions.from`,
      'RecordUpgradeFailed',
    ),
    logEvent(
      'LogSnapshotTaken',
      {
        kind: 'snapshot',
        message:
          "States.Format('The pre-upgrade database snapshot {} is available; upgrading Determined from {} to {}.', $.snapshot, $.versions.from, $.versions.to)",
      },
      'ForgetBoot',
    ),
  );
}

/** 3. The new version: only its parameters change; READY when its master answers. */
function upgradeStack(): States {
  return merge(
    forgetBoot('ForgetBoot', { next: 'UpdateStack', onError: 'ExplainUpgradeRejected' }),
    updateStack('UpdateStack', {
      parameters: '$.parameters.upgrade',
      token: '$$.Execution.Name',
      next: 'UpgradeStartClock',
      onError: 'ExplainUpgradeRejected',
    }),
    explainError(
      'ExplainUpgradeRejected',
      'The upgrade did not start, nothing was changed: CloudFormation did not accept the update',
      'RecordUpgradeFailed',
    ),
    waitForStack({
      prefix: 'Upgrade',
      budget: BUDGET,
      succeeded: ['UPDATE_COMPLETE'],
      inProgress: IN_PROGRESS,
      onSucceeded: 'NewMasterExpect',
      onFailed: 'StartRootCause',
      onTimeout: 'ExplainUpgradeTimeout',
    }),
    resetPageCount('StartRootCause', 'UpgradeFirstEventsPage'),
    findRootCause({ prefix: 'Upgrade', next: 'KeepFailure' }),
    explain(
      'ExplainUpgradeTimeout',
      'The stack did not finish updating to Determined {} within {} seconds (last status {}); it was left to CloudFormation. The pre-upgrade snapshot {} is kept.',
      `$.versions.to, ${BUDGET}, $.describe.Stack.StackStatus, $.snapshot`,
      'RecordUpgradeFailed',
    ),
    awaitVersion('NewMaster', {
      version: '$.versions.to',
      answered: 'RecordUpgraded',
      failed: 'KeepFailure',
      what: 'Determined',
    }),
    recordStatus('RecordUpgraded', {
      from: 'UPDATING',
      to: 'READY',
      copy: { parameters: 'pendingParameters' },
      set: { stackOutputs: { 'S.$': 'States.JsonToString($.describe.Stack.Outputs)' } },
      remove: ['pendingParameters', 'statusReason'],
      resultPath: '$.record',
      next: 'LogUpgraded',
    }),
    logEvent(
      'LogUpgraded',
      {
        kind: 'upgraded',
        status: 'READY',
        message:
          "States.Format('Determined {} answers; the cluster was upgraded from {} and is ready. The pre-upgrade snapshot {} is kept.', $.versions.to, $.versions.from, $.snapshot)",
      },
      'UpgradedDeleteRequested',
    ),
    handOverPendingDelete('Upgraded', { recordPath: '$.record', done: 'Upgraded' }),
    {
      Upgraded: { Type: 'Pass', Parameters: { 'clusterId.$': '$.clusterId', status: 'READY' }, End: true },
    },
  );
}

/**
 * The pre-upgrade snapshot restored under the database's own name, security groups and class, and
 * in its subnet group when it has one of its own (`subnetGroup`: the path to its name).
 */
function restoreDatabase(name: string, options: { subnetGroup?: string }): States {
  return {
    [name]: {
      Type: 'Task',
      Resource: sdk('rds', 'restoreDBInstanceFromDBSnapshot'),
      Parameters: {
        'DBInstanceIdentifier.$': '$.parts.database',
        'DBSnapshotIdentifier.$': '$.snapshot',
        ...(options.subnetGroup ? { 'DBSubnetGroupName.$': options.subnetGroup } : {}),
        'VpcSecurityGroupIds.$': '$.migrated.securityGroups',
        'DBInstanceClass.$': '$.migrated.instanceClass',
        PubliclyAccessible: false,
        CopyTagsToSnapshot: true,
        'Tags.$': '$.describe.Stack.Tags',
      },
      ResultPath: null,
      Retry: [TRANSIENT_RETRY],
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'ExplainRollbackError' }],
      Next: 'RestoreClock',
    },
  };
}

/** 4. Back to the previous version, on the database as it was before the upgrade. */
function rollBack(): States {
  return merge(
    {
      KeepFailure: { Type: 'Pass', InputPath: '$.reason', ResultPath: '$.failure', Next: 'LogRollingBack' },
    },
    logEvent(
      'LogRollingBack',
      {
        kind: 'rollback',
        message:
          "States.Format('{} Rolling back to Determined {} on the database restored from the pre-upgrade snapshot {}.', $.failure.text, $.versions.from, $.snapshot)",
      },
      'DescribeMigrated',
    ),
    {
      DescribeMigrated: {
        Type: 'Task',
        Comment: 'The restored database gets the same network and class as the one it replaces',
        Resource: sdk('rds', 'describeDBInstances'),
        Parameters: { 'DBInstanceIdentifier.$': '$.parts.database' },
        ResultSelector: {
          // A list, empty for a database in the VPC's default subnet group (a simple cluster's: its
          // template names no group, and moto then describes none).
          'subnetGroup.$': '$.DBInstances[*].DBSubnetGroup.DBSubnetGroupName',
          'securityGroups.$': '$.DBInstances[0].VpcSecurityGroups[*].VpcSecurityGroupId',
          'instanceClass.$': '$.DBInstances[0].DBInstanceClass',
        },
        ResultPath: '$.migrated',
        Retry: [TRANSIENT_RETRY],
        Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'ExplainRollbackError' }],
        Next: 'SetAsideMigrated',
      },
      SetAsideMigrated: {
        Type: 'Task',
        Comment: 'Kept under another name: whatever the new version wrote is not lost',
        Resource: sdk('rds', 'modifyDBInstance'),
        Parameters: {
          'DBInstanceIdentifier.$': '$.parts.database',
          'NewDBInstanceIdentifier.$': SET_ASIDE,
          ApplyImmediately: true,
        },
        ResultPath: null,
        Retry: [TRANSIENT_RETRY],
        Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'ExplainRollbackError' }],
        Next: 'RenameClock',
      },
    },
    resetClock('RenameClock', 'NameInUse'),
    {
      NameInUse: {
        Type: 'Task',
        Comment: 'A filter, not the identifier: a name no longer in use is an empty list, not an error',
        Resource: sdk('rds', 'describeDBInstances'),
        Parameters: { Filters: [{ Name: 'db-instance-id', 'Values.$': 'States.Array($.parts.database)' }] },
        ResultSelector: { 'status.$': '$.DBInstances[*].DBInstanceStatus' },
        ResultPath: '$.db',
        Retry: [TRANSIENT_RETRY],
        Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'ExplainRollbackError' }],
        Next: 'NameFree',
      },
      NameFree: {
        Type: 'Choice',
        Choices: [{ Variable: '$.db.status[0]', IsPresent: true, Next: 'Renaming' }],
        Default: 'InSubnetGroup',
      },
      InSubnetGroup: {
        Type: 'Choice',
        Comment:
          'Without DBSubnetGroupName, RDS restores into the default subnet group, where the database was',
        Choices: [{ Variable: '$.migrated.subnetGroup[0]', IsPresent: true, Next: 'RestoreDatabaseInGroup' }],
        Default: 'RestoreDatabase',
      },
    },
    restoreDatabase('RestoreDatabaseInGroup', { subnetGroup: '$.migrated.subnetGroup[0]' }),
    restoreDatabase('RestoreDatabase', {}),
    pollRound('Renaming', { budget: BUDGET, next: 'NameInUse', onTimeout: 'ExplainRenameSlow' }),
    resetClock('RestoreClock', 'DescribeRestored'),
    {
      DescribeRestored: {
        Type: 'Task',
        Resource: sdk('rds', 'describeDBInstances'),
        Parameters: { Filters: [{ Name: 'db-instance-id', 'Values.$': 'States.Array($.parts.database)' }] },
        ResultSelector: { 'status.$': '$.DBInstances[*].DBInstanceStatus' },
        ResultPath: '$.db',
        Retry: [TRANSIENT_RETRY],
        Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'ExplainRollbackError' }],
        Next: 'RestoredState',
      },
      RestoredState: {
        Type: 'Choice',
        Choices: [{ Variable: '$.db.status[0]', StringEquals: 'available', Next: 'LogRestored' }],
        Default: 'Restoring',
      },
    },
    pollRound('Restoring', { budget: BUDGET, next: 'DescribeRestored', onTimeout: 'ExplainRestoreSlow' }),
    logEvent(
      'LogRestored',
      {
        kind: 'snapshot',
        message:
          "States.Format('The database {} was restored from the pre-upgrade snapshot {}; the one the failed upgrade left is kept as {}.', $.parts.database, $.snapshot, States.Format('{}-failed-upgrade', $.parts.database))",
      },
      'ForgetRevertBoot',
    ),
    forgetBoot('ForgetRevertBoot', { next: 'RevertStack', onError: 'ExplainRollbackError' }),
    updateStack('RevertStack', {
      parameters: '$.parameters.rollback',
      token: "States.Format('{}-r', $$.Execution.Name)",
      next: 'RevertStartClock',
      onError: 'RevertRejected',
    }),
    // A stack that CloudFormation rolled back already names the previous version: restart its master.
    routeOnCause('RevertRejected', {
      pattern: '*No updates are to be performed*',
      onMatch: 'RestartMaster',
      otherwise: 'ExplainRollbackError',
    }),
    {
      RestartMaster: {
        Type: 'Task',
        Resource: sdk('ec2', 'rebootInstances'),
        Parameters: { 'InstanceIds.$': 'States.Array($.parts.masterId)' },
        ResultPath: null,
        Retry: [TRANSIENT_RETRY],
        Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'ExplainRollbackError' }],
        Next: 'RevertedDescribe',
      },
    },
    waitForStack({
      prefix: 'Revert',
      budget: BUDGET,
      succeeded: ['UPDATE_COMPLETE'],
      inProgress: IN_PROGRESS,
      onSucceeded: 'OldMasterExpect',
      onFailed: 'ExplainRevertFailed',
      onTimeout: 'ExplainRevertFailed',
    }),
    {
      RevertedDescribe: {
        Type: 'Task',
        Resource: sdk('cloudformation', 'describeStacks'),
        Parameters: { 'StackName.$': '$.stack.id' },
        ResultSelector: { 'Stack.$': '$.Stacks[0]' },
        ResultPath: '$.describe',
        Retry: [TRANSIENT_RETRY],
        Next: 'OldMasterExpect',
      },
    },
    explain(
      'ExplainRevertFailed',
      'The stack did not go back to Determined {} (status {}).',
      '$.versions.from, $.describe.Stack.StackStatus',
      'RollbackFailed',
    ),
    awaitVersion('OldMaster', {
      version: '$.versions.from',
      answered: 'RecordRolledBack',
      failed: 'RollbackFailed',
      what: 'The previous Determined',
    }),
    explainError('ExplainRollbackError', 'AWS refused a step of the rollback', 'RollbackFailed'),
    explain(
      'ExplainRenameSlow',
      'The database {} was not renamed within {} seconds.',
      `$.parts.database, ${BUDGET}`,
      'RollbackFailed',
    ),
    explain(
      'ExplainRestoreSlow',
      'The database {} restored from the snapshot was not available within {} seconds.',
      `$.parts.database, ${BUDGET}`,
      'RollbackFailed',
    ),
    {
      RollbackFailed: {
        Type: 'Pass',
        Parameters: {
          'text.$':
            "States.Format('{} The rollback did not finish either: {} The pre-upgrade snapshot {} is kept; restore it by hand (docs/operations.md, Upgrades).', $.failure.text, $.reason.text, $.snapshot)",
        },
        ResultPath: '$.reason',
        Next: 'RecordUpgradeFailed',
      },
      ExplainRolledBack: {
        Type: 'Pass',
        Parameters: {
          'text.$':
            "States.Format('{} The cluster was rolled back: Determined {} serves again, on the database restored from the pre-upgrade snapshot {}; the database the failed upgrade left is kept as {}.', $.failure.text, $.versions.from, $.snapshot, States.Format('{}-failed-upgrade', $.parts.database))",
        },
        ResultPath: '$.reason',
        Next: 'RecordUpgradeFailed',
      },
    },
    recordStatus('RecordRolledBack', {
      from: 'UPDATING',
      set: { stackOutputs: { 'S.$': 'States.JsonToString($.describe.Stack.Outputs)' } },
      next: 'ExplainRolledBack',
    }),
  );
}

function workflowBody(): StateMachine {
  return {
    Comment:
      'Upgrade Determined in place: pause work, snapshot the database, new version, rollback onto the snapshot (statemachines/src/upgrade.ts)',
    StartAt: 'ReadCluster',
    States: merge(
      findParts({ next: 'RememberStackId', failed: 'RecordUpgradeFailed', verb: 'upgrade' }),
      {
        RememberStackId: {
          Type: 'Pass',
          InputPath: '$.stack.id',
          ResultPath: '$.stackId',
          Next: 'FindWork',
        },
      },
      pauseWork(),
      snapshotDatabase(),
      upgradeStack(),
      rollBack(),
      recordOperationFailure({
        operation: 'Upgrade',
        from: 'UPDATING',
        to: 'UPDATE_FAILED',
        remove: ['pendingParameters'],
        fail: {
          name: 'NotUpgraded',
          error: 'ClusterUpgradeFailed',
          cause: "The upgrade failed; the cluster's statusReason says why and which version serves.",
        },
      }),
      statusConflict(),
    ),
  };
}
