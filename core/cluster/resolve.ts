/** From a validated request to the cluster's parameters: defaults, policy and cross-field rules. */
import { ValidationError } from '../errors.ts';
import { assertWithinPolicy, type TeamPolicy } from '../policy.ts';
import type { ClusterParameters } from './model.ts';
import { CREATE_DEFAULTS, type CreateClusterRequest, type UpdateClusterRequest } from './request.ts';

export interface ResolveContext {
  policy: TeamPolicy;
  /** The control plane deploys with Step Functions service integrations, which act in its own region. */
  region: string;
  now: Date;
}

export function resolveCreate(request: CreateClusterRequest, context: ResolveContext): ClusterParameters {
  const { clusterId: _id, dbPassword: _secret, ...given } = request;
  const parameters: ClusterParameters = {
    ...CREATE_DEFAULTS,
    region: context.region,
    idleTimeout: context.policy.defaultIdleTimeout,
    tags: {},
    ...given,
  };
  checkRegion(parameters.region, context.region);
  checkExpiry(parameters.expiresAt, context.now);
  assertWithinPolicy(parameters, context.policy);
  return parameters;
}

/** The parameters after a PATCH; the same rules as a create apply to the result. */
export function resolveUpdate(
  current: ClusterParameters,
  patch: UpdateClusterRequest,
  context: ResolveContext,
): ClusterParameters {
  const { expiresAt, schedule, ...changes } = patch;
  const next: ClusterParameters = { ...current, ...changes };
  if (expiresAt === null) delete next.expiresAt;
  else if (expiresAt !== undefined) next.expiresAt = expiresAt;
  if (schedule === null) delete next.schedule;
  else if (schedule !== undefined) next.schedule = schedule;
  if (patch.spot === false) delete next.spotMaxPrice;
  if (next.spotMaxPrice !== undefined && !next.spot) {
    throw new ValidationError([{ field: 'spotMaxPrice', message: 'is only allowed with "spot": true' }]);
  }
  checkExpiry(patch.expiresAt ?? undefined, context.now);
  assertWithinPolicy(next, context.policy);
  return next;
}

function checkRegion(requested: string, served: string): void {
  if (requested !== served) {
    throw new ValidationError([
      {
        field: 'region',
        message: `this control plane deploys to ${served}; use the control plane of ${requested} for that region`,
      },
    ]);
  }
}

function checkExpiry(expiresAt: string | undefined, now: Date): void {
  if (expiresAt !== undefined && Date.parse(expiresAt) <= now.getTime()) {
    throw new ValidationError([{ field: 'expiresAt', message: 'must be in the future' }]);
  }
}
