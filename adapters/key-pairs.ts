/**
 * The create's key-pair check (docs/adr/0018-key-pair-check-in-the-request.md): the key pair must
 * exist in the region, and a key pair tagged `team` must be tagged with the caller's team. Missing
 * and another team's look the same to the caller.
 *
 * Accepting a create must not wait on EC2 (docs/adr/0031-load-and-faults.md): the check has a short
 * budget of its own, a usable answer is remembered for a minute (bursts of creates with one key
 * ask EC2 once), and an EC2 that is throttling or silent past the budget is `unknown`: the create
 * is accepted and the workflow's first step, which checks the same rule, decides.
 */
import { ServiceUnavailableError } from '../core/errors.ts';
import type { KeyPairs, KeyPairVerdict } from '../core/ports.ts';
import { currentDeadline, withDeadline } from './aws/deadline.ts';
import { AwsServiceError, isTransient } from './aws/http.ts';
import { items, pick, text, type AwsQueryClient } from './aws/query.ts';

/** The tag that makes a key pair one team's (the workflow's guard reads the same tag). */
export const KEY_PAIR_TEAM_TAG = 'team';

export interface KeyPairCheckOptions {
  /** How long a request waits for EC2's answer before leaving the check to the workflow. */
  budgetMs: number;
  /** How long a usable answer is reused for the same key pair and team. */
  cacheMs: number;
  now: () => number;
}

const DEFAULTS: KeyPairCheckOptions = { budgetMs: 3000, cacheMs: 60_000, now: () => Date.now() };

/** Remembered usable answers at most; older entries are dropped first. */
const CACHE_ENTRIES = 1000;

export class Ec2KeyPairs implements KeyPairs {
  private readonly options: KeyPairCheckOptions;
  /** `${team}\u0000${name}` -> when the usable answer stops being reused (epoch ms). */
  private readonly usable = new Map<string, number>();

  constructor(
    private readonly ec2: AwsQueryClient,
    options: Partial<KeyPairCheckOptions> = {},
  ) {
    this.options = { ...DEFAULTS, ...options };
  }

  /** Checks under way: concurrent creates with one key pair share one EC2 call. */
  private readonly asking = new Map<string, Promise<KeyPairVerdict>>();

  async usableBy(name: string, team: string): Promise<KeyPairVerdict> {
    const key = `${team}\u0000${name}`;
    const now = this.options.now();
    if ((this.usable.get(key) ?? 0) > now) return 'usable';
    this.usable.delete(key);
    const pending = this.asking.get(key);
    if (pending) return pending;
    const check = this.ask(name, team, key, now).finally(() => this.asking.delete(key));
    this.asking.set(key, check);
    return check;
  }

  private async ask(name: string, team: string, key: string, now: number): Promise<KeyPairVerdict> {
    let response;
    try {
      const deadline = Math.min(currentDeadline() ?? Infinity, now + this.options.budgetMs);
      response = await withDeadline(deadline, () => this.ec2.call('DescribeKeyPairs', { 'KeyName.1': name }));
    } catch (error) {
      // InvalidKeyPair.NotFound, or a name EC2 will not take (InvalidKeyPair.Format...): not usable.
      if (error instanceof AwsServiceError && error.code.startsWith('InvalidKeyPair.')) return 'unusable';
      if (error instanceof ServiceUnavailableError || isTransient(error)) return 'unknown';
      throw error;
    }
    const pair = items(pick(response, 'DescribeKeyPairsResponse', 'keySet')).find(
      (entry) => text(entry, 'keyName') === name,
    );
    if (!pair) return 'unusable';
    const teams = items(pick(pair, 'tagSet'))
      .filter((tag) => text(tag, 'key') === KEY_PAIR_TEAM_TAG)
      .map((tag) => text(tag, 'value') ?? '');
    if (!teams.every((owner) => owner === team)) return 'unusable';
    if (this.usable.size >= CACHE_ENTRIES) this.usable.delete(this.usable.keys().next().value ?? '');
    this.usable.set(key, now + this.options.cacheMs);
    return 'usable';
  }
}
