/**
 * A PATCH dry run's preview of an update: a CloudFormation change set of the cluster's stack with
 * the update's parameters, read once CloudFormation has computed it and then deleted (never
 * executed). The wait is bounded by the request's budget (adapters/aws/deadline.ts).
 */
import { ServiceUnavailableError } from '../core/errors.ts';
import type { ResourceChange } from '../core/cluster/replacements.ts';
import type { CfnParameter } from '../core/cluster/stack-parameters.ts';
import type { ChangePreview, ChangeSets } from '../core/ports.ts';
import { currentDeadline } from './aws/deadline.ts';
import { AwsServiceError } from './aws/http.ts';
import { items, pick, text, type AwsQueryClient, type XmlObject } from './aws/query.ts';

/** CloudFormation's words for "this update changes nothing" (as a create error, or a FAILED change set). */
const NO_CHANGES = /No updates are to be performed|didn't contain changes/;
/** The longest a dry run waits for a change set, within the request's own budget. */
const MAX_WAIT_MS = 15_000;
/** Time kept back from the request's budget for the delete and the answer. */
const MARGIN_MS = 3_000;

export class CloudFormationChangeSets implements ChangeSets {
  constructor(
    private readonly cfn: AwsQueryClient,
    private readonly options: { pollMs?: number; now?: () => number } = {},
  ) {}

  async preview(stackId: string, parameters: CfnParameter[], name: string): Promise<ChangePreview> {
    try {
      await this.cfn.call('CreateChangeSet', {
        StackName: stackId,
        ChangeSetName: name,
        ChangeSetType: 'UPDATE',
        UsePreviousTemplate: 'true',
        'Capabilities.member.1': 'CAPABILITY_IAM',
        Description: 'A dry run of a PATCH: read and deleted, never executed',
        ...flattenParameters(parameters),
      });
    } catch (error) {
      if (error instanceof AwsServiceError && NO_CHANGES.test(error.message)) return { status: 'no-changes' };
      throw error;
    }
    try {
      return await this.whenReady(stackId, name);
    } finally {
      await this.cfn
        .call('DeleteChangeSet', { StackName: stackId, ChangeSetName: name })
        .catch(() => undefined);
    }
  }

  private async whenReady(stackId: string, name: string): Promise<ChangePreview> {
    const now = this.options.now ?? Date.now;
    const start = now();
    const deadline = Math.min(start + MAX_WAIT_MS, (currentDeadline() ?? Infinity) - MARGIN_MS);
    for (;;) {
      const first = await this.describe(stackId, name);
      const status = text(first, 'Status');
      if (status === 'CREATE_COMPLETE')
        return { status: 'ready', changes: await this.allChanges(stackId, name, first) };
      if (status === 'FAILED') {
        const reason = text(first, 'StatusReason') ?? 'no reason given';
        return NO_CHANGES.test(reason) ? { status: 'no-changes' } : { status: 'failed', reason };
      }
      if (now() >= deadline)
        throw new ServiceUnavailableError(
          `CloudFormation had not computed the change set within ${Math.round((now() - start) / 1000)} seconds; send the dry run again.`,
          10,
        );
      await new Promise((resolve) => setTimeout(resolve, this.options.pollMs ?? 1_000));
    }
  }

  private async allChanges(stackId: string, name: string, first: XmlObject): Promise<ResourceChange[]> {
    const changes = items(pick(first, 'Changes'), 'member').map(toChange);
    let token = text(first, 'NextToken');
    while (token) {
      const page = await this.describe(stackId, name, token);
      changes.push(...items(pick(page, 'Changes'), 'member').map(toChange));
      token = text(page, 'NextToken');
    }
    return changes;
  }

  private async describe(stackId: string, name: string, nextToken?: string): Promise<XmlObject> {
    const response = await this.cfn.call('DescribeChangeSet', {
      StackName: stackId,
      ChangeSetName: name,
      ...(nextToken ? { NextToken: nextToken } : {}),
    });
    const result = pick(response, 'DescribeChangeSetResponse', 'DescribeChangeSetResult');
    return typeof result === 'object' && !Array.isArray(result) ? result : {};
  }
}

/** Parameters.member.N.ParameterKey and ParameterValue or UsePreviousValue, as the Query API wants them. */
export function flattenParameters(parameters: CfnParameter[]): Record<string, string> {
  const flat: Record<string, string> = {};
  parameters.forEach((parameter, index) => {
    const prefix = `Parameters.member.${index + 1}`;
    flat[`${prefix}.ParameterKey`] = parameter.ParameterKey;
    if (parameter.UsePreviousValue) flat[`${prefix}.UsePreviousValue`] = 'true';
    else flat[`${prefix}.ParameterValue`] = parameter.ParameterValue ?? '';
  });
  return flat;
}

function toChange(member: XmlObject): ResourceChange {
  const change = pick(member, 'ResourceChange');
  const details = items(pick(change, 'Details'), 'member');
  const replacement = text(change, 'Replacement');
  return {
    logicalId: text(change, 'LogicalResourceId') ?? '',
    type: text(change, 'ResourceType') ?? '',
    action: text(change, 'Action') ?? '',
    ...(replacement ? { replacement } : {}),
    properties: [
      ...new Set(details.map((detail) => text(detail, 'Target', 'Name')).filter((n) => n !== undefined)),
    ],
  };
}
