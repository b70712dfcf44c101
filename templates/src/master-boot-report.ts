/**
 * The master's boot reports on its own instance whether Determined answers: the tag
 * `det-master-boot` (core/cluster/naming.ts MASTER_BOOT_TAG) becomes "answered <version>" once
 * GET /info answers with the stack's version, or "failed: <reason>". The start workflow removes the
 * tag before it starts a stopped master and is READY only when the boot writes "answered" again
 * (docs/adr/0024-stop-and-start.md); CloudFormation's own signal serves the create, this the start.
 * The text is part of the user data's Fn::Sub: ${...} are CloudFormation's, the shell uses $name.
 */
import { MASTER_BOOT_TAG } from '../../core/cluster/naming.ts';
import { sub, type Value } from './cfn.ts';

/** GET /info every 5 s for up to 10 minutes (a master that pulls its image on a first boot takes minutes). */
export const BOOT_REPORT_CHECK = { attempts: 120, intervalSeconds: 5 } as const;

export function bootReport(port: number): string {
  const { attempts, intervalSeconds } = BOOT_REPORT_CHECK;
  return `
# Report on the instance whether Determined answers (the start workflow waits for this tag).
report_boot() {
  local token instance
  token=$(curl -fsS -X PUT http://169.254.169.254/latest/api/token -H 'X-aws-ec2-metadata-token-ttl-seconds: 300') || return 0
  instance=$(curl -fsS -H "X-aws-ec2-metadata-token: $token" http://169.254.169.254/latest/meta-data/instance-id) || return 0
  docker run --rm --network host public.ecr.aws/aws-cli/aws-cli:latest ec2 create-tags --region \${AWS::Region} \\
    --resources "$instance" --tags "Key=${MASTER_BOOT_TAG},Value=$1" || echo "the boot report was not written"
}
answered=""
for _ in $(seq 1 ${attempts}); do
  version=$(curl -fsS --max-time 5 http://127.0.0.1:${port}/info | python3 -c 'import json, sys; print(json.load(sys.stdin).get("version", ""))' 2>/dev/null || true)
  if [ "$version" = "\${DeterminedVersion}" ]; then answered=yes; break; fi
  sleep ${intervalSeconds}
done
if [ -n "$answered" ]; then
  report_boot "answered \${DeterminedVersion}"
else
  report_boot "failed: determined-master did not answer GET /info with \${DeterminedVersion} within ${(attempts * intervalSeconds) / 60} minutes"
fi
`;
}

/** The master role may write that one tag on its own instance, and nothing else. */
export function bootReportPermission(): Value {
  return {
    Sid: 'ReportBoot',
    Effect: 'Allow',
    Action: ['ec2:CreateTags'],
    Resource: sub('arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:instance/*'),
    Condition: {
      StringEquals: {
        'ec2:ResourceTag/aws:cloudformation:stack-name': sub('${AWS::StackName}'),
        'ec2:ResourceTag/aws:cloudformation:logical-id': 'MasterInstance',
      },
      'ForAllValues:StringEquals': { 'aws:TagKeys': [MASTER_BOOT_TAG] },
    },
  };
}
