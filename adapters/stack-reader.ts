/** Reads a stack's own view of its progress: events for the timeline, resource counts for progress bars. */
import type { Page, StackReader } from '../core/ports.ts';
import type { TimelineEntry } from '../core/timeline.ts';
import { AwsServiceError } from './aws/http.ts';
import { items, pick, text, type AwsQueryClient, type XmlObject } from './aws/query.ts';

export class CloudFormationStackReader implements StackReader {
  constructor(private readonly cfn: AwsQueryClient) {}

  async events(stackId: string, nextToken?: string): Promise<Page<TimelineEntry>> {
    const result = await this.result('DescribeStackEvents', stackId, nextToken);
    return {
      items: items(pick(result, 'StackEvents'), 'member').map(toEntry),
      nextToken: text(result, 'NextToken'),
    };
  }

  async resources(stackId: string): Promise<{ stackStatus: string; resourceStatuses: string[] } | undefined> {
    const [stacks, resourceStatuses] = await Promise.all([
      this.result('DescribeStacks', stackId),
      this.listResources(stackId),
    ]);
    const [stack] = items(pick(stacks, 'Stacks'), 'member');
    const stackStatus = text(stack, 'StackStatus');
    return stackStatus ? { stackStatus, resourceStatuses } : undefined;
  }

  /** The stack's status; undefined when CloudFormation no longer knows it (deleted long ago). */
  async status(stackId: string): Promise<string | undefined> {
    try {
      const [stack] = items(pick(await this.result('DescribeStacks', stackId), 'Stacks'), 'member');
      return text(stack, 'StackStatus');
    } catch (error) {
      if (error instanceof AwsServiceError && error.code === 'ValidationError') return undefined;
      throw error;
    }
  }

  private async listResources(stackId: string): Promise<string[]> {
    const states: string[] = [];
    let token: string | undefined;
    do {
      const result = await this.result('ListStackResources', stackId, token);
      const summaries = items(pick(result, 'StackResourceSummaries'), 'member');
      states.push(...summaries.map((summary) => text(summary, 'ResourceStatus') ?? ''));
      token = text(result, 'NextToken');
    } while (token);
    return states;
  }

  /** A CloudFormation answer is <ActionResponse><ActionResult>...; this is the result element. */
  private async result(action: string, stackId: string, nextToken?: string) {
    const response = await this.cfn.call(action, {
      StackName: stackId,
      ...(nextToken ? { NextToken: nextToken } : {}),
    });
    return pick(response, `${action}Response`, `${action}Result`);
  }
}

function toEntry(event: XmlObject): TimelineEntry {
  const field = (name: string) => text(event, name);
  const resourceType = field('ResourceType');
  const isStack = resourceType === 'AWS::CloudFormation::Stack';
  const status = field('ResourceStatus') ?? 'UNKNOWN';
  const reason = field('ResourceStatusReason');
  const logicalId = field('LogicalResourceId');
  const timestamp = field('Timestamp');
  const entry: TimelineEntry = {
    id: field('EventId') ?? '',
    at: new Date(timestamp ? Date.parse(timestamp) : 0).toISOString(),
    source: 'stack',
    kind: isStack ? 'stack-status' : 'resource-status',
    status,
    message: `${logicalId ?? 'stack'} ${status}${reason ? `: ${reason}` : ''}`,
  };
  if (!isStack) {
    entry.resource = {
      logicalId: logicalId ?? '',
      type: resourceType ?? '',
      status,
      ...(reason ? { reason } : {}),
    };
  }
  return entry;
}
