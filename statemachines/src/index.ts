/** Every workflow definition, by the file it is rendered to in statemachines/. */
import type { StateMachine } from './asl.ts';
import { createWorkflow } from './create.ts';
import { deleteWorkflow } from './delete.ts';
import { executionFailureRelay } from './failure-relay.ts';
import { stackEventRelay } from './relay.ts';
import { startWorkflow } from './start.ts';
import { stopWorkflow } from './stop.ts';
import { updateWorkflow } from './update.ts';
import { upgradeWorkflow } from './upgrade.ts';

export const WORKFLOWS: Record<string, () => StateMachine> = {
  create: createWorkflow,
  update: updateWorkflow,
  upgrade: upgradeWorkflow,
  delete: deleteWorkflow,
  stop: stopWorkflow,
  start: startWorkflow,
  'stack-event-relay': stackEventRelay,
  'execution-failure-relay': executionFailureRelay,
};

/** The text of statemachines/<name>.asl.json (npm run statemachines writes it, a test checks it). */
export function renderedAsl(name: string): string {
  const build = WORKFLOWS[name];
  if (!build) throw new Error(`no workflow ${name}`);
  return `${JSON.stringify(build(), null, 2)}\n`;
}

/** The names in ${...} that CloudFormation (or the local runtime) fills in. */
export const SUBSTITUTIONS = [
  'ClustersTable',
  'DeleteStateMachineArn',
  'StackRoleArn',
  'TemplatesBucket',
  'TemplatesBucketDomain',
] as const;
export type Substitution = (typeof SUBSTITUTIONS)[number];

/** A definition with its placeholders filled in, as DefinitionSubstitutions would. */
export function substitute(definition: string, values: Record<Substitution, string>): string {
  return definition.replace(/\$\{(\w+)\}/g, (match, name: string) =>
    name in values ? values[name as Substitution] : match,
  );
}
