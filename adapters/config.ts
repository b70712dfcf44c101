/**
 * The control plane's configuration, parsed once from the environment. Lambda functions get these
 * variables from serverless.yml; the local runtime (local/start.ts) sets them to the emulator's names.
 */
import { policyConfigSchema, type PolicyConfig } from '../core/policy.ts';
import { ConfigurationError, booleanFromEnv, jsonFromEnv, numberFromEnv, stringFromEnv } from './env.ts';

export interface Config {
  region: string;
  clustersTable: string;
  stateMachines: { create: string; update: string; delete: string };
  eventBusName: string;
  policies: PolicyConfig;
  auth: { teamClaim: string; adminScope: string };
  workflow: {
    pollSeconds: number;
    maxPollSeconds: number;
    pollIncrementSeconds: number;
    /** Wait for CloudFormation's status-change events through a task token; polling stays the fallback. */
    fastPath: boolean;
    fallbackPollSeconds: number;
    timeoutMinutes: { create: number; update: number; delete: number };
  };
  retention: { deletedDays: number; idempotencyHours: number };
  reaper: { graceSeconds: number; dryRun: boolean; masterTimeoutMs: number };
  /** Endpoint overrides: AWS_ENDPOINT_URL_<SERVICE>, else AWS_ENDPOINT_URL, as the SDK reads them. */
  endpoints: Partial<Record<keyof typeof ENDPOINT_SERVICE_IDS, string>>;
}

/** The SDK's service ids, as they appear in AWS_ENDPOINT_URL_<ID>. */
const ENDPOINT_SERVICE_IDS = {
  dynamodb: 'DYNAMODB',
  sfn: 'SFN',
  secretsManager: 'SECRETS_MANAGER',
  eventBridge: 'EVENTBRIDGE',
  cloudFormation: 'CLOUDFORMATION',
  ec2: 'EC2',
} as const;

export function loadConfig(env: Record<string, string | undefined>): Config {
  const parsedPolicies = policyConfigSchema.safeParse(jsonFromEnv(env, 'TEAM_POLICIES') ?? {});
  if (!parsedPolicies.success) {
    throw new ConfigurationError(
      `TEAM_POLICIES is not a valid policy document: ${parsedPolicies.error.message}`,
    );
  }
  return {
    region: stringFromEnv(env, 'AWS_REGION'),
    clustersTable: stringFromEnv(env, 'CLUSTERS_TABLE'),
    stateMachines: {
      create: stringFromEnv(env, 'CREATE_STATE_MACHINE_ARN'),
      update: stringFromEnv(env, 'UPDATE_STATE_MACHINE_ARN'),
      delete: stringFromEnv(env, 'DELETE_STATE_MACHINE_ARN'),
    },
    eventBusName: stringFromEnv(env, 'EVENT_BUS_NAME', 'default'),
    policies: parsedPolicies.data,
    auth: {
      teamClaim: stringFromEnv(env, 'AUTH_TEAM_CLAIM', 'team'),
      adminScope: stringFromEnv(env, 'AUTH_ADMIN_SCOPE', 'clusters:admin'),
    },
    workflow: {
      pollSeconds: numberFromEnv(env, 'WORKFLOW_POLL_SECONDS', 10),
      maxPollSeconds: numberFromEnv(env, 'WORKFLOW_MAX_POLL_SECONDS', 60),
      pollIncrementSeconds: numberFromEnv(env, 'WORKFLOW_POLL_INCREMENT_SECONDS', 5),
      fastPath: booleanFromEnv(env, 'WORKFLOW_FAST_PATH', true),
      fallbackPollSeconds: numberFromEnv(env, 'WORKFLOW_FALLBACK_POLL_SECONDS', 600),
      timeoutMinutes: {
        create: numberFromEnv(env, 'CREATE_TIMEOUT_MINUTES', 60),
        update: numberFromEnv(env, 'UPDATE_TIMEOUT_MINUTES', 60),
        delete: numberFromEnv(env, 'DELETE_TIMEOUT_MINUTES', 60),
      },
    },
    retention: {
      deletedDays: numberFromEnv(env, 'DELETED_RETENTION_DAYS', 30),
      idempotencyHours: numberFromEnv(env, 'IDEMPOTENCY_TTL_HOURS', 24),
    },
    reaper: {
      graceSeconds: numberFromEnv(env, 'TEARDOWN_GRACE_SECONDS', 3600),
      dryRun: booleanFromEnv(env, 'REAPER_DRY_RUN', false),
      masterTimeoutMs: numberFromEnv(env, 'MASTER_PROBE_TIMEOUT_MS', 3000),
    },
    endpoints: Object.fromEntries(
      Object.entries(ENDPOINT_SERVICE_IDS).flatMap(([service, id]) => {
        const url = env[`AWS_ENDPOINT_URL_${id}`] ?? env.AWS_ENDPOINT_URL;
        return url ? [[service, url]] : [];
      }),
    ),
  };
}

let cached: Config | undefined;

/** The configuration of this process, read on first use. */
export function config(): Config {
  cached ??= loadConfig(process.env);
  return cached;
}
