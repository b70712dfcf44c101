/**
 * The cluster request: one field per det-deploy flag of the seed (contract, "Cluster request").
 * These schemas are the single source for validation, the TypeScript types and the OpenAPI document.
 */
import { DATA_RESOURCE_NAMES, type DataResource } from './replacements.ts';
import * as z from 'zod/mini';
import { cidrProblem, OPEN_TO_THE_WORLD } from './cidr.ts';
import { isKnownVersion, unknownVersionMessage } from './determined-versions.ts';
import { parseDuration } from './duration.ts';
import { AGENT_INSTANCE_TYPES, INSTANCE_TYPE_NAME } from './instance-types.ts';
import { SUPPORTED_REGIONS, unsupportedRegionMessage } from './regions.ts';
import { cronProblem, timezoneProblem } from './schedule.ts';
import { COST_TAG_BYTES } from './stack-parameters.ts';
import { CLUSTER_STATUSES } from './status.ts';
import { TEAM } from '../principal.ts';

export const DEPLOYMENT_TYPES = ['simple', 'vpc', 'efs', 'fsx', 'secure'] as const;
export type DeploymentType = (typeof DEPLOYMENT_TYPES)[number];

/** The Determined release the templates are written and tested for. */
export const PINNED_DETERMINED_VERSION = '0.38.1';

import { CLUSTER_ID, CLUSTER_ID_MAX, RESERVED_TAG_KEYS } from '../names/shared.ts';

export { CLUSTER_ID, RESERVED_TAG_KEYS };
/**
 * aws: is AWS's own; det- marks this cluster's agents; determined- is Determined's: its provisioner
 * tags every agent with determined-resource-pool and determined-master-address and finds its agents
 * by them (master/internal/rm/agentrm/provisioner/aws/aws.go), so a user tag there would collide.
 */
const RESERVED_TAG_PREFIXES = ['aws:', 'det-', 'determined-'];

/**
 * EC2's rule for key pair names (CreateKeyPair, ImportKeyPair: "up to 255 ASCII characters"), printable
 * only and without leading or trailing spaces, which EC2 trims. Any such name is carried as data
 * (a template parameter, then a base64 value the boot decodes), never as shell or YAML text.
 */
export const KEY_PAIR_NAME = /^[\x21-\x7e](?:[\x20-\x7e]{0,253}[\x21-\x7e])?$/;

const DURATION_LIMIT_SECONDS = 30 * 24 * 3600;

const clusterId = z
  .string()
  .check(
    z.minLength(1),
    z.maxLength(CLUSTER_ID_MAX),
    z.regex(CLUSTER_ID, { error: 'must start with a letter and contain only letters, digits and hyphens' }),
  );

const instanceType = z
  .string()
  .check(
    z.maxLength(32),
    z.regex(INSTANCE_TYPE_NAME, { error: 'must be an EC2 instance type name such as m5.large' }),
  );

const agentInstanceType = z.string().check(
  z.refine((value) => AGENT_INSTANCE_TYPES.includes(value), {
    error: `must be one of the supported agent instance types (${AGENT_INSTANCE_TYPES.slice(0, 4).join(', ')}, ...)`,
  }),
);

const inboundCidr = z.string().check(
  z.maxLength(18),
  z.superRefine((value, ctx) => {
    const problem = cidrProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem, input: value });
  }),
);

/**
 * The database password: what RDS accepts (8 to 128 printable ASCII characters, no "/", "@", '"', "'"
 * or space) narrowed to what survives Determined's connection URL unescaped: the master builds
 * `postgres://user:password@host:port/db` with the password as is (master/internal/db/setup.go, cnxTpl)
 * and Go's URL parser reads it as userinfo (net/url validUserinfo), so only letters, digits and
 * - . _ ~ ! $ & ( ) * + , ; = : are safe; # % ? [ ] ^ { | } < > \ and ` break the connection.
 */
export const DB_PASSWORD = /^[A-Za-z0-9\-._~!$&()*+,;=:]{8,128}$/;
const dbPassword = z.string().check(
  z.minLength(8),
  z.maxLength(128),
  z.regex(DB_PASSWORD, {
    error:
      'must be 8 to 128 letters, digits or - . _ ~ ! $ & ( ) * + , ; = : (characters safe in a database URL)',
  }),
);

/** Request fields that hold secrets: kept out of every record, log and fingerprint. */
export const SECRET_FIELDS = ['dbPassword'] as const;

const region = z.enum(SUPPORTED_REGIONS, {
  error: (issue) => unsupportedRegionMessage(String(issue.input)),
});

