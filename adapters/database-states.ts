/**
 * RDS instance statuses for many databases at once: DescribeDBInstances filtered by identifier, up
 * to 100 identifiers per call (RDS's page size), following Marker. An identifier RDS does not know
 * is simply absent from the answer.
 */
import type { DatabaseStates } from '../core/ports.ts';
import { items, pick, text, type AwsQueryClient } from './aws/query.ts';

const IDS_PER_CALL = 100;

export class RdsDatabaseStates implements DatabaseStates {
  /** RDS calls made, for the benchmark and the tests. */
  calls = 0;

  constructor(private readonly rds: AwsQueryClient) {}

  async statuses(identifiers: string[]): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    for (let start = 0; start < identifiers.length; start += IDS_PER_CALL) {
      const batch = identifiers.slice(start, start + IDS_PER_CALL);
      let marker: string | undefined;
      do {
        const parameters: Record<string, string> = {
          'Filters.Filter.1.Name': 'db-instance-id',
          MaxRecords: String(IDS_PER_CALL),
          ...(marker ? { Marker: marker } : {}),
        };
        batch.forEach((id, index) => (parameters[`Filters.Filter.1.Values.Value.${index + 1}`] = id));
        this.calls++;
        const response = await this.rds.call('DescribeDBInstances', parameters);
        const result = pick(response, 'DescribeDBInstancesResponse', 'DescribeDBInstancesResult');
        for (const instance of items(pick(result, 'DBInstances'), 'DBInstance')) {
          const id = text(instance, 'DBInstanceIdentifier');
          const status = text(instance, 'DBInstanceStatus');
          if (id && status) found.set(id, status);
        }
        marker = text(result, 'Marker') || undefined;
      } while (marker);
    }
    return found;
  }
}
