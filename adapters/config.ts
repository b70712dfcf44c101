/**
 * The control plane's configuration, parsed once from the environment. Lambda functions get these
 * variables from serverless.yml; the local runtime (local/start.ts) sets them to the emulator's names.
 */
import { STACK_PREFIX, STACK_PREFIX_MAX, type Operation } from '../core/cluster/naming.ts';
import { isSupportedRegion, unsupportedRegionMessage } from '../core/cluster/regions.ts';
import { policyConfigSchema, type PolicyConfig } from '../core/policy.ts';
import { DEFAULT_SCOPES, type ScopeNames } from '../core/principal.ts';
import { ConfigurationError, booleanFromEnv, jsonFromEnv, numberFromEnv, stringFromEnv } from './env.ts';

export interface Config {
  region: string;
  clustersTable: string;
  /** Each lifecycle workflow's state machine ARN. */
  stateMachines: Record<Operation, string>;
  eventBusName: string;
  /** Every cluster stack is named `<stackPrefix><clusterId>`; empty by default (core/cluster/naming.ts). */
  stackPrefix: string;
  policies: PolicyConfig;
  auth: { teamClaim: string; scopes: ScopeNames };
  /**
   * How long the gateway in front of the API waits for an answer: API Gateway's 29 s on AWS; the
   * local gateway's own limit locally (LOCAL_LAMBDA_TIMEOUT_SECONDS). Bounds each request's budget.
   */
  api: { gatewayLimitSeconds: number };
  /**
   * The control plane's own secret key (HMAC of idempotency fingerprints, encryption of page
   * tokens): a Secrets Manager secret on AWS, a value locally. Exactly one of the two is set.
   */
  apiKey: { secretId: string } | { value: string };
  workflow: {
    pollSeconds: number;
    maxPollSeconds: number;
    pollIncrementSeconds: number;
    /** Wait for CloudFormation's status-change events through a task token; polling stays the fallback. */
    fastPath: boolean;
    fallbackPollSeconds: number;
    timeoutMinutes: { create: number; update: number; delete: number; stop: number; start: number };
    /** How long an upgrade waits for running work to end before it gives up. */
    upgradeDrainMinutes: number;
  };
  retention: { deletedDays: number; idempotencyHours: number };
  reaper: { graceSeconds: number; dryRun: boolean; masterTimeoutMs: number };
  /** Webhooks and the audit trail (docs/notifications.md). */
  notifications: {
    /** The audit table; '' where a function does not use it. */
    auditTable: string;
    /** The webhook delivery queue (SQS FIFO); '' where a function does not use it. */
    queueUrl: string;
    /** The local runtime only: webhooks may be http:// to a loopback address. */
    allowLoopbackHttp: boolean;
    /** Multiplies the retry waits (1 on AWS). */
    retryScale: number;
    /** How long one delivery may take. */
    timeoutMs: number;
  };
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
  rds: 'RDS',
  sqs: 'SQS',
} as const;