function durationSchema(minSeconds: number, maxSeconds: number) {
  return z.string().check(
    z.maxLength(24),
    z.refine(
      (value) => {
        const seconds = parseDuration(value);
        return seconds !== undefined && seconds >= minSeconds && seconds <= maxSeconds;
      },
      {
        error: `must be a duration such as 90s, 10m or 1h, between ${minSeconds}s and ${maxSeconds / 3600}h`,
      },
    ),
  );
}

const idleTimeout = z.union([z.literal('never'), durationSchema(1, DURATION_LIMIT_SECONDS)]);

const expiresAt = z.iso.datetime({
  offset: true,
  error: 'must be an ISO-8601 instant such as 2030-01-31T18:00:00Z',
});

const tags = z.record(
  z.string().check(
    z.minLength(1),
    z.maxLength(128),
    z.refine(
      (key) =>
        !RESERVED_TAG_KEYS.includes(key) && !RESERVED_TAG_PREFIXES.some((prefix) => key.startsWith(prefix)),
      { error: `is reserved (${RESERVED_TAG_KEYS.join(', ')}, aws:*, det-*, determined-*)` },
    ),
  ),
  z.string().check(z.maxLength(256)),
);

/**
 * The agents' tags reach the stack as one parameter (AgentTags), and a parameter holds 4,096 bytes;
 * the control plane's own cost-allocation tags (team, cluster-id) take up to COST_TAG_BYTES of them.
 */
const AGENT_TAGS_MAX_BYTES = 4096 - COST_TAG_BYTES;

const boundedTags = tags.check(
  z.refine((value) => Object.keys(value).length <= 20, { error: 'may hold at most 20 tags' }),
  z.refine(
    (value) =>
      new TextEncoder().encode(
        JSON.stringify(Object.entries(value).map(([key, text]) => ({ key, value: text }))),
      ).length <= AGENT_TAGS_MAX_BYTES,
    { error: `may hold at most ${AGENT_TAGS_MAX_BYTES} bytes of keys and values in all` },
  ),
);

const spotMaxPrice = z
  .string()
  .check(z.maxLength(16), z.regex(/^\d+(\.\d+)?$/, { error: 'must be a decimal number such as 0.75' }));

const integer = (min: number, max: number) => z.int().check(z.minimum(min), z.maximum(max));

const CRON_MAX = 100;
const cronExpression = z.string().check(z.maxLength(CRON_MAX));

/** `{timezone, autostart, autostop}`: five-field cron expressions in an IANA zone, at least one of them. */
const schedule = z
  .strictObject({
    timezone: z.string().check(z.minLength(1), z.maxLength(64)),
    autostart: z.optional(cronExpression),
    autostop: z.optional(cronExpression),
  })
  .check(
    z.superRefine((value, ctx) => {
      const zoneProblem = timezoneProblem(value.timezone);
      if (zoneProblem)
        ctx.addIssue({ code: 'custom', message: zoneProblem, path: ['timezone'], input: value });
      if (!value.autostart && !value.autostop) {
        ctx.addIssue({ code: 'custom', message: 'needs autostart, autostop or both', input: value });
      }
      if (zoneProblem) return;
      for (const field of ['autostart', 'autostop'] as const) {
        const expression = value[field];
        // A value over the length limit already has its error.
        if (expression === undefined || expression.length > CRON_MAX) continue;
        const problem = cronProblem(expression, value.timezone);
        if (problem) ctx.addIssue({ code: 'custom', message: problem, path: [field], input: value });
      }
    }),
  );

/** The fields PATCH may change: everything that updates in place without replacing data. */
const mutableFields = {
  masterInstanceType: z.optional(instanceType),
  cpuAgentInstanceType: z.optional(agentInstanceType),
  gpuAgentInstanceType: z.optional(agentInstanceType),
  inboundCidr: z.optional(inboundCidr),
  maxCpuContainersPerAgent: z.optional(integer(1, 1000)),
  maxIdleAgentPeriod: z.optional(durationSchema(1, 24 * 3600)),
  maxDynamicAgents: z.optional(integer(0, 1000)),
  spot: z.optional(z.boolean()),
  spotMaxPrice: z.optional(spotMaxPrice),
  determinedVersion: z.optional(
    z
      .string()
      .check(
        z.maxLength(32),
        z.regex(/^\d+\.\d+\.\d+$/, { error: 'must be a release version such as 0.38.1' }),
        z.refine(isKnownVersion, { error: unknownVersionMessage() }),
      ),
  ),
  idleTimeout: z.optional(idleTimeout),
  protected: z.optional(z.boolean()),
  tags: z.optional(boundedTags),
};

