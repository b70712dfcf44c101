/**
 * Writes to the cluster record and its timeline shared by the lifecycle workflows: conditional
 * status changes (only the execution that owns the record writes it), timeline entries, the
 * release of the stack-name claim, the hand-over to a pending delete, and a failed operation's end.
 * Every path is written in the JSONPath forms that behave the same in Step Functions and the emulator.
 */
import { reapShardOf } from '../../core/names/shared.ts';
import { STACK_NAME_CLAIM } from '../../core/cluster/naming.ts';
import {
  CLUSTER_PK,
  clusterKey,
  DDB_DELETE,
  DDB_PUT,
  DDB_UPDATE,
  DELETE_MACHINE,
  merge,
  RECORD_RETRY,
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
    Retry: [NO_RETRY_ON_CONDITION, RECORD_RETRY],
    Catch: [{ ErrorEquals: CONDITION_FAILED, Next: write.onConflict ?? STATUS_CONFLICT }],
    Next: write.next,
  };
  return { [name]: state };
}

export const NOT_CLAIMED = 'NotClaimed';

/**
 * The first step of a workflow a request starts (core/operations/start-workflow.ts): mark the record
 * as taken by this execution, conditional on it still being in `from` and naming this execution. If
 * the request released the record meanwhile (StartExecution's answer was lost and it could not tell
 * whether the execution started), or a newer request owns it, the workflow ends at once, having
 * touched nothing; otherwise the request's release no longer applies (docs/adr/0033-claimed-workflows.md).
 * The claim bumps no version and changes nothing a reader sees; repeating it is harmless.
 */
export function claimRecord(name: string, options: { from: string; next: string }): States {
  return {
    [name]: {
      Type: 'Task',
      Resource: DDB_UPDATE,
      Parameters: {
        TableName: TABLE,
        Key: clusterKey,
        UpdateExpression: 'SET #claimedBy = :me',
        ConditionExpression: '#status = :from AND #execution = :me',
        ExpressionAttributeNames: {
          '#claimedBy': 'claimedBy',
          '#status': 'status',
          '#execution': 'execution',
        },
        ExpressionAttributeValues: { ':from': { S: options.from }, ':me': { 'S.$': '$$.Execution.Name' } },
      },
      ResultPath: null,
      Retry: [NO_RETRY_ON_CONDITION, RECORD_RETRY],
      Catch: [{ ErrorEquals: CONDITION_FAILED, ResultPath: null, Next: NOT_CLAIMED }],
      Next: options.next,
    },
    [NOT_CLAIMED]: {
      Type: 'Pass',
      Parameters: { 'clusterId.$': '$.clusterId', claimed: false },
      End: true,
      Comment:
        "The record is not this execution's (its request released it, or another operation owns it): nothing was touched",
    },
  };
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
      Retry: [NO_RETRY_ON_CONDITION, RECORD_RETRY],
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
  operation: 'Create' | 'Update' | 'Upgrade' | 'Stop' | 'Start';
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
