/**
 * The flag catalogue of det-deploy: every flag of every command, what it sets and how --help
 * describes it. The seed's flags (and the contract's newer ones) are each tied to a field of the
 * cluster request; the parser (parse-command.ts) and the help (help.ts) are both read off this table.
 */
import { DATA_RESOURCE_NAMES } from '../core/cluster/replacements.ts';
import {
  CREATE_DEFAULTS,
  type CreateClusterRequest,
  type UpdateClusterRequest,
} from '../core/cluster/request.ts';

export type RequestField = keyof CreateClusterRequest;

export interface FieldFlag {
  /** The flag without its dashes, as det-deploy spells it. */
  flag: string;
  /** The value's placeholder in --help ('' for a switch). */
  metavar: string;
  field: RequestField;
  kind: 'string' | 'integer' | 'boolean' | 'tags' | 'instant' | 'schedule';
  /** What applies when the flag is omitted (shown in --help and docs/cli.md; the API applies it). */
  default: string;
  /** PATCH /clusters/{id} accepts the field, so `up` on an existing cluster can change it. */
  patchable: boolean;
  /** In the seed's "CLI Arguments" table (the rest are the contract's newer fields). */
  seed: boolean;
  help: string;
}

const d = CREATE_DEFAULTS;

export const FIELD_FLAGS = [
  {
    flag: 'cluster-id',
    metavar: 'ID',
    field: 'clusterId',
    kind: 'string',
    default: 'required',
    patchable: false,
    seed: true,
    help: 'unique id of the cluster; it becomes the CloudFormation stack name',
  },
  {
    flag: 'keypair',
    metavar: 'NAME',
    field: 'keypair',
    kind: 'string',
    default: 'required',
    patchable: false,
    seed: true,
    help: 'EC2 key pair for the master and the agents',
  },
  {
    flag: 'master-instance-type',
    metavar: 'TYPE',
    field: 'masterInstanceType',
    kind: 'string',
    default: d.masterInstanceType,
    patchable: true,
    seed: true,
    help: 'instance type of the master',
  },
  {
    flag: 'cpu-agent-instance-type',
    metavar: 'TYPE',
    field: 'cpuAgentInstanceType',
    kind: 'string',
    default: d.cpuAgentInstanceType,
    patchable: true,
    seed: true,
    help: 'instance type of the agents in the CPU resource pool',
  },
  {
    flag: 'gpu-agent-instance-type',
    metavar: 'TYPE',
    field: 'gpuAgentInstanceType',
    kind: 'string',
    default: d.gpuAgentInstanceType,
    patchable: true,
    seed: true,
    help: 'instance type of the agents in the GPU resource pool',
  },
  {
    flag: 'deployment-type',
    metavar: 'TYPE',
    field: 'deploymentType',
    kind: 'string',
    default: d.deploymentType,
    patchable: false,
    seed: true,
    help: 'simple, vpc, efs, fsx or secure',
  },
  {
    flag: 'inbound-cidr',
    metavar: 'CIDR',
    field: 'inboundCidr',
    kind: 'string',
    default: d.inboundCidr,
    patchable: true,
    seed: true,
    help: 'CIDR range allowed to reach the master (team policy may forbid 0.0.0.0/0)',
  },
  {
    flag: 'db-password',
    metavar: 'PASSWORD',
    field: 'dbPassword',
    kind: 'string',
    default: 'generated',
    patchable: false,
    seed: true,
    help: 'password of the database user (a strong one is generated when omitted)',
  },
  {
    flag: 'region',
    metavar: 'REGION',
    field: 'region',
    kind: 'string',
    default: "the control plane's region",
    patchable: false,
    seed: true,
    help: 'AWS region to deploy into',
  },
  {
    flag: 'max-cpu-containers-per-agent',
    metavar: 'N',
    field: 'maxCpuContainersPerAgent',
    kind: 'integer',
    default: String(d.maxCpuContainersPerAgent),
    patchable: true,
    seed: true,
    help: 'maximum CPU containers on an agent of the CPU pool',
  },
  {
    flag: 'max-idle-agent-period',
    metavar: 'DURATION',
    field: 'maxIdleAgentPeriod',
    kind: 'string',
    default: d.maxIdleAgentPeriod,
    patchable: true,
    seed: true,
    help: 'how long an idle dynamic agent lives (e.g. 90s, 10m, 1h)',
  },
  {
    flag: 'max-dynamic-agents',
    metavar: 'N',
    field: 'maxDynamicAgents',
    kind: 'integer',
    default: String(d.maxDynamicAgents),
    patchable: true,
    seed: true,
    help: 'maximum number of dynamic agent instances at one time',
  },
  {
    flag: 'spot',
    metavar: '',
    field: 'spot',
    kind: 'boolean',
    default: String(d.spot),
    patchable: true,
    seed: true,
    help: 'use spot instances for the agents (--no-spot turns it off on update)',
  },
  {
    flag: 'spot-max-price',
    metavar: 'PRICE',
    field: 'spotMaxPrice',
    kind: 'string',
    default: 'on-demand price',
    patchable: true,
    seed: true,
    help: 'maximum spot price (a decimal such as 0.75); only with --spot',
  },
  {
    flag: 'det-version',
    metavar: 'VERSION',
    field: 'determinedVersion',
    kind: 'string',
    default: d.determinedVersion,
    patchable: true,
    seed: false,
    help: 'Determined release of the master and agents',
  },
  {
    flag: 'idle-timeout',
    metavar: 'DURATION',
    field: 'idleTimeout',
    kind: 'string',
    default: 'team default',
    patchable: true,
    seed: false,
    help: 'tear the cluster down after this long idle (e.g. 45m, 4h) or "never"',
  },
  {
    flag: 'expires-at',
    metavar: 'INSTANT',
    field: 'expiresAt',
    kind: 'instant',
    default: 'none',
    patchable: true,
    seed: false,
    help: 'ISO-8601 instant after which the cluster is torn down ("never" clears it on update)',
  },
  {
    flag: 'add-tag',
    metavar: 'KEY=VALUE',
    field: 'tags',
    kind: 'tags',
    default: 'none',
    patchable: true,
    seed: false,
    help: 'a tag for the stack and its resources; repeatable (on update, replaces the tags)',
  },
  {
    flag: 'schedule',
    metavar: 'TZ;autostop=CRON;autostart=CRON',
    field: 'schedule',
    kind: 'schedule',
    default: 'none',
    patchable: true,
    seed: false,
    help: 'stop and start at these times, e.g. "Europe/Berlin;autostop=0 19 * * 1-5;autostart=0 8 * * 1-5" ("none" clears it on update)',
  },
  {
    flag: 'restore-from',
    metavar: 'ID',
    field: 'restoreFrom',
    kind: 'string',
    default: 'none',
    patchable: false,
    seed: false,
    help: 'id of a torn-down cluster whose checkpoint bucket and database snapshot to reuse',
  },
] as const satisfies readonly FieldFlag[];

