/**
 * Delete: stop the master so it launches no more agents; terminate the agents it launched and cancel
 * its spot requests (they are not part of the stack and would block the deletion of its security
 * groups); delete the stack; record the retained checkpoint bucket and final DB snapshot. With purge,
 * empty and delete the bucket, delete the snapshots and schedule the cluster secret for deletion.
 * The stack is the one the create recorded on the cluster, addressed by id, and only if its
 * ownership tags are this cluster's: a cluster without a recorded stack has nothing to take down,
 * and no stack is ever deleted by name. Once DELETED, the cluster gives up its claim on the stack
 * name, so another team may use the id.
 */
import { clearAgents } from './agents.ts';
import {
  clusterKey,
  DDB_GET,
  DDB_UPDATE,
  merge,
  sdk,
  TABLE,
  TRANSIENT_RETRY,
  type States,
  type StateMachine,
} from './asl.ts';
import { guarded } from './guard.ts';
import { logEvent, recordStatus, releaseStackName, statusConflict } from './record.ts';
import { explainError, routeOnCause, findRootCause, resetPageCount } from './root-cause.ts';
import { checkOwnership, describeStack, explainNotOwned, waitForStack } from './stack.ts';

/** The master first: a stopped master launches no agents while the cluster is taken down. */
function stopAgents(): States {
  return merge(
    {
      StopMaster: {
        Type: 'Task',
        Comment: 'A stopped master launches no agents while the cluster is taken down',
        Resource: sdk('ec2', 'stopInstances'),
        Parameters: { 'InstanceIds.$': 'States.Array($.cleanup.masterId)' },
        ResultPath: null,
        Retry: [TRANSIENT_RETRY],
        Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: null, Next: 'FindAgents' }],
        Next: 'FindAgents',
      },
    },
    clearAgents({
      budget: '$.timing.budgetSeconds.delete',
      done: 'DeleteStack',
      stuck: 'RecordDeleteFailed',
    }),
  );
}

const output = (key: string) =>
  `States.ArrayGetItem($.describe.Stack.Outputs[?(@.OutputKey == '${key}')].OutputValue, 0)`;

/** The data the cluster leaves behind; each value is a literal or a path/intrinsic. */
function retained(values: { bucket: string; snapshot: string; secret: string }) {
  const dynamic = (value: string) => value.startsWith('$') || value.startsWith('States.');
  return Object.fromEntries(
    Object.entries(values).map(([name, value]) => (dynamic(value) ? [`${name}.$`, value] : [name, value])),
  );
}

/**
 * With purge: the bucket emptied and deleted, the snapshots deleted, the secret scheduled for deletion.
 * Each is forgotten only once it is gone: what could not be removed stays recorded as retained, so
 * no data outlives the cluster without the record saying where it is. The secret holds the database
 * password, so it stays while a snapshot does.
 */
