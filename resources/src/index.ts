/** The control plane's observability resources (resources/observability.yml), built over serverless.yml. */
import { alarmResources } from './alarms.ts';
import { alertingParameters, alertingResources, conditions } from './alerting.ts';
import type { Json, Resources } from './cfn.ts';
import { dashboardResources } from './dashboard.ts';
import { queueResources } from './queues.ts';
import type { ServiceShape } from './service.ts';
import { tracingParameters, tracingResources } from './tracing.ts';
import { watchdogRoleResources } from './watchdog-role.ts';

export function observabilityTemplate(shape: ServiceShape): {
  Parameters: Record<string, Json>;
  Conditions: Record<string, Json>;
  Resources: Resources;
  Outputs: Record<string, Json>;
} {
  return {
    Parameters: { ...alertingParameters, ...tracingParameters },
    Conditions: conditions,
    Resources: {
      ...queueResources(),
      ...alertingResources(),
      ...tracingResources(shape),
      ...watchdogRoleResources(shape),
      ...alarmResources(shape),
      ...dashboardResources(shape),
    },
    Outputs: {
      AlarmTopicArn: {
        Description: 'Every alarm of the control plane notifies this topic',
        Value: { Ref: 'AlarmTopic' },
      },
      DashboardName: { Value: { Ref: 'Dashboard' } },
    },
  };
}
