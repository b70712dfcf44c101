/**
 * `npm run deploy -- [--stage S] [--region R]`: refuses a region without Determined's images
 * (core/cluster/regions.ts), then runs `osls deploy` with the same arguments. serverless.yml's own
 * default region (us-east-1) applies when none is given.
 * Usage: tsx scripts/deploy.ts [osls deploy options]
 */
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { isSupportedRegion, unsupportedRegionMessage } from '../core/cluster/regions.ts';

export const DEFAULT_DEPLOY_REGION = 'us-east-1';

/** The region a deploy with these arguments goes to: --region R, --region=R or -r R, else the default. */
export function deployRegion(args: string[]): string {
  for (const [index, arg] of args.entries()) {
    if (arg === '--region' || arg === '-r') return args[index + 1] ?? '';
    if (arg.startsWith('--region=')) return arg.slice('--region='.length);
  }
  return DEFAULT_DEPLOY_REGION;
}

/** Undefined when the region is served, else why not. */
export function deployRefusal(args: string[]): string | undefined {
  const region = deployRegion(args);
  return isSupportedRegion(region) ? undefined : `refusing to deploy: ${unsupportedRegionMessage(region)}`;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  const refusal = deployRefusal(args);
  if (refusal) {
    console.error(refusal);
    process.exit(2);
  }
  const run = spawnSync('npx', ['osls', 'deploy', ...args], {
    stdio: 'inherit',
    env: { ...process.env, SLS_TELEMETRY_DISABLED: '1', SLS_NOTIFICATIONS_MODE: 'off' },
  });
  process.exit(run.status ?? 1);
}
