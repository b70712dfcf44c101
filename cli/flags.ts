/**
 * The command line of det-deploy: the seed's flags (and the contract's newer ones), each tied to a
 * field of the cluster request, and the parsing of argv into a command. Flags the user did not give
 * are not sent: the API owns the defaults, so the CLI never second-guesses them.
 */
import { parseArgs } from 'node:util';
import {
  CREATE_DEFAULTS,
  type CreateClusterRequest,
  type UpdateClusterRequest,
} from '../core/cluster/request.ts';
import { UsageError } from './errors.ts';

export type RequestField = keyof CreateClusterRequest;

export interface FieldFlag {
  /** The flag without its dashes, as det-deploy spells it. */
  flag: string;
  /** The value's placeholder in --help ('' for a switch). */
  metavar: string;
  field: RequestField;
  kind: 'string' | 'integer' | 'boolean' | 'tags' | 'instant';
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

export interface GlobalOptions {
  apiUrl: string;
  token: string;
  debug: boolean;
}

export type Command =
  | { name: 'help'; text: string }
  | {
      name: 'up';
      global: GlobalOptions;
      clusterId: string;
      fields: RequestFields;
      dryRun: boolean;
      yes: boolean;
    }
  | { name: 'down'; global: GlobalOptions; clusterId: string; yes: boolean; purge: boolean; region?: string }
  | { name: 'list'; global: GlobalOptions; json: boolean }
  | { name: 'status'; global: GlobalOptions; clusterId: string; json: boolean };

type OptionSpec = { type: 'string' | 'boolean'; multiple?: boolean; short?: string };

const GLOBAL_OPTIONS: Record<string, OptionSpec> = {
  'api-url': { type: 'string' },
  token: { type: 'string' },
  debug: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
};

const UP_OPTIONS: Record<string, OptionSpec> = {
  ...GLOBAL_OPTIONS,
  ...Object.fromEntries(
    FIELD_FLAGS.map((flag) => [
      flag.flag,
      flag.kind === 'boolean'
        ? { type: 'boolean' }
        : flag.kind === 'tags'
          ? { type: 'string', multiple: true }
          : { type: 'string' },
    ]),
  ),
  'no-spot': { type: 'boolean' },
  'dry-run': { type: 'boolean' },
  yes: { type: 'boolean' },
};

const COMMAND_OPTIONS: Record<string, Record<string, OptionSpec>> = {
  up: UP_OPTIONS,
  down: {
    ...GLOBAL_OPTIONS,
    'cluster-id': { type: 'string' },
    region: { type: 'string' },
    yes: { type: 'boolean' },
    // det-deploy's hidden alias of --yes.
    'no-prompt': { type: 'boolean' },
    purge: { type: 'boolean' },
  },
  list: { ...GLOBAL_OPTIONS, json: { type: 'boolean' } },
  status: { ...GLOBAL_OPTIONS, 'cluster-id': { type: 'string' }, json: { type: 'boolean' } },
};

const ALIASES: Record<string, string> = { ls: 'list' };

export const ENV_API_URL = 'DET_DEPLOY_API_URL';
export const ENV_TOKEN = 'DET_DEPLOY_TOKEN';

export function parseCommand(argv: readonly string[], env: Record<string, string | undefined>): Command {
  const [group, rawName, ...rest] = argv;
  if (group === undefined || group === '--help' || group === '-h' || group === 'help') {
    return { name: 'help', text: mainHelp() };
  }
  if (group !== 'aws') throw new UsageError(`unknown command "${group}"; the commands are under "aws"`);
  if (rawName === undefined || rawName === '--help' || rawName === '-h') {
    return { name: 'help', text: mainHelp() };
  }
  const name = ALIASES[rawName] ?? rawName;
  const options = COMMAND_OPTIONS[name];
  if (!options) throw new UsageError(`unknown command "aws ${rawName}"; use up, down, list or status`);

  let values: Record<string, unknown>;
  try {
    const parsed = parseArgs({ args: [...rest], options, strict: true, allowPositionals: false });
    values = parsed.values;
  } catch (error) {
    throw new UsageError(parseErrorMessage(error), name);
  }
  if (values.help) return { name: 'help', text: commandHelp(name) };

  const str = (key: string) => values[key] as string | undefined;
  const flag = (key: string) => values[key] === true;
  const global = (): GlobalOptions => globalOptions(str('api-url'), str('token'), flag('debug'), env, name);
  const requiredId = () => {
    const id = str('cluster-id');
    if (id === undefined || id === '') throw new UsageError('--cluster-id is required', name);
    return id;
  };

  switch (name) {
    case 'up': {
      const clusterId = requiredId();
      if (!str('keypair')) throw new UsageError('--keypair is required', name);
      if (flag('spot') && flag('no-spot'))
        throw new UsageError('--spot and --no-spot contradict each other', name);
      const fields = requestFields(values);
      if (flag('no-spot')) fields.spot = false;
      return { name, global: global(), clusterId, fields, dryRun: flag('dry-run'), yes: flag('yes') };
    }
    case 'down': {
      const region = str('region');
      return {
        name,
        global: global(),
        clusterId: requiredId(),
        yes: flag('yes') || flag('no-prompt'),
        purge: flag('purge'),
        ...(region ? { region } : {}),
      };
    }
    case 'list':
      return { name, global: global(), json: flag('json') };
    default:
      return { name: 'status', global: global(), clusterId: requiredId(), json: flag('json') };
  }
}

/** Only the flags given, converted to the request's JSON types; nothing is defaulted here. */
export function requestFields(values: Record<string, unknown>): RequestFields {
  const fields: Record<string, unknown> = {};
  for (const spec of FIELD_FLAGS) {
    const value = values[spec.flag];
    if (value === undefined || value === false) continue;
    fields[spec.field] = convert(spec as FieldFlag, value);
  }
  return fields as RequestFields;
}

function convert(spec: FieldFlag, value: unknown): unknown {
  switch (spec.kind) {
    case 'boolean':
      return true;
    case 'integer': {
      const text = String(value).trim();
      if (!/^-?\d+$/.test(text))
        throw new UsageError(`--${spec.flag} must be a whole number, not "${value}"`, 'up');
      return Number(text);
    }
    case 'tags':
      return parseTags(value as string[]);
    case 'instant':
      // "never" clears an expiry on update; a create simply has none.
      return value === 'never' || value === 'none' ? null : value;
    default:
      return value;
  }
}

function parseTags(pairs: string[]): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0 || at === pair.length - 1) {
      throw new UsageError(`--add-tag needs KEY=VALUE with both parts, not "${pair}"`, 'up');
    }
    tags[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return tags;
}

