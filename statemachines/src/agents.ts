/**
 * The dynamic agents a master launched are not part of its stack: they carry the agent tag named
 * after the stack (core/cluster/naming.ts agentTag). Delete and stop both terminate them, cancel
 * their open spot requests (a fulfilled request launches an agent after the fact, so the search runs
 * again), and wait until none is left, within the operation's budget.
 */
import { AGENT_TAG } from '../../core/names/shared.ts';
import { sdk, TRANSIENT_RETRY, type States } from './asl.ts';

/** The master tags its agents after the stack's name, read from the stack at `$.stackName`. */
export const agentFilter = {
  Name: `tag:${AGENT_TAG.key}`,
  'Values.$': `States.Array(${AGENT_TAG.value.asl({ stackName: '$.stackName' })})`,
};

export interface ClearAgents {
  /** Path of the operation's budget in seconds; the wait counts into `$.wait.spent`. */
  budget: string;
  /** Where to go once no agent and no open spot request is left. */
  done: string;
  /** Where to go with `$.reason.text` when agents outlive the budget. */
  stuck: string;
}

export function clearAgents(options: ClearAgents): States {
  return {
    FindAgents: {
      Type: 'Task',
      Resource: sdk('ec2', 'describeInstances'),
      Parameters: {
        Filters: [
          agentFilter,
          {
            Name: 'instance-state-name',
            Values: ['pending', 'running', 'stopping', 'stopped', 'shutting-down'],
          },
        ],
      },
      ResultSelector: { 'ids.$': '$.Reservations[*].Instances[*].InstanceId' },
      ResultPath: '$.agents',
      Retry: [TRANSIENT_RETRY],
      Next: 'AnyAgents',
    },
    AnyAgents: {
      Type: 'Choice',
      Choices: [{ Variable: '$.agents.ids[0]', IsPresent: true, Next: 'TerminateAgents' }],
      Default: 'FindSpotRequests',
    },
    TerminateAgents: {
      Type: 'Task',
      Resource: sdk('ec2', 'terminateInstances'),
      Parameters: { 'InstanceIds.$': '$.agents.ids' },
      ResultPath: null,
      Retry: [TRANSIENT_RETRY],
      Next: 'AgentsShuttingDown',
    },
    AgentsShuttingDown: { Type: 'Wait', SecondsPath: '$.timing.pollSeconds', Next: 'CountAgentWait' },
    CountAgentWait: {
      Type: 'Pass',
      Parameters: {
        'seconds.$': '$.wait.seconds',
        'spent.$': 'States.MathAdd($.wait.spent, $.timing.pollSeconds)',
      },
      ResultPath: '$.wait',
      Next: 'AgentBudget',
    },
    AgentBudget: {
      Type: 'Choice',
      Choices: [
        {
          Variable: '$.wait.spent',
          NumericGreaterThanEqualsPath: options.budget,
          Next: 'ExplainAgentsStuck',
        },
      ],
      Default: 'FindAgents',
    },
    ExplainAgentsStuck: {
      Type: 'Pass',
      Parameters: {
        'text.$': `States.Format('Agents of the cluster were still running after {} seconds: {}', ${options.budget}, States.JsonToString($.agents.ids))`,
      },
      ResultPath: '$.reason',
      Next: options.stuck,
    },
    FindSpotRequests: {
      Type: 'Task',
      Resource: sdk('ec2', 'describeSpotInstanceRequests'),
      Parameters: { Filters: [agentFilter, { Name: 'state', Values: ['open', 'active'] }] },
      ResultSelector: { 'ids.$': '$.SpotInstanceRequests[*].SpotInstanceRequestId' },
      ResultPath: '$.spot',
      Retry: [TRANSIENT_RETRY],
      Next: 'AnySpotRequests',
    },
    AnySpotRequests: {
      Type: 'Choice',
      Choices: [{ Variable: '$.spot.ids[0]', IsPresent: true, Next: 'CancelSpotRequests' }],
      Default: options.done,
    },
    CancelSpotRequests: {
      Type: 'Task',
      Resource: sdk('ec2', 'cancelSpotInstanceRequests'),
      Parameters: { 'SpotInstanceRequestIds.$': '$.spot.ids' },
      ResultPath: null,
      Retry: [TRANSIENT_RETRY],
      // Instances of fulfilled requests outlive the request: look for agents again.
      Next: 'FindAgents',
    },
  };
}
