/** Reads a stack's own view of its progress: events for the timeline, resource counts for progress bars. */
import {
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  ListStackResourcesCommand,
  type CloudFormationClient,
  type StackEvent,
} from '@aws-sdk/client-cloudformation';
import type { Page, StackReader } from '../core/ports.ts';
import type { TimelineEntry } from '../core/timeline.ts';

export class CloudFormationStackReader implements StackReader {
  constructor(private readonly cfn: CloudFormationClient) {}

  async events(stackId: string, nextToken?: string): Promise<Page<TimelineEntry>> {
    const { StackEvents = [], NextToken } = await this.cfn.send(
      new DescribeStackEventsCommand({ StackName: stackId, NextToken: nextToken }),
    );
    return { items: StackEvents.map(toEntry), nextToken: NextToken };
  }

  async resources(stackId: string): Promise<{ stackStatus: string; resourceStatuses: string[] } | undefined> {
    const [{ Stacks = [] }, resourceStatuses] = await Promise.all([
      this.cfn.send(new DescribeStacksCommand({ StackName: stackId })),
      this.listResources(stackId),
    ]);
    const stackStatus = Stacks[0]?.StackStatus;
    return stackStatus ? { stackStatus, resourceStatuses } : undefined;
  }

  private async listResources(stackId: string): Promise<string[]> {
    const states: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.cfn.send(
        new ListStackResourcesCommand({ StackName: stackId, NextToken: token }),
      );
      states.push(...(page.StackResourceSummaries ?? []).map((summary) => summary.ResourceStatus ?? ''));
      token = page.NextToken;
    } while (token);
    return states;
  }
}

function toEntry(event: StackEvent): TimelineEntry {
  const isStack = event.ResourceType === 'AWS::CloudFormation::Stack';
  const status = event.ResourceStatus ?? 'UNKNOWN';
  const entry: TimelineEntry = {
    id: event.EventId ?? '',
    at: (event.Timestamp ?? new Date(0)).toISOString(),
    source: 'stack',
    kind: isStack ? 'stack-status' : 'resource-status',
    status,
    message: `${event.LogicalResourceId ?? 'stack'} ${status}${event.ResourceStatusReason ? `: ${event.ResourceStatusReason}` : ''}`,
  };
  if (!isStack) {
    entry.resource = {
      logicalId: event.LogicalResourceId ?? '',
      type: event.ResourceType ?? '',
      status,
      ...(event.ResourceStatusReason ? { reason: event.ResourceStatusReason } : {}),
    };
  }
  return entry;
}
