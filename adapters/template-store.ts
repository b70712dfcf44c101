/**
 * Rendered templates go to the templates bucket under a content hash, so CreateStack reads them by
 * TemplateURL (up to 1 MB, against 51 KB inline) and identical templates are stored once.
 */
import { createHash } from 'node:crypto';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { TemplateStore } from '../core/ports.ts';

export class S3TemplateStore implements TemplateStore {
  private readonly published = new Set<string>();

  constructor(
    private readonly s3: S3Client,
    private readonly options: { bucket: string; region: string },
  ) {}

  async publish(template: object): Promise<string> {
    const body = JSON.stringify(template);
    const key = `templates/${createHash('sha256').update(body).digest('hex')}.json`;
    if (!this.published.has(key)) {
      await this.s3.send(
        new PutObjectCommand({
          Bucket: this.options.bucket,
          Key: key,
          Body: body,
          ContentType: 'application/json',
        }),
      );
      this.published.add(key);
    }
    return `https://${this.options.bucket}.s3.${this.options.region}.amazonaws.com/${key}`;
  }
}
