/**
 * Team policy: the guardrails a platform team sets per tenant (docs/team-policy.md).
 * Configured as JSON in TEAM_POLICIES; `defaults` applies to every team, `teams.<name>` overrides it.
 */
import * as z from 'zod/mini';
import { ValidationError, type FieldError } from './errors.ts';
import { OPEN_TO_THE_WORLD } from './cluster/cidr.ts';
import { parseDuration } from './cluster/duration.ts';
import { DEPLOYMENT_TYPES } from './cluster/request.ts';
import type { ClusterParameters } from './cluster/model.ts';

const teamPolicyFields = {
  /** Clusters a team may hold at once (every status but DELETED counts). Over it: 429. */
  maxClusters: z.int().check(z.minimum(0), z.maximum(10_000)),
  allowedDeploymentTypes: z.array(z.enum(DEPLOYMENT_TYPES)),
  /** Agent instance types the team may use; empty means the contract's whole allow-list. */
  allowedAgentInstanceTypes: z.array(z.string()),
  allowOpenInboundCidr: z.boolean(),
  /** idleTimeout when a request gives none: a duration or "never". */
  defaultIdleTimeout: z.string(),
  /** The shortest idleTimeout a request may ask for (a floor against thrashing), or "0s". */
  minIdleTimeout: z.string(),
  allowNeverIdleTimeout: z.boolean(),
  /** What the reaper does with an idle cluster after the warning's grace: park it, or tear it down. */
  idleAction: z.enum(['stop', 'delete']),
  /** How long a cluster may stay STOPPED before the reaper deletes it (data kept), or "never". */
  stoppedTeardownAfter: z.string().check(
    z.refine((value) => value === 'never' || parseDuration(value) !== undefined, {
      error: 'must be a duration such as 720h, or "never"',
    }),
  ),
  /** How far ahead a keepalive `until` may reach (a duration); beyond it the keepalive is refused. */
  maxKeepalive: z
    .string()
    .check(
      z.refine((value) => parseDuration(value) !== undefined, { error: 'must be a duration such as 168h' }),
    ),
  /**
   * USD a team may spend per UTC month (contract, "Money"); none by default, null removes a default.
   * Reached: creates, starts and cost-raising changes are refused (429) and running clusters stopped.
   */
  monthlyBudgetUsd: z.optional(z.nullable(z.number().check(z.minimum(0), z.maximum(100_000_000)))),
};

const partialPolicy = z.partial(z.strictObject(teamPolicyFields));

export const policyConfigSchema = z.strictObject({
  defaults: z.optional(partialPolicy),
  teams: z.optional(z.record(z.string(), partialPolicy)),
});

export type TeamPolicy = z.infer<z.ZodMiniObject<typeof teamPolicyFields>>;
export type PolicyConfig = z.infer<typeof policyConfigSchema>;

export const BUILT_IN_POLICY: TeamPolicy = {
  maxClusters: 25,
  allowedDeploymentTypes: [...DEPLOYMENT_TYPES],
  allowedAgentInstanceTypes: [],
  allowOpenInboundCidr: true,
  defaultIdleTimeout: '8h',
  minIdleTimeout: '0s',
  allowNeverIdleTimeout: true,
  maxKeepalive: '168h',
  idleAction: 'stop',
  stoppedTeardownAfter: '720h',
};

export function policyFor(config: PolicyConfig, team: string): TeamPolicy {
  return { ...BUILT_IN_POLICY, ...config.defaults, ...config.teams?.[team] };
}

/** Every way the parameters break the team's policy, as field errors (400). */
export function policyViolations(parameters: ClusterParameters, policy: TeamPolicy): FieldError[] {
  const errors: FieldError[] = [];
  if (!policy.allowedDeploymentTypes.includes(parameters.deploymentType)) {
    errors.push({
      field: 'deploymentType',
      message: `team policy allows only ${policy.allowedDeploymentTypes.join(', ')}`,
    });
  }
  for (const field of ['cpuAgentInstanceType', 'gpuAgentInstanceType'] as const) {
    const allowed = policy.allowedAgentInstanceTypes;
    if (allowed.length > 0 && !allowed.includes(parameters[field])) {
      errors.push({ field, message: `team policy allows only ${allowed.join(', ')}` });
    }
  }
  if (!policy.allowOpenInboundCidr && parameters.inboundCidr === OPEN_TO_THE_WORLD) {
    errors.push({
      field: 'inboundCidr',
      message: 'team policy forbids 0.0.0.0/0; give the CIDR block of your network',
    });
  }
  if (parameters.idleTimeout === 'never') {
    if (!policy.allowNeverIdleTimeout)
      errors.push({ field: 'idleTimeout', message: 'team policy requires an idle timeout' });
  } else {
    const floor = parseDuration(policy.minIdleTimeout) ?? 0;
    if ((parseDuration(parameters.idleTimeout) ?? 0) < floor) {
      errors.push({
        field: 'idleTimeout',
        message: `team policy requires at least ${policy.minIdleTimeout}`,
      });
    }
  }
  return errors;
}

/** A keepalive `until` may reach at most `maxKeepalive` past now (contract, "Stop and start"). */
export function assertKeepaliveWithinPolicy(until: string, policy: TeamPolicy, now: Date): void {
  const limit = now.getTime() + (parseDuration(policy.maxKeepalive) ?? 0) * 1000;
  if (Date.parse(until) > limit) {
    throw new ValidationError([
      { field: 'until', message: `team policy allows keepalive at most ${policy.maxKeepalive} ahead` },
    ]);
  }
}

export function assertWithinPolicy(parameters: ClusterParameters, policy: TeamPolicy): void {
  const errors = policyViolations(parameters, policy);
  if (errors.length > 0) throw new ValidationError(errors);
}
