/**
 * Execution inputs of the lifecycle workflows (statemachines/). Kept here, typed, so the API, the
 * reaper and the workflow tests build them the same way.
 */
import type { CfnParameter } from '../cluster/stack-parameters.ts';

export interface WorkflowTiming {
  /** First polling interval; each poll waits `pollIncrementSeconds` longer, up to `maxPollSeconds`. */
  pollSeconds: number;
  pollIncrementSeconds: number;
  maxPollSeconds: number;
  /** Wait for CloudFormation's status-change event (task token); poll every `fallbackPollSeconds` meanwhile. */
  fastPath: boolean;
  fallbackPollSeconds: number;
  /** Seconds an operation may take before the workflow gives up with *_FAILED. */
  budgetSeconds: { create: number; update: number; delete: number; stop: number; start: number };
}

/** Every workflow finds its cluster record by team and id (the table's key). */
export interface CreateInput {
  team: string;
  clusterId: string;
  /** The first step checks that the key pair exists and is not another team's. */
  keypair: string;
  /** A failed earlier incarnation's stack, which this create may remove if it still holds the name. */
  previousStackId?: string;
  stack: {
    name: string;
    /** The workflow stores it in the templates bucket (a record of what was deployed) and creates from there. */
    template: object;
    parameters: CfnParameter[];
    tags: { Key: string; Value: string }[];
  };
  timing: WorkflowTiming;
}

export interface UpdateInput {
  team: string;
  clusterId: string;
  /** The stack is addressed by the id recorded on the cluster, never by name. */
  stack: { id: string; parameters: CfnParameter[] };
  timing: WorkflowTiming;
}

/**
 * An in-place upgrade of Determined (statemachines/src/upgrade.ts): `parameters.upgrade` change the
 * version (and the agents' image) and keep every other value; `parameters.rollback` put the previous
 * version back when the new master does not answer.
 */
export interface UpgradeInput {
  team: string;
  clusterId: string;
  /** UpdateStack's parameters: to the new version, and back to the previous one. The stack is the record's. */
  parameters: { upgrade: CfnParameter[]; rollback: CfnParameter[] };
  versions: { from: string; to: string };
  /** The identifier of the database snapshot the upgrade takes first. */
  snapshot: string;
  /** How long the upgrade waits for the agents to finish their work before it gives up. */
  drainSeconds: number;
  timing: WorkflowTiming;
}

export interface DeleteInput {
  team: string;
  clusterId: string;
  purge: boolean;
  /** When the DELETED record may expire, epoch seconds as a DynamoDB number string. */
  recordTtl: string;
  timing: WorkflowTiming;
}

/** Stop and start find the stack, its master and database through the record's stackId. */
export interface StopInput {
  team: string;
  clusterId: string;
  timing: WorkflowTiming;
}

export interface StartInput {
  team: string;
  clusterId: string;
  timing: WorkflowTiming;
}

export function timingFrom(settings: {
  pollSeconds: number;
  pollIncrementSeconds: number;
  maxPollSeconds: number;
  fastPath: boolean;
  fallbackPollSeconds: number;
  timeoutMinutes: { create: number; update: number; delete: number; stop: number; start: number };
}): WorkflowTiming {
  const { timeoutMinutes, ...rest } = settings;
  return {
    ...rest,
    budgetSeconds: {
      create: timeoutMinutes.create * 60,
      update: timeoutMinutes.update * 60,
      delete: timeoutMinutes.delete * 60,
      stop: timeoutMinutes.stop * 60,
      start: timeoutMinutes.start * 60,
    },
  };
}
