/** det-deploy's preflight: the EC2 key pair must exist in the target region before anything is written. */
import type { KeyPairs } from '../core/ports.ts';
import { AwsServiceError } from './aws/http.ts';
import { items, pick, type AwsQueryClient } from './aws/query.ts';

export class Ec2KeyPairs implements KeyPairs {
  constructor(private readonly ec2: AwsQueryClient) {}

  async exists(name: string): Promise<boolean> {
    try {
      const response = await this.ec2.call('DescribeKeyPairs', { 'KeyName.1': name });
      return items(pick(response, 'DescribeKeyPairsResponse', 'keySet')).some(
        (pair) => pair.keyName === name,
      );
    } catch (error) {
      if (error instanceof AwsServiceError && error.code === 'InvalidKeyPair.NotFound') return false;
      throw error;
    }
  }
}
