/** The text of `det-deploy --help` and `det-deploy aws <command> --help`, read off the flag catalogue. */
import { COMMAND_FLAGS, FIELD_FLAGS, GLOBAL_FLAGS, type CommandName, type OptionFlag } from './flags.ts';

const HELP_COLUMN = 36;

function helpRow(left: string, text: string): string {
  const flag = `  ${left}`;
  return flag.length >= HELP_COLUMN - 1
    ? `${flag}\n${' '.repeat(HELP_COLUMN)}${text}`
    : `${flag.padEnd(HELP_COLUMN)}${text}`;
}

const usage = (flag: { flag: string; metavar?: string }) =>
  `--${flag.flag}${flag.metavar ? ` ${flag.metavar}` : ''}`;

/** The shown flags of a list, one row each (hidden flags have no help). */
const rows = (flags: readonly OptionFlag[]) =>
  flags.flatMap((flag) => (flag.help ? [helpRow(usage(flag), flag.help)] : []));

const globalRows = () => rows(GLOBAL_FLAGS).join('\n');

export function mainHelp(): string {
  return `det-deploy: Determined clusters on AWS through the team's control plane

Usage:
  det-deploy aws up --cluster-id ID --keypair KEY [flags]   create a cluster, or update it if it exists
  det-deploy aws down --cluster-id ID [--yes] [--purge]     tear a cluster down (data is kept unless --purge)
  det-deploy aws list                                       the team's clusters
  det-deploy aws status --cluster-id ID                     one cluster and its recent events
  det-deploy aws stop --cluster-id ID                       park a cluster: agents gone, master and database stopped
  det-deploy aws start --cluster-id ID                      bring a stopped cluster back (same master, same URL)

Every command:
${globalRows()}
${helpRow('-h, --help', 'help for a command, e.g. det-deploy aws up --help')}

Exit codes: 0 success, 1 failure (the cluster's status reason or the API's problem), 2 usage error.
`;
}

const INTRO: Record<CommandName, string> = {
  up: `Usage: det-deploy aws up --cluster-id ID --keypair KEY [flags]

Creates the cluster, or updates it in place when it exists. An update sends only the flags given
here; everything else keeps its current value. --keypair, --deployment-type, --region and
--db-password cannot change on an existing cluster.

Flags (default in brackets; the API applies it when the flag is omitted):`,
  down: `Usage: det-deploy aws down --cluster-id ID [--yes] [--purge]

Tears the cluster down and waits until it is deleted. The checkpoint bucket and a final database
snapshot are kept unless --purge.
`,
  list: `Usage: det-deploy aws list [--json]

The clusters of your team, newest first.
`,
  status: `Usage: det-deploy aws status --cluster-id ID [--json]

One cluster: status, master URL, parameters, outputs and its recent events.
`,
  stop: `Usage: det-deploy aws stop --cluster-id ID

Parks the cluster and waits until it is STOPPED: its dynamic agents are terminated, its master and
database stopped. The stack, volumes, addresses and checkpoint bucket stay, so it costs only its
storage. det-deploy aws start brings the same master back at the same URL.
`,
  start: `Usage: det-deploy aws start --cluster-id ID

Starts a stopped cluster (the database, then the master) and waits until Determined answers again:
READY, with the same master URL as before.
`,
};

export function commandHelp(name: CommandName): string {
  const fieldRows =
    name === 'up' ? FIELD_FLAGS.map((flag) => helpRow(usage(flag), `${flag.help} [${flag.default}]`)) : [];
  return `${INTRO[name]}
${[...fieldRows, ...rows(COMMAND_FLAGS[name]), globalRows()].join('\n')}
`;
}