export const CREATE_DEFAULTS = {
  deploymentType: 'simple',
  masterInstanceType: 'm5.large',
  cpuAgentInstanceType: 't2.xlarge',
  gpuAgentInstanceType: 'p2.8xlarge',
  inboundCidr: OPEN_TO_THE_WORLD,
  maxCpuContainersPerAgent: 100,
  maxIdleAgentPeriod: '10m',
  maxDynamicAgents: 5,
  spot: false,
  determinedVersion: PINNED_DETERMINED_VERSION,
  protected: false,
} as const;

export const createClusterSchema = z
  .strictObject({
    clusterId,
    keypair: z.string().check(
      z.maxLength(255),
      z.regex(KEY_PAIR_NAME, {
        error:
          'must be an EC2 key pair name: 1 to 255 printable ASCII characters, no leading or trailing space',
      }),
    ),
    deploymentType: z.optional(z.enum(DEPLOYMENT_TYPES)),
    ...mutableFields,
    dbPassword: z.optional(dbPassword),
    region: z.optional(region),
    expiresAt: z.optional(expiresAt),
    schedule: z.optional(schedule),
    restoreFrom: z.optional(clusterId),
  })
  .check(z.superRefine((body, ctx) => spotPriceNeedsSpot(body.spot === true, body.spotMaxPrice, ctx)));

/**
 * The data resources an update may replace (core/cluster/replacements.ts): without a name here, an
 * update whose change set would replace or remove the database, the checkpoint bucket or a shared
 * file system is refused and nothing changes (docs/adr/0034-replacing-data-resources.md).
 */
const allowReplacement = z
  .array(z.enum(DATA_RESOURCE_NAMES as [DataResource, ...DataResource[]]))
  .check(z.maxLength(DATA_RESOURCE_NAMES.length));

export const updateClusterSchema = z
  .strictObject({
    ...mutableFields,
    expiresAt: z.optional(z.nullable(expiresAt)),
    schedule: z.optional(z.nullable(schedule)),
    allowReplacement: z.optional(allowReplacement),
  })
  .check(
    z.refine((body) => Object.keys(body).some((field) => field !== 'allowReplacement'), {
      error: 'must change at least one field',
    }),
    // The merged check (current spot setting plus this change) happens in core/cluster/update.ts.
    z.superRefine((body, ctx) => spotPriceNeedsSpot(body.spot !== false, body.spotMaxPrice, ctx)),
  );

export const keepaliveSchema = z.strictObject({ until: z.optional(expiresAt) });
/** Stop and start take no options: an empty JSON object, or no body at all. */
export const parkSchema = z.strictObject({});

export type CreateClusterRequest = z.infer<typeof createClusterSchema>;
export type UpdateClusterRequest = z.infer<typeof updateClusterSchema>;
export type KeepaliveRequest = z.infer<typeof keepaliveSchema>;

function spotPriceNeedsSpot(
  spot: boolean,
  spotMaxPrice: string | undefined,
  ctx: z.core.$RefinementCtx<unknown>,
): void {
  if (spotMaxPrice !== undefined && !spot) {
    ctx.addIssue({
      code: 'custom',
      path: ['spotMaxPrice'],
      message: 'is only allowed with "spot": true',
      input: spotMaxPrice,
    });
  }
}

const booleanFlag = z.enum(['true', 'false']);
const pageLimit = z
  .string()
  .check(z.regex(/^(100|[1-9]\d?)$/, { error: 'must be a whole number from 1 to 100' }));
const nextToken = z.string().check(z.maxLength(2048));
/** `?team=`: an admin names another team's cluster (ids are unique within a team only). */
const team = z.string().check(z.regex(TEAM, { error: 'must be a team name' }));

export const createQuerySchema = z.strictObject({ dryRun: z.optional(booleanFlag) });
/** PATCH: `?team=` as the other cluster routes, and `?dryRun=true` for what the update would change. */
export const updateQuerySchema = z.strictObject({ dryRun: z.optional(booleanFlag), team: z.optional(team) });
export const clusterQuerySchema = z.strictObject({ team: z.optional(team) });
export const deleteQuerySchema = z.strictObject({ purge: z.optional(booleanFlag), team: z.optional(team) });
export const listQuerySchema = z.strictObject({
  status: z.optional(z.enum(CLUSTER_STATUSES)),
  limit: z.optional(pageLimit),
  nextToken: z.optional(nextToken),
  team: z.optional(team),
});
export const eventsQuerySchema = z.strictObject({
  limit: z.optional(pageLimit),
  nextToken: z.optional(nextToken),
  team: z.optional(team),
});
