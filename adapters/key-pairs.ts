/** det-deploy's preflight: the EC2 key pair must exist in the target region before anything is written. */
import { DescribeKeyPairsCommand, type EC2Client } from '@aws-sdk/client-ec2';
import type { KeyPairs } from '../core/ports.ts';

export class Ec2KeyPairs implements KeyPairs {
  constructor(private readonly ec2: EC2Client) {}

  async exists(name: string): Promise<boolean> {
    try {
      const { KeyPairs = [] } = await this.ec2.send(new DescribeKeyPairsCommand({ KeyNames: [name] }));
      return KeyPairs.length > 0;
    } catch (error) {
      if ((error as { name?: string }).name === 'InvalidKeyPair.NotFound') return false;
      throw error;
    }
  }
}
