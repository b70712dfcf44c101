/**
 * Which workflow, if any, is parked on a cluster's stack: the task token the fast path's wait
 * writes on the cluster record (statemachines/src/stack.ts), with the execution and the stack it
 * waits for. The cluster store leaves these workflow-only attributes out of the record it returns.
 */
import type { ClusterRef } from '../core/cluster/naming.ts';
import type { Parked } from '../core/workflow/lost-events.ts';
import { GetCommand, type DynamoDocumentClient } from './aws/dynamodb.ts';
import { clusterKey } from './cluster-store.ts';

export class DynamoParkedWorkflows {
  constructor(
    private readonly dynamo: DynamoDocumentClient,
    private readonly tableName: string,
  ) {}

  async parked(cluster: ClusterRef): Promise<Parked | undefined> {
    const { Item } = await this.dynamo.send(
      new GetCommand({
        TableName: this.tableName,
        Key: clusterKey(cluster),
        ConsistentRead: true,
        ProjectionExpression: '#execution, waitToken, stackId',
        ExpressionAttributeNames: { '#execution': 'execution' },
      }),
    );
    const { execution, waitToken, stackId } = (Item ?? {}) as Record<string, unknown>;
    return typeof execution === 'string' && typeof waitToken === 'string' && typeof stackId === 'string'
      ? { execution, waitToken, stackId }
      : undefined;
  }
}
