/**
 * The agents' startup script (Determined's provisioner `startup_script`): Determined's agent setup
 * script writes it to /usr/local/determined/startup_script and runs it before the agent, once, from
 * the instance's user data; a non-zero exit keeps the agent from starting
 * (master/static/srv/agent_setup_script.sh.template). The text is a CloudFormation Fn::Sub.
 */

/**
 * The master launches on-demand agents with IMDSv2 required, but a spot request cannot say so: each
 * agent requires it on itself (its role may do that only to instances with this cluster's agent tag,
 * which the master adds to spot instances a few seconds after launch, hence the retries). A failure
 * there is logged, not fatal, so a slow tag cannot keep the pool from starting; the shared file
 * system mount is fatal.
 */
const IMDS_V2 = [
  'imds_v2() {',
  '  token=$(curl -sf -X PUT http://169.254.169.254/latest/api/token -H "X-aws-ec2-metadata-token-ttl-seconds: 300")',
  '  instance=$(curl -sf -H "X-aws-ec2-metadata-token: $token" http://169.254.169.254/latest/meta-data/instance-id)',
  '  docker run --rm --network host public.ecr.aws/aws-cli/aws-cli:latest ec2 modify-instance-metadata-options --region ${AWS::Region} --instance-id "$instance" --http-tokens required --http-put-response-hop-limit 2 --http-endpoint enabled',
  '}',
  'for attempt in 1 2 3 4 5 6 7 8 9 10; do imds_v2 && break; echo "IMDSv2 not required yet (attempt $attempt)" >&2; sleep 15; done',
];

export function agentStartupScript(mountScript?: string): string {
  return ['#!/bin/bash', ...IMDS_V2, ...(mountScript ? ['set -e', mountScript] : [])].join('\n') + '\n';
}