export function loadConfig(env: Record<string, string | undefined>): Config {
  const parsedPolicies = policyConfigSchema.safeParse(jsonFromEnv(env, 'TEAM_POLICIES') ?? {});
  if (!parsedPolicies.success) {
    throw new ConfigurationError(
      `TEAM_POLICIES is not a valid policy document (docs/team-policy.md): ${parsedPolicies.error.issues
        .map((issue) => {
          const bounds = issue as { minimum?: unknown; maximum?: unknown };
          const limit =
            bounds.minimum !== undefined
              ? ` (at least ${String(bounds.minimum)})`
              : bounds.maximum !== undefined
                ? ` (at most ${String(bounds.maximum)})`
                : '';
          return `${issue.path.join('.') || '(document)'}: ${issue.message}${limit}`;
        })
        .join('; ')}`,
    );
  }
  return {
    region: regionFromEnv(env),
    clustersTable: stringFromEnv(env, 'CLUSTERS_TABLE'),
    stateMachines: {
      create: stringFromEnv(env, 'CREATE_STATE_MACHINE_ARN'),
      update: stringFromEnv(env, 'UPDATE_STATE_MACHINE_ARN'),
      delete: stringFromEnv(env, 'DELETE_STATE_MACHINE_ARN'),
      stop: stringFromEnv(env, 'STOP_STATE_MACHINE_ARN'),
      start: stringFromEnv(env, 'START_STATE_MACHINE_ARN'),
      upgrade: stringFromEnv(env, 'UPGRADE_STATE_MACHINE_ARN'),
    },
    eventBusName: stringFromEnv(env, 'EVENT_BUS_NAME', 'default'),
    stackPrefix: stackPrefixFromEnv(env),
    policies: parsedPolicies.data,
    auth: {
      teamClaim: stringFromEnv(env, 'AUTH_TEAM_CLAIM', 'team'),
      scopes: {
        read: stringFromEnv(env, 'AUTH_READ_SCOPE', DEFAULT_SCOPES.read),
        write: stringFromEnv(env, 'AUTH_WRITE_SCOPE', DEFAULT_SCOPES.write),
        admin: stringFromEnv(env, 'AUTH_ADMIN_SCOPE', DEFAULT_SCOPES.admin),
      },
    },
    api: { gatewayLimitSeconds: numberFromEnv(env, 'API_GATEWAY_LIMIT_SECONDS', 29, { min: 1, max: 900 }) },
    apiKey: apiKeyFromEnv(env),
    workflow: {
      pollSeconds: numberFromEnv(env, 'WORKFLOW_POLL_SECONDS', 10, { min: 1, max: 600 }),
      maxPollSeconds: numberFromEnv(env, 'WORKFLOW_MAX_POLL_SECONDS', 60, { min: 1, max: 3600 }),
      pollIncrementSeconds: numberFromEnv(env, 'WORKFLOW_POLL_INCREMENT_SECONDS', 5, { min: 0, max: 600 }),
      fastPath: booleanFromEnv(env, 'WORKFLOW_FAST_PATH', true),
      fallbackPollSeconds: numberFromEnv(env, 'WORKFLOW_FALLBACK_POLL_SECONDS', 600, { min: 10, max: 3600 }),
      timeoutMinutes: {
        create: numberFromEnv(env, 'CREATE_TIMEOUT_MINUTES', 60, { min: 1, max: 24 * 60 }),
        update: numberFromEnv(env, 'UPDATE_TIMEOUT_MINUTES', 60, { min: 1, max: 24 * 60 }),
        delete: numberFromEnv(env, 'DELETE_TIMEOUT_MINUTES', 60, { min: 1, max: 24 * 60 }),
        // An RDS instance takes minutes to stop or start; the master's boot answers within minutes.
        stop: numberFromEnv(env, 'STOP_TIMEOUT_MINUTES', 30, { min: 1, max: 24 * 60 }),
        start: numberFromEnv(env, 'START_TIMEOUT_MINUTES', 30, { min: 1, max: 24 * 60 }),
      },
      upgradeDrainMinutes: numberFromEnv(env, 'UPGRADE_DRAIN_MINUTES', 30),
    },
    retention: {
      deletedDays: numberFromEnv(env, 'DELETED_RETENTION_DAYS', 30, { min: 1, max: 3650 }),
      idempotencyHours: numberFromEnv(env, 'IDEMPOTENCY_TTL_HOURS', 24, { min: 1, max: 24 * 30 }),
    },
    reaper: {
      graceSeconds: numberFromEnv(env, 'TEARDOWN_GRACE_SECONDS', 3600, { min: 0, max: 7 * 86400 }),
      dryRun: booleanFromEnv(env, 'REAPER_DRY_RUN', false),
      masterTimeoutMs: numberFromEnv(env, 'MASTER_PROBE_TIMEOUT_MS', 3000, { min: 100, max: 30_000 }),
    },
    notifications: {
      auditTable: stringFromEnv(env, 'AUDIT_TABLE', ''),
      queueUrl: stringFromEnv(env, 'WEBHOOK_QUEUE_URL', ''),
      allowLoopbackHttp: booleanFromEnv(env, 'WEBHOOK_ALLOW_LOOPBACK_HTTP', false),
      retryScale: numberFromEnv(env, 'WEBHOOK_RETRY_SCALE', 1),
      timeoutMs: numberFromEnv(env, 'WEBHOOK_TIMEOUT_MS', 10_000),
    },
    endpoints: Object.fromEntries(
      Object.entries(ENDPOINT_SERVICE_IDS).flatMap(([service, id]) => {
        const url = env[`AWS_ENDPOINT_URL_${id}`] ?? env.AWS_ENDPOINT_URL;
        return url ? [[service, url]] : [];
      }),
    ),
  };
}

function stackPrefixFromEnv(env: Record<string, string | undefined>): string {
  const prefix = env.STACK_PREFIX?.trim() ?? '';
  if (!STACK_PREFIX.test(prefix) || prefix.length > STACK_PREFIX_MAX) {
    throw new ConfigurationError(
      `STACK_PREFIX must be empty, or a letter, then letters, digits and hyphens, ending in a hyphen, at most ${STACK_PREFIX_MAX} characters (e.g. "detcp-prod-"), got "${prefix}"`,
    );
  }
  return prefix;
}

/** At least 32 bytes of key material: a hex string of 64 or more digits when given as a value. */
function apiKeyFromEnv(env: Record<string, string | undefined>): Config['apiKey'] {
  const secretId = env.API_KEY_SECRET_ID?.trim();
  const value = env.API_KEY?.trim();
  if (secretId && value) throw new ConfigurationError('set API_KEY_SECRET_ID or API_KEY, not both');
  if (secretId) return { secretId };
  if (value && /^[0-9a-f]{64,}$/i.test(value)) return { value };
  throw new ConfigurationError(
    'API_KEY_SECRET_ID (a Secrets Manager secret) or API_KEY (64 or more hex digits) is required',
  );
}

let cached: Config | undefined;

/** The configuration of this process, read on first use. */
export function config(): Config {
  cached ??= loadConfig(process.env);
  return cached;
}

/** The control plane runs only where Determined publishes its images (core/cluster/regions.ts). */
function regionFromEnv(env: Record<string, string | undefined>): string {
  const region = stringFromEnv(env, 'AWS_REGION');
  if (!isSupportedRegion(region))
    throw new ConfigurationError(`AWS_REGION: ${unsupportedRegionMessage(region)}`);
  return region;
}
