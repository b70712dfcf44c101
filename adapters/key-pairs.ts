/**
 * The create's key-pair check (docs/adr/0018-key-pair-check-in-the-request.md): the key pair must
 * exist in the region, and a key pair tagged `team` must be tagged with the caller's team. Missing
 * and another team's look the same to the caller. EC2 throttling or unreachable, after the client's
 * retries, is a 503 with Retry-After, never a 500 and never a 400.
 */
import { ServiceUnavailableError } from '../core/errors.ts';
import type { KeyPairs } from '../core/ports.ts';
import { AwsServiceError, isTransient } from './aws/http.ts';
import { items, pick, text, type AwsQueryClient } from './aws/query.ts';

/** The tag that makes a key pair one team's (the workflow's guard reads the same tag). */
export const KEY_PAIR_TEAM_TAG = 'team';

export class Ec2KeyPairs implements KeyPairs {
  constructor(private readonly ec2: AwsQueryClient) {}

  async usableBy(name: string, team: string): Promise<boolean> {
    let response;
    try {
      response = await this.ec2.call('DescribeKeyPairs', { 'KeyName.1': name });
    } catch (error) {
      // InvalidKeyPair.NotFound, or a name EC2 will not take (InvalidKeyPair.Format...): not usable.
      if (error instanceof AwsServiceError && error.code.startsWith('InvalidKeyPair.')) return false;
      if (isTransient(error)) {
        throw new ServiceUnavailableError('EC2 did not answer the key-pair check; retry shortly.', 5, {
          cause: error,
        });
      }
      throw error;
    }
    const pair = items(pick(response, 'DescribeKeyPairsResponse', 'keySet')).find(
      (entry) => text(entry, 'keyName') === name,
    );
    if (!pair) return false;
    const teams = items(pick(pair, 'tagSet'))
      .filter((tag) => text(tag, 'key') === KEY_PAIR_TEAM_TAG)
      .map((tag) => text(tag, 'value') ?? '');
    return teams.every((owner) => owner === team);
  }
}
