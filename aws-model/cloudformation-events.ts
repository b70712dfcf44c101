/**
 * CloudFormation's "CloudFormation Stack Status Change" event as EventBridge delivers it
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/event-detail-stack-status-change.html),
 * for the stack-event relay in the scenario tests and the emulator test.
 */
import { randomUUID } from 'node:crypto';

export interface StackStatusChangeEvent {
  version: '0';
  id: string;
  'detail-type': 'CloudFormation Stack Status Change';
  source: 'aws.cloudformation';
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: {
    'stack-id': string;
    'status-details': { status: string; 'status-reason': string };
    'client-request-token': string;
  };
}

/** The account and region are read from the stack id, as in the real event. */
export function stackStatusChangeEvent(options: {
  stackId: string;
  status: string;
  reason?: string;
  clientRequestToken?: string;
  time?: string;
}): StackStatusChangeEvent {
  const [, , , region = 'us-east-1', account = '123456789012'] = options.stackId.split(':');
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'CloudFormation Stack Status Change',
    source: 'aws.cloudformation',
    account,
    time: options.time ?? new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region,
    resources: [options.stackId],
    detail: {
      'stack-id': options.stackId,
      'status-details': { status: options.status, 'status-reason': options.reason ?? '' },
      'client-request-token': options.clientRequestToken ?? '',
    },
  };
}