// The compiler keeps this table honest: a patchable flag must name a field PATCH accepts, and every
// request field but `protected` (an API-only switch) must have a flag.
type Patchable = Extract<(typeof FIELD_FLAGS)[number], { patchable: true }>['field'];
const patchableFieldsExist: Exclude<Patchable, keyof UpdateClusterRequest> extends never ? true : false =
  true;
void patchableFieldsExist;
type Flagged = (typeof FIELD_FLAGS)[number]['field'];
const everyFieldHasAFlag: Exclude<RequestField, Flagged | 'protected'> extends never ? true : false = true;
void everyFieldHasAFlag;

/** The request fields the user gave, with JSON types (numbers as numbers, --spot as a boolean). */
export type RequestFields = { [K in RequestField]?: CreateClusterRequest[K] | null };

export const ENV_API_URL = 'DET_DEPLOY_API_URL';
export const ENV_TOKEN = 'DET_DEPLOY_TOKEN';

/** A flag that is not a request field. */
export interface OptionFlag {
  flag: string;
  type: 'string' | 'boolean';
  /** The value's placeholder in --help (none for a switch). */
  metavar?: string;
  short?: string;
  /** Its line in --help; a flag without one is accepted but not shown. */
  help?: string;
  /** The PATCH field it sets, if any (so that the API's errors about that field name the flag). */
  field?: keyof UpdateClusterRequest;
}

