/**
 * One SNS topic for every alarm, and an email subscription when the deploy names an address
 * (the AlarmEmail stack parameter, set from params.alarmEmail in serverless.yml).
 */
import { ref, type Json, type Resources } from './cfn.ts';

export const alertingParameters: Record<string, Json> = {
  AlarmEmail: {
    Type: 'String',
    Default: '',
    Description: 'Where the alarms are sent (an email subscription to the alarm topic); empty for none',
    AllowedPattern: '^$|^[^@\\s]+@[^@\\s]+$',
  },
};

export const conditions: Record<string, Json> = {
  HasAlarmEmail: { 'Fn::Not': [{ 'Fn::Equals': [ref('AlarmEmail'), ''] }] },
};

export function alertingResources(): Resources {
  return {
    AlarmTopic: {
      Type: 'AWS::SNS::Topic',
      Properties: { DisplayName: 'Determined control plane alarms' },
    },
    AlarmEmailSubscription: {
      Type: 'AWS::SNS::Subscription',
      Condition: 'HasAlarmEmail',
      Properties: { TopicArn: ref('AlarmTopic'), Protocol: 'email', Endpoint: ref('AlarmEmail') },
    },
  };
}
