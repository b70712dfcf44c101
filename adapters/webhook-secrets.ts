/**
 * Webhook signing secrets in Secrets Manager, one secret per webhook
 * (`det-control-plane/webhooks/<team>/<name>`); a re-registration puts a new value in the same secret.
 * The table holds only the secret's id; the value is read by the delivery worker and kept in memory
 * per secret version, so a rotated secret is never used after the webhook item says it changed.
 */
import { randomUUID } from 'node:crypto';
import type { WebhookSecrets } from '../core/notifications/ports.ts';
import { AwsServiceError } from './aws/http.ts';
import type { SecretsManagerClient } from './aws/services.ts';

export const WEBHOOK_SECRET_PREFIX = 'det-control-plane/webhooks/';

export class SecretsManagerWebhookSecrets implements WebhookSecrets {
  private readonly cache = new Map<string, string>();

  constructor(private readonly client: SecretsManagerClient) {}

  async store(team: string, name: string, secret: string): Promise<string> {
    const secretName = `${WEBHOOK_SECRET_PREFIX}${team}/${name}`;
    try {
      const { ARN } = await this.client.call('CreateSecret', {
        Name: secretName,
        Description: `Signing secret of webhook ${name} of team ${team}`,
        SecretString: secret,
        Tags: [
          { Key: 'managed-by', Value: 'det-control-plane' },
          { Key: 'team', Value: team },
        ],
        ClientRequestToken: randomUUID(),
      });
      return ARN ?? secretName;
    } catch (error) {
      if (!(error instanceof AwsServiceError) || error.code !== 'ResourceExistsException') throw error;
    }
    const { ARN } = await this.client.call('PutSecretValue', {
      SecretId: secretName,
      SecretString: secret,
      ClientRequestToken: randomUUID(),
    });
    return ARN ?? secretName;
  }

  async read(secretId: string, version: string): Promise<string> {
    const key = `${secretId}@${version}`;
    const cached = this.cache.get(key);
    if (cached) return cached;
    const { SecretString } = await this.client.call('GetSecretValue', { SecretId: secretId });
    if (!SecretString) throw new Error('the webhook secret is empty');
    this.cache.set(key, SecretString);
    return SecretString;
  }

  async remove(secretId: string): Promise<void> {
    try {
      await this.client.call('DeleteSecret', { SecretId: secretId, ForceDeleteWithoutRecovery: true });
    } catch (error) {
      if (!(error instanceof AwsServiceError) || error.code !== 'ResourceNotFoundException') throw error;
    }
    for (const key of this.cache.keys()) if (key.startsWith(`${secretId}@`)) this.cache.delete(key);
  }
}
