/**
 * `npm run deploy -- [--stage S] [--region R]`: refuses a region without Determined's images
 * (core/cluster/regions.ts), then runs `osls deploy` with the same arguments. serverless.yml's own
 * default region (us-east-1) applies when none is given.
 * Usage: tsx scripts/deploy.ts [osls deploy options]
 */
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { loadConfig } from '../adapters/config.ts';
import { ConfigurationError, numberFromEnv } from '../adapters/env.ts';
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

/**
 * The settings serverless.yml passes to the functions (DET_CONTROL_PLANE_*), checked as the
 * functions will read them, before anything is deployed; undefined when they are valid, else why not.
 * Resource names CloudFormation fills in are placeholders here.
 */
export function settingsRefusal(env: NodeJS.ProcessEnv, region: string): string | undefined {
  try {
    loadConfig({
      AWS_REGION: region,
      CLUSTERS_TABLE: 'deployed',
      ...Object.fromEntries(
        ['CREATE', 'UPDATE', 'DELETE', 'STOP', 'START', 'UPGRADE'].map((op) => [
          `${op}_STATE_MACHINE_ARN`,
          'deployed',
        ]),
      ),
      API_KEY_SECRET_ID: 'deployed',
      STACK_PREFIX: 'detcp-checked-',
      AUTH_TEAM_CLAIM: env.DET_CONTROL_PLANE_TEAM_CLAIM,
      TEAM_POLICIES: env.DET_CONTROL_PLANE_TEAM_POLICIES,
      TEARDOWN_GRACE_SECONDS: env.DET_CONTROL_PLANE_TEARDOWN_GRACE_SECONDS,
    });
    numberFromEnv(env, 'DET_CONTROL_PLANE_TRACING_SAMPLE_RATE', 0.05, { min: 0, max: 1 });
    const email = env.DET_CONTROL_PLANE_ALARM_EMAIL?.trim();
    if (email && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email))
      throw new ConfigurationError(`DET_CONTROL_PLANE_ALARM_EMAIL is not an email address: "${email}"`);
    return undefined;
  } catch (error) {
    if (error instanceof ConfigurationError) return `refusing to deploy: ${error.message}`;
    throw error;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  const refusal = deployRefusal(args) ?? settingsRefusal(process.env, deployRegion(args));
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
