/**
 * Runs the master's boot script under bash in a scratch folder, with stub commands on PATH that
 * record their calls and answer as the scenario says: docker (pull, run, inspect, logs, the AWS CLI
 * image), aws (Secrets Manager, SignalResource), curl (instance metadata, GET /info, the wait
 * condition handle), systemctl, apt-get, sleep. The script's two absolute folders (BOOT_ROOT and
 * the log's) are mapped into the scratch folder; everything else runs for real (bash, python3,
 * base64). What it shows: master.yaml is written from the data, the secret is read at boot, and
 * success is signalled only after Determined answers, failure with the reason on any error.
 */
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BOOT_LOG, BOOT_ROOT, HEALTH_CHECK } from '../../templates/src/master-boot.ts';

export interface BootScenario {
  /** The secret Secrets Manager returns, or 'unreadable' (AccessDenied). */
  secret: { dbPassword: string; adminPassword: string } | 'unreadable';
  pull?: 'ok' | 'fails';
  master?: 'runs' | 'exits';
  /** What GET /info answers: the requested version, another one, or nothing at all. */
  info?: 'answers' | 'wrong-version' | 'silent';
  /** Whether the image has the AWS CLI (else the boot runs it from its Docker image). */
  awsCli?: boolean;
  /** The version the stub master reports when it answers. */
  version: string;
}

export interface BootRun {
  status: number;
  /** One line per stub call: "<command> <args...>". */
  calls: string[];
  /** master.yaml as written, if it was. */
  masterYaml?: string;
  masterYamlMode?: number;
  /** SignalResource's --status, if sent. */
  resourceSignal?: string;
  /** The document sent to the wait condition handle, if any. */
  handleSignal?: { Status: string; Reason: string; UniqueId: string };
  log: string;
}

const STUB_INSTANCE_ID = 'i-0fedcba9876543210';

/** The stubs: each records its call, then answers from the scenario in SANDBOX_* variables. */
const STUBS: Record<string, string> = {
  aws: `record aws "$@"
case "$*" in
  *secretsmanager*get-secret-value*)
    if [ "$SANDBOX_SECRET" = unreadable ]; then echo "An error occurred (AccessDeniedException) when calling the GetSecretValue operation" >&2; exit 254; fi
    printf '%s\\n' "$SANDBOX_SECRET" ;;
  *cloudformation*signal-resource*)
    while [ $# -gt 0 ]; do if [ "$1" = --status ]; then printf '%s' "$2" >"$SANDBOX/resource-signal"; fi; shift; done ;;
esac`,
  docker: `record docker "$@"
case "$1" in
  pull) if [ "$SANDBOX_PULL" = fails ]; then echo "Error response from daemon: manifest unknown" >&2; exit 1; fi; echo pulled ;;
  run)
    case "$*" in
      *aws-cli*) while [ $# -gt 0 ]; do case "$1" in *aws-cli*) shift; break ;; esac; shift; done; exec "$SANDBOX/bin/aws-image" "$@" ;;
      *) echo 0123456789ab ;;
    esac ;;
  inspect) if [ "$SANDBOX_MASTER" = exits ]; then echo false; else echo true; fi ;;
  logs) echo "panic: cannot connect to the database" ;;
esac`,
  curl: `record curl "$@"
url=""; data=""
while [ $# -gt 0 ]; do
  case "$1" in
    --data-binary) data=\${2#@}; shift ;;
    http*) url=$1 ;;
  esac
  shift
done
case "$url" in
  *latest/api/token) echo token ;;
  *meta-data/instance-id) echo ${STUB_INSTANCE_ID} ;;
  *localhost:8080/info)
    case "$SANDBOX_INFO" in
      answers) printf '{"version":"%s","master_id":"m","cluster_id":"c"}' "$SANDBOX_VERSION" ;;
      wrong-version) printf '{"version":"0.0.1"}' ;;
      *) exit 7 ;;
    esac ;;
  https://*) if [ -n "$data" ]; then cp "$data" "$SANDBOX/handle-signal.json"; fi ;;
  *) exit 6 ;;
esac`,
  systemctl: 'record systemctl "$@"',
  'apt-get': 'record apt-get "$@"',
  sleep: 'record sleep "$@"',
};

function writeStub(bin: string, name: string, body: string): void {
  const file = join(bin, name);
  writeFileSync(file, `#!/bin/bash\nrecord() { printf '%s\\n' "$*" >>"$SANDBOX/calls"; }\n${body}\n`);
  chmodSync(file, 0o755);
}

export function runBoot(script: string, scenario: BootScenario): BootRun {
  const sandbox = mkdtempSync(join(tmpdir(), 'det-boot-'));
  try {
    const bin = join(sandbox, 'bin');
    mkdirSync(bin);
    mkdirSync(join(sandbox, 'log'));
    for (const [name, body] of Object.entries(STUBS)) {
      if (name === 'aws' && scenario.awsCli === false) continue;
      writeStub(bin, name, body);
    }
    // The AWS CLI's Docker image, which the boot runs when the image has no aws command.
    writeStub(bin, 'aws-image', STUBS.aws ?? '');
    // Folders into the sandbox; 3 polls of GET /info instead of 150 (sleep is a stub anyway).
    const mapped = script
      .replaceAll(BOOT_ROOT, join(sandbox, 'root'))
      .replaceAll(BOOT_LOG, join(sandbox, 'log', 'boot.log'))
      .replace(`$(seq 1 ${HEALTH_CHECK.attempts})`, '$(seq 1 3)');
    const file = join(sandbox, 'boot.sh');
    writeFileSync(file, mapped);
    const run = spawnSync('bash', [file], {
      encoding: 'utf8',
      timeout: 60_000,
      env: {
        PATH: `${bin}:/usr/local/bin:/usr/bin:/bin`,
        HOME: sandbox,
        SANDBOX: sandbox,
        SANDBOX_SECRET: scenario.secret === 'unreadable' ? 'unreadable' : JSON.stringify(scenario.secret),
        SANDBOX_PULL: scenario.pull ?? 'ok',
        SANDBOX_MASTER: scenario.master ?? 'runs',
        SANDBOX_INFO: scenario.info ?? 'answers',
        SANDBOX_VERSION: scenario.version,
      },
    });
    const read = (path: string) => (existsSync(path) ? readFileSync(path, 'utf8') : undefined);
    const yamlPath = join(sandbox, 'root', 'etc', 'master.yaml');
    const handle = read(join(sandbox, 'handle-signal.json'));
    const signal = read(join(sandbox, 'resource-signal'));
    const masterYaml = read(yamlPath);
    return {
      status: run.status ?? -1,
      calls: (read(join(sandbox, 'calls')) ?? '').split('\n').filter(Boolean),
      ...(masterYaml !== undefined ? { masterYaml, masterYamlMode: statSync(yamlPath).mode & 0o777 } : {}),
      ...(signal !== undefined ? { resourceSignal: signal } : {}),
      ...(handle !== undefined ? { handleSignal: JSON.parse(handle) } : {}),
      log: `${read(join(sandbox, 'log', 'boot.log')) ?? ''}${run.stdout}${run.stderr}`,
    };
  } finally {
    rmSync(sandbox, { recursive: true, force: true });
  }
}

export { STUB_INSTANCE_ID };
