/**
 * The kind of a failure, read from the statusReason the workflows write (statemachines/src/): a small,
 * fixed set, so it can be a metric dimension. The first matching rule wins.
 */
export const FAILURE_TYPES = [
  'workflow',
  'timeout',
  'keypair',
  'name-conflict',
  'agents-running',
  'capacity',
  'permission',
  'rejected',
  'stack',
  'other',
] as const;
export type FailureType = (typeof FAILURE_TYPES)[number];

const RULES: [FailureType, RegExp][] = [
  // The execution-failure relay: the workflow itself failed, timed out or was aborted.
  ['workflow', /control plane workflow/i],
  ['timeout', /did not finish \w+ within|was not deleted within/i],
  ['keypair', /key pair/i],
  ['name-conflict', /already exists|ownership tags|stack of an earlier attempt/i],
  ['agents-running', /agents of the cluster were still running/i],
  [
    'capacity',
    /InsufficientInstanceCapacity|InstanceLimitExceeded|LimitExceeded|VcpuLimitExceeded|quota|capacity/i,
  ],
  ['permission', /AccessDenied|not authorized|UnauthorizedOperation|Forbidden/i],
  ['rejected', /did not accept|CloudFormation could not/i],
  ['stack', /^The stack ended|failed:/i],
];

export function failureType(statusReason: string | undefined): FailureType {
  if (!statusReason) return 'other';
  return RULES.find(([, pattern]) => pattern.test(statusReason))?.[0] ?? 'other';
}
