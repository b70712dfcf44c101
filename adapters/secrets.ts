/**
 * Cluster secrets in Secrets Manager: the database password and Determined's initial admin password.
 * The stack reads them by ARN (the master at boot, RDS through a dynamic reference); the control plane
 * reads them only to log in to the master for the idle check. They are never stored elsewhere.
 */
import { randomUUID } from 'node:crypto';
import type { ClusterSecret, Secrets } from '../core/ports.ts';
import type { SecretsManagerClient } from './aws/services.ts';

const BATCH_LIMIT = 20;

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

  /** Secrets in batches of 20 (one call per batch, not per cluster), keyed by the name or ARN asked for. */
  async readMany(secretIds: string[]): Promise<Map<string, ClusterSecret>> {
    const found = new Map<string, ClusterSecret>();
    for (let start = 0; start < secretIds.length; start += BATCH_LIMIT) {
      const batch = secretIds.slice(start, start + BATCH_LIMIT);
      const { SecretValues = [] } = await this.client.call('BatchGetSecretValue', { SecretIdList: batch });
      for (const value of SecretValues) {
        const asked = batch.find((id) => id === value.Name || id === value.ARN);
        if (asked && value.SecretString) found.set(asked, parse(value.SecretString));
      }
    }
    return found;
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

/** Cluster passwords never change: reads each secret once per process (the reaper, run after run). */
export class CachingSecretReader {
  private readonly known = new Map<string, ClusterSecret>();

  constructor(private readonly secrets: Pick<Secrets, 'readMany'>) {}

  async readMany(secretIds: string[]): Promise<Map<string, ClusterSecret>> {
    const missing = secretIds.filter((id) => !this.known.has(id));
    if (missing.length > 0)
      for (const [id, secret] of await this.secrets.readMany(missing)) this.known.set(id, secret);
    return new Map(
      secretIds.flatMap((id) => (this.known.has(id) ? [[id, this.known.get(id) as ClusterSecret]] : [])),
    );
  }
}
