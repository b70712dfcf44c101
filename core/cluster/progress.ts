/**
 * How far a stack operation is, for progress bars (det-deploy only printed "Still waiting..."):
 * resources done out of the template's resources that this cluster's parameters switch on.
 */
import type { ClusterStatus } from './status.ts';

export interface Progress {
  stackStatus: string;
  resourcesDone: number;
  resourcesTotal: number;
}

interface TemplateLike {
  Conditions?: Record<string, unknown>;
  Resources: Record<string, { Condition?: string }>;
}

/** Resources the template creates for these parameter values (conditions on parameters evaluated). */
export function resourcesCreated(template: TemplateLike, parameterValues: Record<string, string>): number {
  const evaluate = (expression: unknown): unknown => {
    if (expression === null || typeof expression !== 'object') return expression;
    const [[fn, args]] = Object.entries(expression as Record<string, unknown>) as [[string, unknown]];
    const list = Array.isArray(args) ? args : [args];
    switch (fn) {
      case 'Ref':
        return parameterValues[String(args)] ?? '';
      case 'Fn::Equals':
        return evaluate(list[0]) === evaluate(list[1]);
      case 'Fn::Not':
        return !evaluate(list[0]);
      case 'Fn::And':
        return list.every((item) => evaluate(item) === true);
      case 'Fn::Or':
        return list.some((item) => evaluate(item) === true);
      case 'Condition':
        return evaluate(template.Conditions?.[String(args)]);
      default:
        return true;
    }
  };
  return Object.values(template.Resources).filter(
    (resource) => !resource.Condition || evaluate(template.Conditions?.[resource.Condition]) === true,
  ).length;
}

/** Resources of the running operation that are done: created, deleted, or (updates) settled. */
export function resourcesDone(status: ClusterStatus, resourceStatuses: string[]): number {
  const done =
    status === 'CREATING'
      ? (state: string) => state === 'CREATE_COMPLETE'
      : status === 'DELETING'
        ? (state: string) => state === 'DELETE_COMPLETE' || state === 'DELETE_SKIPPED'
        : (state: string) => !state.endsWith('_IN_PROGRESS');
  return resourceStatuses.filter(done).length;
}
