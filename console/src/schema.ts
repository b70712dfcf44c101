/**
 * The create form is built from the API's own OpenAPI document (GET /openapi.json), which is
 * generated from the zod schemas that validate requests: every field, its default and its rule
 * come from there, so a field the API gains shows up here. The checks below are the ones JSON
 * Schema states; the dry run (POST /clusters?dryRun=true) then runs the API's full validation.
 */
export interface JsonSchema {
  type?: string;
  enum?: (string | number)[];
  const?: string;
  anyOf?: JsonSchema[];
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  default?: unknown;
  description?: string;
  format?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
}

export interface OpenApi {
  paths: Record<string, Record<string, unknown>>;
  components: { schemas: Record<string, JsonSchema> };
}

/** Labels the contract names (Cluster ID, Key pair, Deployment type) and readable ones for the rest. */
const LABELS: Record<string, string> = {
  clusterId: 'Cluster ID',
  keypair: 'Key pair',
  deploymentType: 'Deployment type',
  masterInstanceType: 'Master instance type',
  cpuAgentInstanceType: 'CPU agent instance type',
  gpuAgentInstanceType: 'GPU agent instance type',
  inboundCidr: 'Inbound CIDR',
  dbPassword: 'Database password',
  region: 'Region',
  maxCpuContainersPerAgent: 'Max CPU containers per agent',
  maxIdleAgentPeriod: 'Max idle agent period',
  maxDynamicAgents: 'Max dynamic agents',
  spot: 'Spot instances',
  spotMaxPrice: 'Spot max price (USD/h)',
  determinedVersion: 'Determined version',
  idleTimeout: 'Idle timeout',
  expiresAt: 'Expires at',
  tags: 'Tags',
  schedule: 'Schedule',
  restoreFrom: 'Restore from',
  protected: 'Protected',
};

export const labelOf = (name: string): string =>
  LABELS[name] ?? name.replace(/([A-Z])/g, ' $1').replace(/^./, (first) => first.toUpperCase());

export interface Field {
  name: string;
  label: string;
  schema: JsonSchema;
  required: boolean;
  kind: 'select' | 'checkbox' | 'number' | 'text' | 'password' | 'tags' | 'schedule';
}

export function createFields(openapi: OpenApi): Field[] {
  const schema = openapi.components.schemas.CreateCluster;
  const required = new Set(schema?.required ?? []);
  return Object.entries(schema?.properties ?? {}).map(([name, property]) => ({
    name,
    label: labelOf(name),
    schema: property,
    required: required.has(name),
    kind: kindOf(name, property),
  }));
}

function kindOf(name: string, schema: JsonSchema): Field['kind'] {
  if (name === 'dbPassword') return 'password';
  if (name === 'tags') return 'tags';
  if (schema.type === 'object') return 'schedule';
  if (schema.enum) return 'select';
  if (schema.type === 'boolean') return 'checkbox';
  if (schema.type === 'integer' || schema.type === 'number') return 'number';
  return 'text';
}

/** The rule in words, from the schema. */
export function ruleOf(schema: JsonSchema): string {
  const parts: string[] = [];
  if (schema.description) parts.push(schema.description);
  else {
    if (schema.minLength !== undefined || schema.maxLength !== undefined)
      parts.push(`${schema.minLength ?? 0} to ${schema.maxLength} characters`);
    if (schema.minimum !== undefined || schema.maximum !== undefined)
      parts.push(`a whole number from ${schema.minimum} to ${schema.maximum}`);
    if (schema.format === 'date-time') parts.push('an ISO-8601 instant such as 2030-01-31T18:00:00Z');
  }
  return parts.join('; ');
}

/** The JSON Schema checks of one value; undefined when it passes them. */
export function checkValue(schema: JsonSchema, value: unknown): string | undefined {
  if (schema.anyOf) {
    const problems = schema.anyOf.map((option) => checkValue(option, value));
    return problems.some((problem) => problem === undefined) ? undefined : problems.at(-1);
  }
  if (schema.const !== undefined && value !== schema.const) return `must be ${schema.const}`;
  if (schema.enum && !schema.enum.includes(value as string))
    return `must be one of ${schema.enum.join(', ')}`;
  if (typeof value === 'string') {
    if (schema.minLength !== undefined && value.length < schema.minLength)
      return `must be at least ${schema.minLength} characters`;
    if (schema.maxLength !== undefined && value.length > schema.maxLength)
      return `must be at most ${schema.maxLength} characters`;
    if (schema.pattern && !new RegExp(schema.pattern).test(value)) return 'is not in the expected form';
  }
  if (typeof value === 'number') {
    if (!Number.isInteger(value) && schema.type === 'integer') return 'must be a whole number';
    if (schema.minimum !== undefined && value < schema.minimum) return `must be at least ${schema.minimum}`;
    if (schema.maximum !== undefined && value > schema.maximum) return `must be at most ${schema.maximum}`;
  }
  return undefined;
}
