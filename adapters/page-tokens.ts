/**
 * Page tokens (`nextToken`): DynamoDB's LastEvaluatedKey, encrypted and authenticated with AES-256-GCM
 * under the control plane's key, bound to the query that issued it (index, partition, filter). A
 * caller sees an opaque string: no key layout, and a token forged, altered or issued for another
 * query (another team's list) is a 400, never a DynamoDB error.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { ValidationError } from '../core/errors.ts';

const IV_BYTES = 12;
const TAG_BYTES = 16;

export type StartKey = Record<string, string | number>;

export class PageTokens {
  constructor(private readonly key: () => Promise<Buffer>) {}

  async encode(startKey: Record<string, unknown> | undefined, query: string): Promise<string | undefined> {
    if (!startKey) return undefined;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', await this.key(), iv);
    cipher.setAAD(Buffer.from(query, 'utf8'));
    const sealed = Buffer.concat([cipher.update(JSON.stringify(startKey), 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64url');
  }

  async decode(token: string | undefined, query: string): Promise<StartKey | undefined> {
    if (token === undefined) return undefined;
    const key = await this.key();
    try {
      const bytes = Buffer.from(token, 'base64url');
      if (bytes.length <= IV_BYTES + TAG_BYTES || bytes.toString('base64url') !== token) throw new Error();
      const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, IV_BYTES));
      decipher.setAAD(Buffer.from(query, 'utf8'));
      decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      const text = Buffer.concat([
        decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)),
        decipher.final(),
      ]).toString('utf8');
      const value: unknown = JSON.parse(text);
      if (
        value &&
        typeof value === 'object' &&
        !Array.isArray(value) &&
        Object.values(value).every((entry) => typeof entry === 'string' || typeof entry === 'number')
      )
        return value as StartKey;
    } catch {
      // any failure is the same answer
    }
    throw new ValidationError([{ field: 'nextToken', message: 'is not a token this API returned' }]);
  }
}
