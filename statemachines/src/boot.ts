/**
 * The master's boot report (the det-master-boot tag, ADR 0026): its boot writes "answered <version>"
 * once Determined answers GET /info, or "failed: ...". Start and upgrade clear it before the master
 * boots and then wait for it; they differ only in what counts as an answer (any version for start,
 * the one version for an upgrade or its rollback) and in how they explain a failure.
 */
import { MASTER_BOOT_TAG } from '../../core/cluster/naming.ts';
import { sdk, TRANSIENT_RETRY, merge, type States } from './asl.ts';
import { pollRound } from './park.ts';

/** Clear the master's boot report, so that only a report of the coming boot counts. */
export function forgetBoot(name: string, options: { next: string; onError: string }): States {
  return {
    [name]: {
      Type: 'Task',
      Comment: "The master's boot writes the tag again once Determined answers",
      Resource: sdk('ec2', 'deleteTags'),
      Parameters: { 'Resources.$': 'States.Array($.parts.masterId)', Tags: [{ Key: MASTER_BOOT_TAG }] },
      ResultPath: null,
      Retry: [TRANSIENT_RETRY],
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: options.onError }],
      Next: options.next,
    },
  };
}

/**
 * `<prefix>ReadBoot`: read the report (at `$.boot.values`) until it counts as an answer (`answered`),
 * reports a failure (`bootFailed`), or the poll rounds on `$.wait` spend `budget` (`noAnswer`).
 * `expect`: a path to the exact report that counts ("answered 0.38.1"); without it, any "answered"
 * does. The caller starts the clock ($.wait) and explains a failure from `$.boot.values[0]`.
 */
export function awaitBoot(
  prefix: string,
  options: {
    expect?: string;
    budget: string;
    answered: string;
    bootFailed: string;
    noAnswer: string;
  },
): States {
  const answer: Record<string, string> = options.expect
    ? { StringEqualsPath: options.expect }
    : // Any version: start boots the version the stack already names.
      { StringMatches: 'answered*' };
  return merge(
    {
      [`${prefix}ReadBoot`]: {
        Type: 'Task',
        Resource: sdk('ec2', 'describeTags'),
        Parameters: {
          Filters: [
            { Name: 'resource-id', 'Values.$': 'States.Array($.parts.masterId)' },
            { Name: 'key', Values: [MASTER_BOOT_TAG] },
          ],
        },
        ResultSelector: { 'values.$': '$.Tags[*].Value' },
        ResultPath: '$.boot',
        Retry: [TRANSIENT_RETRY],
        Next: `${prefix}BootReported`,
      },
      [`${prefix}BootReported`]: {
        Type: 'Choice',
        Choices: [{ Variable: '$.boot.values[0]', IsPresent: true, Next: `${prefix}BootOutcome` }],
        Default: `${prefix}Booting`,
      },
      [`${prefix}BootOutcome`]: {
        Type: 'Choice',
        Choices: [
          { Variable: '$.boot.values[0]', ...answer, Next: options.answered },
          { Variable: '$.boot.values[0]', StringMatches: 'failed*', Next: options.bootFailed },
        ],
        // Not yet reported, or another version's report (a master that has not restarted yet).
        Default: `${prefix}Booting`,
      },
    },
    pollRound(`${prefix}Booting`, {
      budget: options.budget,
      next: `${prefix}ReadBoot`,
      onTimeout: options.noAnswer,
    }),
  );
}
