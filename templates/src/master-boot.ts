/**
 * The master's boot: the user data of the master instance. On every boot it installs Docker when
 * missing, reads the cluster's secret with the instance role, writes master.yaml from the data
 * CloudFormation resolved (templates/src/master-config.ts), pulls and starts determined-master at the
 * requested version, and waits (as det-deploy does: GET /info every 2 s for up to 5 minutes) until
 * the master answers with that version. Only then does it signal success; any failure (docker pull,
 * an unreadable secret, a master that exits or never answers) signals failure with the reason, so
 * the stack fails and the cluster's statusReason says why (docs/adr/0024-ready-when-determined-answers.md).
 *
 * Two signals: SignalResource to the master's CreationPolicy (also when an update replaces the
 * master), and a wait condition handle, which is the only channel that carries the reason text.
 * The text is a CloudFormation Fn::Sub: ${AWS::...}, ${Param} and ${V_<slot>} (base64 values) are
 * CloudFormation's; the shell uses $name only, never ${name}.
 */

import { REPORT_BOOT_FUNCTION } from './master-boot-report.ts';

/** Where the boot keeps its files (the sandbox test maps these folders into a scratch folder). */
export const BOOT_ROOT = '/usr/local/determined';
export const BOOT_LOG = '/var/log/determined-master-setup.log';
export const MASTER_IMAGE_REPOSITORY = 'determinedai/determined-master';
/** The AWS CLI, when the image has none. */
export const AWS_CLI_IMAGE = 'public.ecr.aws/aws-cli/aws-cli:latest';
/** det-deploy's health check: GET /info every 2 s, for up to 300 s (harness/determined/deploy/healthcheck.py). */
export const HEALTH_CHECK = { attempts: 150, intervalSeconds: 2 } as const;
export const MASTER_RESOURCE = 'MasterInstance';
export const WAIT_HANDLE = 'MasterBootHandle';
export const WAIT_CONDITION = 'MasterBootCondition';

/** Fills master.yaml: slots from the resolved values, typed; passwords from the secret. */
const RENDER = `import base64, json, os, re, sys
boot, etc = sys.argv[1], sys.argv[2]
def text_of(value):
    return base64.b64decode(value).decode("utf-8")
slots = json.loads(text_of(os.environ["MASTER_SLOTS"]))
config = json.loads(text_of(os.environ["MASTER_SKELETON"]))
values = {}
with open(boot + "/values") as lines:
    for line in lines:
        name, _, value = line.strip().partition("=")
        if name:
            values[name] = text_of(value)
secret = json.loads(os.environ["SECRET"])
DROP = object()
def value(name):
    spec = slots[name]
    kind = spec["kind"]
    if kind == "secret":
        found = secret.get(spec["key"])
        if not isinstance(found, str) or not found:
            raise SystemExit("the cluster secret has no " + spec["key"])
        return found
    if name not in values:
        raise SystemExit("no value for " + name)
    found = values[name]
    if spec.get("optional") and found == "":
        return DROP
    if kind == "int":
        return int(found)
    if kind == "bool":
        if found not in ("true", "false"):
            raise SystemExit(name + " is neither true nor false")
        return found == "true"
    if kind == "json":
        return json.loads(found)
    return found
def fill(node):
    if isinstance(node, dict):
        filled = {key: fill(item) for key, item in node.items()}
        return {key: item for key, item in filled.items() if item is not DROP}
    if isinstance(node, list):
        return [fill(item) for item in node]
    if isinstance(node, str):
        match = re.fullmatch(r"@@(\\w+)@@", node)
        if match:
            return value(match.group(1))
    return node
config = fill(config)
try:
    import yaml
    text = yaml.safe_dump(config, default_flow_style=False, sort_keys=False)
except ImportError:
    text = json.dumps(config, indent=2)
fd = os.open(etc + "/master.yaml", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
os.fchmod(fd, 0o600)
with os.fdopen(fd, "w") as out:
    out.write(text)`;