function purge(): States {
  const keep = (changes: Partial<Record<'bucket' | 'snapshot' | 'secret', string>>) =>
    retained({
      bucket: '$.retained.bucket',
      snapshot: '$.retained.snapshot',
      secret: '$.retained.secret',
      ...changes,
    });
  return {
    PurgeRequested: {
      Type: 'Choice',
      Choices: [{ Variable: '$.purge', BooleanEquals: true, Next: 'PurgeBucket' }],
      Default: 'RecordDeleted',
    },
    PurgeBucket: {
      Type: 'Choice',
      Choices: [{ Variable: '$.retained.bucket', StringEquals: '', Next: 'PurgeSnapshots' }],
      Default: 'ListObjects',
    },
    ListObjects: {
      Type: 'Task',
      Resource: sdk('s3', 'listObjectsV2'),
      Parameters: { 'Bucket.$': '$.retained.bucket', MaxKeys: 1000 },
      ResultPath: '$.listing',
      Retry: [TRANSIENT_RETRY],
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: null, Next: 'PurgeSnapshots' }],
      Next: 'AnyObjects',
    },
    AnyObjects: {
      Type: 'Choice',
      Choices: [{ Variable: '$.listing.Contents[0]', IsPresent: true, Next: 'DeleteObjects' }],
      Default: 'DeleteBucket',
    },
    DeleteObjects: {
      Type: 'Map',
      ItemsPath: '$.listing.Contents',
      ItemSelector: { 'bucket.$': '$.retained.bucket', 'key.$': '$$.Map.Item.Value.Key' },
      MaxConcurrency: 20,
      ItemProcessor: {
        ProcessorConfig: { Mode: 'INLINE' },
        StartAt: 'DeleteObject',
        States: {
          DeleteObject: {
            Type: 'Task',
            Resource: sdk('s3', 'deleteObject'),
            Parameters: { 'Bucket.$': '$.bucket', 'Key.$': '$.key' },
            Retry: [TRANSIENT_RETRY],
            End: true,
          },
        },
      },
      ResultPath: null,
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: null, Next: 'PurgeSnapshots' }],
      Next: 'ListObjects',
    },
    DeleteBucket: {
      Type: 'Task',
      Resource: sdk('s3', 'deleteBucket'),
      Parameters: { 'Bucket.$': '$.retained.bucket' },
      ResultPath: null,
      Retry: [TRANSIENT_RETRY],
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: null, Next: 'PurgeSnapshots' }],
      Next: 'ForgetBucket',
    },
    ForgetBucket: {
      Type: 'Pass',
      Parameters: keep({ bucket: '' }),
      ResultPath: '$.retained',
      Next: 'PurgeSnapshots',
    },
    PurgeSnapshots: {
      Type: 'Choice',
      Choices: [{ Variable: '$.snapshots.ids[0]', IsPresent: true, Next: 'DeleteSnapshots' }],
      Default: 'PurgeSecret',
    },
    DeleteSnapshots: {
      Type: 'Map',
      ItemsPath: '$.snapshots.ids',
      MaxConcurrency: 5,
      ItemProcessor: {
        ProcessorConfig: { Mode: 'INLINE' },
        StartAt: 'DeleteSnapshot',
        States: {
          DeleteSnapshot: {
            Type: 'Task',
            Resource: sdk('rds', 'deleteDBSnapshot'),
            Parameters: { 'DBSnapshotIdentifier.$': '$' },
            Retry: [TRANSIENT_RETRY],
            End: true,
          },
        },
      },
      ResultPath: null,
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: null, Next: 'PurgeSecret' }],
      Next: 'ForgetSnapshot',
    },
    ForgetSnapshot: {
      Type: 'Pass',
      Parameters: keep({ snapshot: '' }),
      ResultPath: '$.retained',
      Next: 'PurgeSecret',
    },
    PurgeSecret: {
      Type: 'Choice',
      Choices: [{ Variable: '$.retained.snapshot', StringEquals: '', Next: 'DeleteSecret' }],
      Default: 'RecordDeleted',
    },
    DeleteSecret: {
      Type: 'Task',
      Resource: sdk('secretsmanager', 'deleteSecret'),
      Parameters: { 'SecretId.$': '$.retained.secret', RecoveryWindowInDays: 7 },
      ResultPath: null,
      Retry: [TRANSIENT_RETRY],
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: null, Next: 'RecordDeleted' }],
      Next: 'ForgetSecret',
    },
    ForgetSecret: {
      Type: 'Pass',
      Parameters: keep({ secret: '' }),
      ResultPath: '$.retained',
      Next: 'RecordDeleted',
    },
  };
}

export function deleteWorkflow(): StateMachine {
  return guarded(workflowBody(), {
    inProgress: 'DELETING',
    failed: 'DELETE_FAILED',
    recordedErrors: ['StackDeleteFailed'],
    claim: true,
  });
}

