/**
 * The master's boot reports on its own instance whether Determined answers: the tag
 * `det-master-boot` (core/cluster/naming.ts MASTER_BOOT_TAG) becomes "answered <version>" once
 * GET /info answers with the stack's version, or "failed: <reason>". The start workflow removes the
 * tag before it starts a stopped master and is READY only when the boot writes "answered" again
 * (docs/adr/0026-stop-and-start.md); CloudFormation's own signal serves the create, this the start.
 * The boot script's `signal` (templates/src/master-boot.ts) writes the tag with every signal it sends.
 * The text is part of the user data's Fn::Sub: the shell uses $name only, never ${name}.
 */
import { MASTER_BOOT_TAG } from '../../core/cluster/naming.ts';
import { sub, type Value } from './cfn.ts';

/**
 * A shell function for the boot script (templates/src/master-boot.ts), called by its `signal`:
 * `report_boot SUCCESS|FAILURE REASON` tags the instance "answered $version" or "failed: REASON".
 * It needs $region, $version and $instance_id (not "unknown") and the `awscli` function; a tag that
 * cannot be written is logged, never fatal (CloudFormation's signal still goes out).
 */
export const REPORT_BOOT_FUNCTION = `# report_boot SUCCESS|FAILURE REASON: the ${MASTER_BOOT_TAG} tag on this instance, which the start
# workflow waits for (CloudFormation's signal serves the create and updates, this tag a start).
report_boot() {
  local value
  if [ "$1" = SUCCESS ]; then value="answered $version"; else value="failed: $2"; fi
  if [ "$instance_id" = unknown ]; then echo "no instance id: the boot report was not written"; return 0; fi
  awscli ec2 create-tags --region "$region" --resources "$instance_id" \\
    --tags "Key=${MASTER_BOOT_TAG},Value=$(printf '%s' "$value" | head -c 250)" || echo "the boot report was not written"
}`;

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