/** Flags every command takes. */
export const GLOBAL_FLAGS: readonly OptionFlag[] = [
  { flag: 'api-url', type: 'string', metavar: 'URL', help: `control plane API (default: $${ENV_API_URL})` },
  { flag: 'token', type: 'string', metavar: 'TOKEN', help: `bearer token (default: $${ENV_TOKEN})` },
  { flag: 'debug', type: 'boolean', help: 'stack traces and HTTP details on errors' },
  { flag: 'help', type: 'boolean', short: 'h' },
];

const CLUSTER_ID: OptionFlag = {
  flag: 'cluster-id',
  type: 'string',
  metavar: 'ID',
  help: 'the cluster [required]',
};

export type CommandName = 'up' | 'down' | 'list' | 'status' | 'stop' | 'start';

/** Each command's own flags besides the global ones (`up` also takes every FIELD_FLAGS entry). */
export const COMMAND_FLAGS: Record<CommandName, readonly OptionFlag[]> = {
  up: [
    { flag: 'no-spot', type: 'boolean', help: 'turn spot instances off (on update)' },
    {
      flag: 'dry-run',
      type: 'boolean',
      help: 'create: print the stack parameters and template; existing cluster: what the update would change',
    },
    {
      flag: 'allow-replacement',
      type: 'string',
      metavar: 'NAMES',
      field: 'allowReplacement',
      help: `on update, let it replace these (comma-separated: ${DATA_RESOURCE_NAMES.join(', ')})`,
    },
    { flag: 'yes', type: 'boolean', help: 'do not ask questions' },
  ],
  down: [
    CLUSTER_ID,
    {
      flag: 'yes',
      type: 'boolean',
      help: 'do not ask for confirmation (required when stdin is not a terminal)',
    },
    { flag: 'purge', type: 'boolean', help: 'also delete the checkpoint bucket and the database' },
    {
      flag: 'region',
      type: 'string',
      metavar: 'REGION',
      help: 'refuse unless the cluster is in this region',
    },
    // det-deploy's hidden alias of --yes.
    { flag: 'no-prompt', type: 'boolean' },
  ],
  list: [{ flag: 'json', type: 'boolean', help: 'print the clusters as JSON' }],
  status: [CLUSTER_ID, { flag: 'json', type: 'boolean', help: 'print the cluster and events as JSON' }],
  stop: [CLUSTER_ID],
  start: [CLUSTER_ID],
};

/** `det-deploy aws ls` is `list`. */
export const COMMAND_ALIASES: Record<string, CommandName> = { ls: 'list' };

/** The flag that sets a request field: `clusterId` -> `--cluster-id`, `tags.team` -> `--add-tag team=`. */
export function flagForField(field: string): string | undefined {
  const [head, ...rest] = field.split('.');
  const spec = FIELD_FLAGS.find((candidate) => candidate.field === head);
  if (!spec) {
    const option = COMMAND_FLAGS.up.find(
      (candidate) => candidate.field !== undefined && candidate.field === head,
    );
    return option ? `--${option.flag}` : undefined;
  }
  if (spec.kind === 'tags' && rest.length > 0) return `--${spec.flag} ${rest.join('.')}=`;
  return `--${spec.flag}`;
}
