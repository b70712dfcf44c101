/**
 * The parts of serverless.yml the observability resources are built over: each function (its
 * CloudFormation logical id, role, whether it serves HTTP) and each state machine. Reading them from
 * serverless.yml keeps one list: a new function gets its alarms when `npm run resources` is run, and
 * `npm run lint` fails until it is.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

export interface ServiceFunction {
  name: string;
  /** serverless' logical id: `createCluster` -> `CreateClusterLambdaFunction`. */
  logicalId: string;
  role: string;
  http: boolean;
  stream: boolean;
}

export interface ServiceStateMachine {
  name: string;
  logicalId: string;
  role: string;
  express: boolean;
}

export interface ServiceShape {
  functions: ServiceFunction[];
  stateMachines: ServiceStateMachine[];
}

interface ServerlessYaml {
  functions: Record<string, { role?: string; events?: Record<string, unknown>[] }>;
  stepFunctions: { stateMachines: Record<string, { id: string; role?: string; type?: string }> };
}

/** serverless' normalizeName: upper-case the first letter, spell out `-` and `_`. */
export function normalizedName(name: string): string {
  return `${name.charAt(0).toUpperCase()}${name.slice(1)}`.replace(/-/g, 'Dash').replace(/_/g, 'Underscore');
}

export function serviceShape(text: string): ServiceShape {
  // CloudFormation tags are kept as their text: `!GetAtt CreateWorkflowRole.Arn` -> 'CreateWorkflowRole.Arn'.
  const customTags = ['!Ref', '!GetAtt', '!Sub', '!Join', '!If'].map((tag) => ({
    tag,
    resolve: (value: string) => value,
  }));
  const config = parse(text, { customTags }) as ServerlessYaml;
  return {
    functions: Object.entries(config.functions).map(([name, definition]) => {
      if (!definition.role) throw new Error(`function ${name} has no role in serverless.yml`);
      return {
        name,
        logicalId: `${normalizedName(name)}LambdaFunction`,
        role: definition.role,
        http: (definition.events ?? []).some((event) => 'httpApi' in event),
        stream: (definition.events ?? []).some((event) => 'stream' in event),
      };
    }),
    stateMachines: Object.entries(config.stepFunctions.stateMachines).map(([name, definition]) => {
      if (!definition.role) throw new Error(`state machine ${name} has no role in serverless.yml`);
      return {
        name,
        logicalId: definition.id,
        role: definition.role.replace(/\.Arn$/, ''),
        express: definition.type === 'EXPRESS',
      };
    }),
  };
}

export function readServiceShape(file: URL = new URL('../../serverless.yml', import.meta.url)): ServiceShape {
  return serviceShape(readFileSync(file, 'utf8'));
}
