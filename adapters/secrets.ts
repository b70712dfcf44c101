/**
 * Cluster secrets in Secrets Manager: the database password and Determined's initial admin password.
 * The stack reads them by ARN (the master at boot, RDS through a dynamic reference); the control plane
 * reads them only to carry a torn-down cluster's database password over to a restore. They are
 * never stored elsewhere, and never sent to a master (docs/adr/0019-reaper-probe-without-credentials.md).
 */
import { randomUUID } from 'node:crypto';
import type { ClusterSecret, Secrets } from '../core/ports.ts';
import type { SecretsManagerClient } from './aws/services.ts';

export class SecretsManagerSecrets implements Secrets {
  constructor(private readonly client: SecretsManagerClient) {}

  async create(name: string, secret: ClusterSecret, tags: Record<string, string>): Promise<string> {
    const { ARN } = await this.client.call('CreateSecret', {
      Name: name,
      Description: 'Determined cluster passwords (database and initial admin user)',
      SecretString: JSON.stringify(secret),
      Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
      ClientRequestToken: randomUUID(),
    });
    if (!ARN) throw new Error('Secrets Manager returned no ARN for a new secret');
    return ARN;
  }

  async remove(secretId: string): Promise<void> {
    await this.client.call('DeleteSecret', { SecretId: secretId, ForceDeleteWithoutRecovery: true });
  }

  async read(secretId: string): Promise<ClusterSecret> {
    const { SecretString } = await this.client.call('GetSecretValue', { SecretId: secretId });
    return parse(SecretString);
  }
}

function parse(text: string | undefined): ClusterSecret {
  const value: unknown = JSON.parse(text ?? '{}');
  if (
    value &&
    typeof value === 'object' &&
    typeof (value as ClusterSecret).dbPassword === 'string' &&
    typeof (value as ClusterSecret).adminPassword === 'string'
  ) {
    return value as ClusterSecret;
  }
  throw new Error('cluster secret has an unexpected shape');
}