/** The version field of GET /info's JSON, or nothing. */
const INFO_VERSION = `import json, sys
try:
    print(json.load(sys.stdin).get("version", ""))
except Exception:
    print("")`;

/** The wait condition's signal document (CloudFormation shows Reason in the failure event). */
const SIGNAL_DOCUMENT = `import json, sys
print(json.dumps({"Status": sys.argv[1], "Reason": sys.argv[2][:400], "UniqueId": sys.argv[3], "Data": sys.argv[2][:400]}))`;

/**
 * The boot script. `values` is the `NAME=<base64>` list of the slots; `slotKinds` the base64 JSON of
 * their kinds (both built by templates/src/master.ts).
 */
export function masterBootScript(values: string[], slotKinds: string): string {
  const { attempts, intervalSeconds } = HEALTH_CHECK;
  return `#!/bin/bash
# Runs on every boot (cloud_final_modules: always): rebuilds master.yaml from the stack's current
# values, restarts the master and tells CloudFormation whether Determined answers.
set -euo pipefail
exec >>${BOOT_LOG} 2>&1
root=${BOOT_ROOT}
etc=$root/etc
boot=$root/boot
mkdir -p "$etc" "$boot"
region='\${AWS::Region}'
stack='\${AWS::StackName}'
version='\${DeterminedVersion}'
secret_id='\${ClusterSecretName}'
log_group='\${LogGroup}'
image="${MASTER_IMAGE_REPOSITORY}:$version"
handle=$(printf '%s' '\${V_WaitHandle}' | base64 -d)
instance_id=unknown
step="starting"
signalled=""

awscli() {
  if command -v aws >/dev/null 2>&1; then
    aws "$@"
  else
    docker run --rm --network host ${AWS_CLI_IMAGE} "$@"
  fi
}

imds() {
  local token
  token=$(curl -fsS -X PUT http://169.254.169.254/latest/api/token -H 'X-aws-ec2-metadata-token-ttl-seconds: 300')
  curl -fsS -H "X-aws-ec2-metadata-token: $token" "http://169.254.169.254/latest/meta-data/$1"
}

${REPORT_BOOT_FUNCTION}

# signal SUCCESS|FAILURE REASON: the reason goes to the wait condition first (the failure event
# CloudFormation reports carries it), then the master's CreationPolicy gets the signal. A boot after
# the stack is complete signals too; CloudFormation refuses those, which is harmless. Every signal
# also writes the boot report tag (report_boot), which a start of a stopped cluster waits for.
signal() {
  signalled=yes
  report_boot "$1" "$2"
  python3 -c '${SIGNAL_DOCUMENT}' "$1" "$2" "$instance_id" >"$boot/signal.json"
  curl -fsS -X PUT -H 'Content-Type:' --data-binary @"$boot/signal.json" "$handle" || echo "the wait condition was not signalled"
  if [ "$1" != SUCCESS ]; then sleep 10; fi
  awscli cloudformation signal-resource --region "$region" --stack-name "$stack" \\
    --logical-resource-id ${MASTER_RESOURCE} --unique-id "$instance_id" --status "$1" || echo "${MASTER_RESOURCE} was not signalled"
}

fail() {
  echo "boot failed: $1"
  signal FAILURE "$1"
  exit 1
}

# shellcheck disable=SC2317 # run by the EXIT trap
on_exit() {
  local status=$?
  if [ "$status" -ne 0 ] && [ -z "$signalled" ]; then signal FAILURE "$step failed (exit $status)"; fi
}
trap on_exit EXIT

step="reading the instance id"
instance_id=$(imds instance-id)

step="installing Docker"
if ! command -v docker >/dev/null 2>&1; then
  apt-get remove -y docker docker-engine docker.io containerd runc || true
  apt-get update
  apt-get install -y ca-certificates curl gnupg python3
  install -m 0755 -d /etc/apt/keyrings
  curl -fsSL https://download.docker.com/linux/ubuntu/gpg -o /etc/apt/keyrings/docker.asc
  codename=$(sed -n 's/^VERSION_CODENAME=//p' /etc/os-release)
  echo "deb [arch=$(dpkg --print-architecture) signed-by=/etc/apt/keyrings/docker.asc] https://download.docker.com/linux/ubuntu $codename stable" >/etc/apt/sources.list.d/docker.list
  apt-get update
  apt-get install -y docker-ce docker-ce-cli containerd.io
fi
systemctl enable --now docker
docker network inspect determined >/dev/null 2>&1 || docker network create determined

# The passwords are read at boot with the instance role, which may read this secret only.
step="reading the cluster secret"
if ! secret=$(awscli secretsmanager get-secret-value --region "$region" --secret-id "$secret_id" --query SecretString --output text 2>"$boot/secret.err"); then
  fail "the cluster secret $secret_id could not be read: $(tail -c 300 "$boot/secret.err" | tr '\\n' ' ')"
fi

step="writing master.yaml"
cat >"$boot/values" <<'VALUES'
${values.join('\n')}
VALUES
if ! MASTER_SKELETON='\${V_Skeleton}' MASTER_SLOTS='${slotKinds}' SECRET="$secret" python3 - "$boot" "$etc" <<'RENDER' 2>"$boot/render.err"
${RENDER}
RENDER
then
  fail "master.yaml could not be written: $(tail -c 300 "$boot/render.err" | tr '\\n' ' ')"
fi
unset secret

step="pulling $image"
if ! pulled=$(docker pull "$image" 2>&1); then
  fail "docker pull $image failed: $(printf '%s' "$pulled" | tail -c 300 | tr '\\n' ' ')"
fi

step="starting the master"
docker rm -f determined-master >/dev/null 2>&1 || true
docker run -d --name determined-master --network determined --restart unless-stopped \\
  --log-driver=awslogs --log-opt awslogs-region="$region" --log-opt awslogs-group="$log_group" --log-opt awslogs-stream=determined-master \\
  -p 8080:8080 -v "$etc/master.yaml:/etc/determined/master.yaml:ro" \\
  "$image"

step="waiting for the master to answer"
answer=""
for _ in $(seq 1 ${attempts}); do
  if [ "$(docker inspect -f '{{.State.Running}}' determined-master 2>/dev/null || echo false)" != true ]; then
    fail "the master exited: $(docker logs --tail 5 determined-master 2>&1 | tail -c 300 | tr '\\n' ' ')"
  fi
  answer=$(curl -fsS --max-time 5 http://localhost:8080/info 2>/dev/null || true)
  answered=$(printf '%s' "$answer" | python3 -c '${INFO_VERSION}')
  if [ "$answered" = "$version" ]; then
    signal SUCCESS "Determined $version answers on port 8080"
    exit 0
  fi
  sleep ${intervalSeconds}
done
fail "the master did not answer GET /info with version $version within ${attempts * intervalSeconds} s (last answer: $(printf '%s' "$answer" | head -c 200))"
`;
}

/** The user data: cloud-config (run the script on every boot) and the script, as MIME parts. */
export function masterUserData(script: string): string {
  return `Content-Type: multipart/mixed; boundary="//"
MIME-Version: 1.0

--//
Content-Type: text/cloud-config; charset="us-ascii"
MIME-Version: 1.0
Content-Transfer-Encoding: 7bit
Content-Disposition: attachment; filename="cloud-config.txt"

#cloud-config
cloud_final_modules:
- [scripts-user, always]

--//
Content-Type: text/x-shellscript; charset="us-ascii"
MIME-Version: 1.0
Content-Transfer-Encoding: 7bit
Content-Disposition: attachment; filename="userdata.txt"

${script}
--//--
`;
}
