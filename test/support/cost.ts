/** Cluster parameters for the cost tests: the create defaults in us-east-1, with overrides. */
import type { ClusterParameters } from '../../core/cluster/model.ts';
import { CREATE_DEFAULTS } from '../../core/cluster/request.ts';

export function parameters(overrides: Partial<ClusterParameters> = {}): ClusterParameters {
  return {
    ...CREATE_DEFAULTS,
    keypair: 'demo-key',
    region: 'us-east-1',
    idleTimeout: '8h',
    tags: {},
    ...overrides,
  };
}