function globalOptions(
  apiUrl: string | undefined,
  token: string | undefined,
  debug: boolean,
  env: Record<string, string | undefined>,
  command: string,
): GlobalOptions {
  const url = apiUrl ?? env[ENV_API_URL];
  if (!url) throw new UsageError(`no API address: pass --api-url or set ${ENV_API_URL}`, command);
  if (!/^https?:\/\/[^/]+/.test(url))
    throw new UsageError(`--api-url must be an http(s) URL, not "${url}"`, command);
  const bearer = token ?? env[ENV_TOKEN];
  if (!bearer) throw new UsageError(`no token: pass --token or set ${ENV_TOKEN}`, command);
  return { apiUrl: url.replace(/\/+$/, ''), token: bearer, debug };
}

/** node:util's messages name the option; keep them, minus the advice about positionals. */
function parseErrorMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0]?.replace(/\. To specify a positional argument.*$/, '') ?? message;
}

/** The flag that sets a request field: `clusterId` -> `--cluster-id`, `tags.team` -> `--add-tag team=`. */
export function flagForField(field: string): string | undefined {
  const [head, ...rest] = field.split('.');
  const spec = FIELD_FLAGS.find((candidate) => candidate.field === head);
  if (!spec) return undefined;
  if (spec.kind === 'tags' && rest.length > 0) return `--${spec.flag} ${rest.join('.')}=`;
  return `--${spec.flag}`;
}

export function mainHelp(): string {
  return `det-deploy: Determined clusters on AWS through the team's control plane

Usage:
  det-deploy aws up --cluster-id ID --keypair KEY [flags]   create a cluster, or update it if it exists
  det-deploy aws down --cluster-id ID [--yes] [--purge]     tear a cluster down (data is kept unless --purge)
  det-deploy aws list                                       the team's clusters
  det-deploy aws status --cluster-id ID                     one cluster and its recent events

Every command:
  --api-url URL   control plane API (default: $${ENV_API_URL})
  --token TOKEN   bearer token (default: $${ENV_TOKEN})
  --debug                           show stack traces and HTTP details on errors
  -h, --help      help for a command, e.g. det-deploy aws up --help

Exit codes: 0 success, 1 failure (the cluster's status reason or the API's problem), 2 usage error.
`;
}

const HELP_COLUMN = 36;

function helpRow(left: string, text: string): string {
  const flag = `  ${left}`;
  return flag.length >= HELP_COLUMN - 1
    ? `${flag}\n${' '.repeat(HELP_COLUMN)}${text}`
    : `${flag.padEnd(HELP_COLUMN)}${text}`;
}

export function commandHelp(name: string): string {
  const common = `  --api-url URL                     control plane API (default: $${ENV_API_URL})
  --token TOKEN                     bearer token (default: $${ENV_TOKEN})
  --debug                           stack traces and HTTP details on errors
`;
  switch (name) {
    case 'up': {
      const rows = FIELD_FLAGS.map((spec) =>
        helpRow(`--${spec.flag}${spec.metavar ? ` ${spec.metavar}` : ''}`, `${spec.help} [${spec.default}]`),
      );
      return `Usage: det-deploy aws up --cluster-id ID --keypair KEY [flags]

Creates the cluster, or updates it in place when it exists. An update sends only the flags given
here; everything else keeps its current value. --keypair, --deployment-type, --region and
--db-password cannot change on an existing cluster.

Flags (default in brackets; the API applies it when the flag is omitted):
${rows.join('\n')}
${helpRow('--no-spot', 'turn spot instances off (on update)')}
${helpRow('--dry-run', 'print the stack parameters and template; create nothing')}
${helpRow('--yes', 'do not ask questions')}
${common}`;
    }
    case 'down':
      return `Usage: det-deploy aws down --cluster-id ID [--yes] [--purge]

Tears the cluster down and waits until it is deleted. The checkpoint bucket and a final database
snapshot are kept unless --purge.

  --cluster-id ID                   the cluster [required]
  --yes                             do not ask for confirmation (required when stdin is not a terminal)
  --purge                           also delete the checkpoint bucket and the database
  --region REGION                   refuse unless the cluster is in this region
${common}`;
    case 'list':
      return `Usage: det-deploy aws list [--json]

The clusters of your team, newest first.

  --json                            print the clusters as JSON
${common}`;
    default:
      return `Usage: det-deploy aws status --cluster-id ID [--json]

One cluster: status, master URL, parameters, outputs and its recent events.

  --cluster-id ID                   the cluster [required]
  --json                            print the cluster and events as JSON
${common}`;
  }
}
