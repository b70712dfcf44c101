/**
 * argv to a command, over the flag catalogue (flags.ts). Flags the user did not give are not sent:
 * the API owns the defaults, so the CLI never second-guesses them.
 */
import { parseArgs } from 'node:util';
import { DATA_RESOURCE_NAMES, type DataResource } from '../core/cluster/replacements.ts';
import { UsageError } from './errors.ts';
import {
  COMMAND_ALIASES,
  COMMAND_FLAGS,
  ENV_API_URL,
  ENV_TOKEN,
  FIELD_FLAGS,
  GLOBAL_FLAGS,
  type CommandName,
  type FieldFlag,
  type OptionFlag,
  type RequestFields,
} from './flags.ts';
import { commandHelp, mainHelp } from './help.ts';

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
      /** --allow-replacement: the data resources an update may replace (core/cluster/replacements.ts). */
      allowReplacement: DataResource[];
      dryRun: boolean;
      yes: boolean;
    }
  | { name: 'down'; global: GlobalOptions; clusterId: string; yes: boolean; purge: boolean; region?: string }
  | { name: 'list'; global: GlobalOptions; json: boolean }
  | { name: 'status'; global: GlobalOptions; clusterId: string; json: boolean }
  | { name: 'stop' | 'start'; global: GlobalOptions; clusterId: string };

type OptionSpec = { type: 'string' | 'boolean'; multiple?: boolean; short?: string };

const spec = ({ type, short }: OptionFlag): OptionSpec => ({ type, ...(short ? { short } : {}) });

const fieldSpec = ({ kind }: FieldFlag): OptionSpec =>
  kind === 'boolean'
    ? { type: 'boolean' }
    : kind === 'tags'
      ? { type: 'string', multiple: true }
      : { type: 'string' };

/** node:util's parseArgs options of a command: the global flags, its own and, for `up`, the fields. */
function optionsOf(name: CommandName): Record<string, OptionSpec> {
  return Object.fromEntries([
    ...GLOBAL_FLAGS.map((flag) => [flag.flag, spec(flag)]),
    ...(name === 'up' ? FIELD_FLAGS.map((flag) => [flag.flag, fieldSpec(flag)]) : []),
    ...COMMAND_FLAGS[name].map((flag) => [flag.flag, spec(flag)]),
  ]) as Record<string, OptionSpec>;
}

const isCommand = (name: string): name is CommandName => Object.hasOwn(COMMAND_FLAGS, name);

export function parseCommand(argv: readonly string[], env: Record<string, string | undefined>): Command {
  const [group, rawName, ...rest] = argv;
  if (group === undefined || group === '--help' || group === '-h' || group === 'help') {
    return { name: 'help', text: mainHelp() };
  }
  if (group !== 'aws') throw new UsageError(`unknown command "${group}"; the commands are under "aws"`);
  if (rawName === undefined || rawName === '--help' || rawName === '-h') {
    return { name: 'help', text: mainHelp() };
  }
  const name = COMMAND_ALIASES[rawName] ?? rawName;
  if (!isCommand(name))
    throw new UsageError(`unknown command "aws ${rawName}"; use up, down, list, status, stop or start`);

  let values: Record<string, unknown>;
  try {
    const parsed = parseArgs({
      args: [...rest],
      options: optionsOf(name),
      strict: true,
      allowPositionals: false,
    });
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
      return {
        name,
        global: global(),
        clusterId,
        fields,
        allowReplacement: allowReplacementOf(str('allow-replacement'), name),
        dryRun: flag('dry-run'),
        yes: flag('yes'),
      };
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
    case 'status':
      return { name, global: global(), clusterId: requiredId(), json: flag('json') };
    case 'stop':
    case 'start':
      return { name, global: global(), clusterId: requiredId() };
  }
}

/** Only the flags given, converted to the request's JSON types; nothing is defaulted here. */
/** `--allow-replacement database,checkpointBucket`: known names only, each once. */
function allowReplacementOf(value: string | undefined, command: CommandName): DataResource[] {
  if (value === undefined) return [];
  const names = [...new Set(value.split(',').map((name) => name.trim()))];
  const unknown = names.filter((name) => !(DATA_RESOURCE_NAMES as string[]).includes(name));
  if (unknown.length > 0 || names.length === 0)
    throw new UsageError(
      `--allow-replacement takes ${DATA_RESOURCE_NAMES.join(', ')} (comma-separated), not "${unknown.join(',') || value}"`,
      command,
    );
  return names as DataResource[];
}

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
    case 'schedule':
      return parseSchedule(String(value));
    default:
      return value;
  }
}

/** "TZ;autostop=CRON;autostart=CRON" (either part may be left out) to the request's schedule; "none" clears it. */
function parseSchedule(text: string): Record<string, string> | null {
  if (text === 'none' || text === 'never') return null;
  const [timezone = '', ...parts] = text.split(';').map((part) => part.trim());
  const schedule: Record<string, string> = { timezone };
  for (const part of parts) {
    const at = part.indexOf('=');
    const key = part.slice(0, at).trim();
    if (at <= 0 || (key !== 'autostop' && key !== 'autostart')) {
      throw new UsageError(
        `--schedule takes "TZ;autostop=CRON;autostart=CRON", not "${part}" (e.g. "UTC;autostop=0 19 * * 1-5")`,
        'up',
      );
    }
    schedule[key] = part.slice(at + 1).trim();
  }
  return schedule;
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