function workflowBody(): StateMachine {
  return {
    Comment: 'Tear down a Determined cluster, keeping its data unless purged (statemachines/src/delete.ts)',
    StartAt: 'ReadCluster',
    States: merge(
      {
        ReadCluster: {
          Type: 'Task',
          Resource: DDB_GET,
          Parameters: {
            TableName: TABLE,
            Key: clusterKey,
            ConsistentRead: true,
            ProjectionExpression: '#secretName, #stackId, #stackName',
            ExpressionAttributeNames: {
              '#secretName': 'secretName',
              '#stackId': 'stackId',
              '#stackName': 'stackName',
            },
          },
          ResultSelector: { 'item.$': '$.Item' },
          ResultPath: '$.cluster',
          Retry: [TRANSIENT_RETRY],
          Next: 'NothingFoundYet',
        },
        NothingFoundYet: {
          Type: 'Pass',
          Parameters: retained({ bucket: '', snapshot: '', secret: '$.cluster.item.secretName.S' }),
          ResultPath: '$.retained',
          Next: 'StartAgentClock',
        },
        StartAgentClock: {
          Type: 'Pass',
          Parameters: { 'seconds.$': '$.timing.pollSeconds', spent: 0 },
          ResultPath: '$.wait',
          Next: 'HasStack',
        },
        HasStack: {
          Type: 'Choice',
          Comment: 'A create that never got as far as a stack recorded none: nothing to take down',
          Choices: [{ Variable: '$.cluster.item.stackId.S', IsPresent: true, Next: 'FindStack' }],
          Default: 'PurgeRequested',
        },
        ...describeStack('FindStack', {
          stack: '$.cluster.item.stackId.S',
          resultPath: '$.describe',
          next: 'StackOwners',
          onError: { resultPath: '$.error', next: 'StackMissing' },
        }),
        RememberStackId: {
          Type: 'Pass',
          InputPath: '$.describe.Stack.StackId',
          ResultPath: '$.stackId',
          Next: 'RememberStackName',
        },
        RememberStackName: {
          Type: 'Pass',
          InputPath: '$.describe.Stack.StackName',
          ResultPath: '$.stackName',
          Next: 'HasOutputs',
        },
        HasOutputs: {
          Type: 'Choice',
          Comment:
            'A stack that never completed has no outputs: no master to stop, no bucket or database to keep',
          Choices: [{ Variable: '$.describe.Stack.Outputs', IsPresent: true, Next: 'ReadOutputs' }],
          Default: 'FindAgents',
        },
        ReadOutputs: {
          Type: 'Pass',
          Parameters: {
            'masterId.$': output('MasterId'),
            'database.$': output('DatabaseInstanceId'),
            'bucket.$': output('CheckpointBucket'),
          },
          ResultPath: '$.cleanup',
          Next: 'KeepBucket',
        },
        KeepBucket: {
          Type: 'Pass',
          Parameters: retained({ bucket: '$.cleanup.bucket', snapshot: '', secret: '$.retained.secret' }),
          ResultPath: '$.retained',
          Next: 'StopMaster',
        },
        DeleteStack: {
          Type: 'Task',
          Resource: sdk('cloudformation', 'deleteStack'),
          Parameters: { 'StackName.$': '$.stackId', 'ClientRequestToken.$': '$$.Execution.Name' },
          ResultPath: null,
          Retry: [TRANSIENT_RETRY],
          Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'ExplainRejection' }],
          Next: 'DeleteStartClock',
        },
        DeleteTimedOut: {
          Type: 'Pass',
          Parameters: {
            'text.$':
              "States.Format('The stack was not deleted within {} seconds (last status {}).', $.timing.budgetSeconds.delete, $.describe.Stack.StackStatus)",
          },
          ResultPath: '$.reason',
          Next: 'RecordDeleteFailed',
        },
        StackDeleted: {
          Type: 'Choice',
          Choices: [{ Variable: '$.cleanup.database', IsPresent: true, Next: 'FindFinalSnapshots' }],
          Default: 'PurgeRequested',
        },
        FindFinalSnapshots: {
          Type: 'Task',
          Comment: "The database's DeletionPolicy is Snapshot: CloudFormation took a final snapshot",
          Resource: sdk('rds', 'describeDBSnapshots'),
          Parameters: { 'DBInstanceIdentifier.$': '$.cleanup.database', SnapshotType: 'manual' },
          ResultSelector: { 'ids.$': '$.DBSnapshots[*].DBSnapshotIdentifier' },
          ResultPath: '$.snapshots',
          Retry: [TRANSIENT_RETRY],
          Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: null, Next: 'PurgeRequested' }],
          Next: 'AnySnapshot',
        },
        AnySnapshot: {
          Type: 'Choice',
          Choices: [{ Variable: '$.snapshots.ids[0]', IsPresent: true, Next: 'KeepSnapshot' }],
          Default: 'PurgeRequested',
        },
        KeepSnapshot: {
          Type: 'Pass',
          Parameters: retained({
            bucket: '$.retained.bucket',
            snapshot:
              'States.ArrayGetItem($.snapshots.ids, States.MathAdd(States.ArrayLength($.snapshots.ids), -1))',
            secret: '$.retained.secret',
          }),
          ResultPath: '$.retained',
          Next: 'PurgeRequested',
        },
        ReleaseQuota: {
          Type: 'Task',
          Resource: DDB_UPDATE,
          Parameters: {
            TableName: TABLE,
            Key: { pk: { 'S.$': "States.Format('TEAM#{}', $.team)" }, sk: { S: 'QUOTA' } },
            UpdateExpression: 'ADD active :minusOne',
            ExpressionAttributeValues: { ':minusOne': { N: '-1' } },
          },
          ResultPath: null,
          Retry: [TRANSIENT_RETRY],
          Next: 'ReleaseStackName',
        },
        Deleted: { Type: 'Pass', Parameters: { 'clusterId.$': '$.clusterId', status: 'DELETED' }, End: true },
        NotDeleted: {
          Type: 'Fail',
          Error: 'StackDeleteFailed',
          Cause: 'The cluster could not be deleted; its statusReason says why. Retry the delete.',
        },
      },
      checkOwnership('StackOwners', {
        describe: '$.describe',
        owned: 'RememberStackId',
        foreign: 'ExplainNotOwned',
      }),
      explainNotOwned('ExplainNotOwned', 'RecordDeleteFailed'),
      stopAgents(),
      waitForStack({
        prefix: 'Delete',
        budget: '$.timing.budgetSeconds.delete',
        succeeded: ['DELETE_COMPLETE'],
        // A stack still creating when the delete begins (a create that ran out of time) gets there too.
        inProgress: ['DELETE_IN_PROGRESS', 'CREATE_IN_PROGRESS', 'ROLLBACK_IN_PROGRESS'],
        onSucceeded: 'StackDeleted',
        onFailed: 'StartRootCause',
        onTimeout: 'DeleteTimedOut',
      }),
      // The recorded stack is gone (CloudFormation forgets deleted stacks after 90 days): nothing to take down.
      routeOnCause('StackMissing', {
        pattern: '*does not exist*',
        onMatch: 'PurgeRequested',
        otherwise: 'ExplainRejection',
      }),
      explainError('ExplainRejection', 'CloudFormation could not delete the stack', 'RecordDeleteFailed'),
      resetPageCount('StartRootCause', 'DeleteFirstEventsPage'),
      findRootCause({ prefix: 'Delete', next: 'RecordDeleteFailed' }),
      purge(),
      releaseStackName('ReleaseStackName', { stackName: '$.cluster.item.stackName.S', next: 'LogDeleted' }),
      recordStatus('RecordDeleted', {
        from: 'DELETING',
        to: 'DELETED',
        set: {
          retained: {
            M: {
              checkpointBucket: { 'S.$': '$.retained.bucket' },
              dbSnapshot: { 'S.$': '$.retained.snapshot' },
              secretName: { 'S.$': '$.retained.secret' },
            },
          },
          ttl: { 'N.$': '$.recordTtl' },
        },
        remove: ['deleteRequested'],
        next: 'ReleaseQuota',
      }),
      logEvent(
        'LogDeleted',
        {
          kind: 'deleted',
          status: 'DELETED',
          message:
            'States.Format(\'The stack is deleted; kept: bucket "{}", snapshot "{}".\', $.retained.bucket, $.retained.snapshot)',
        },
        'Deleted',
      ),
      recordStatus('RecordDeleteFailed', {
        from: 'DELETING',
        to: 'DELETE_FAILED',
        set: { statusReason: { 'S.$': '$.reason.text' } },
        next: 'LogDeleteFailed',
      }),
      logEvent(
        'LogDeleteFailed',
        { kind: 'failed', status: 'DELETE_FAILED', message: '$.reason.text' },
        'NotDeleted',
      ),
      statusConflict(),
    ),
  };
}
