/**
 * CloudFormation's intrinsic functions, evaluated offline the way CloudFormation would for given
 * parameters and pseudo parameters, with sample values for what only a real stack knows (physical
 * ids, attributes): enough to read what a stack would give its master, and the ARNs its roles name.
 * Covers what the templates and resources/*.yml use: Ref, GetAtt, FindInMap, If, Equals, Not, And,
 * Or, Sub, Join, Split, Select, GetAZs, Base64 (which really encodes, as the boot decodes it).
 */
type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any -- CloudFormation JSON

export interface Scope {
  parameters: Record<string, string>;
  /** Pseudo parameters: AWS::Region, AWS::StackName, AWS::AccountId, AWS::Partition, AWS::StackId. */
  pseudo: Record<string, string>;
  template: Json;
  /** Physical ids and attributes of resources; sampleOf() for anything not given. */
  physical?: (logicalId: string, attribute?: string) => string | undefined;
}

/** A sample physical id or attribute of a resource: what CloudFormation would fill in. */
export const sampleOf = (logicalId: string, attribute?: string): string =>
  attribute ? `${logicalId}.${attribute}-value` : `${logicalId}-id`;

export const NO_VALUE = Symbol('AWS::NoValue');

function resolveRef(name: string, scope: Scope): Json {
  if (name === 'AWS::NoValue') return NO_VALUE;
  if (name in scope.pseudo) return scope.pseudo[name];
  if (name in scope.parameters) return scope.parameters[name];
  const declared = scope.template.Parameters?.[name];
  if (declared) {
    if (declared.Default === undefined) throw new Error(`parameter ${name} has no value and no default`);
    return String(declared.Default);
  }
  if (!(name in (scope.template.Resources ?? {}))) throw new Error(`Ref to unknown ${name}`);
  return scope.physical?.(name) ?? sampleOf(name);
}

function resolveGetAtt(resource: string, attribute: string, scope: Scope): Json {
  if (!(resource in (scope.template.Resources ?? {}))) throw new Error(`GetAtt of unknown ${resource}`);
  return scope.physical?.(resource, attribute) ?? sampleOf(resource, attribute);
}

export function condition(name: string, scope: Scope): boolean {
  const definition = scope.template.Conditions?.[name];
  if (definition === undefined) throw new Error(`unknown condition ${name}`);
  return Boolean(evaluate(definition, scope));
}

export function evaluate(value: Json, scope: Scope): Json {
  if (Array.isArray(value)) {
    return value.map((item) => evaluate(item, scope)).filter((item) => item !== NO_VALUE);
  }
  if (value === null || typeof value !== 'object') return value;
  const keys = Object.keys(value);
  const key = keys.length === 1 ? keys[0] : undefined;
  const argument = key === undefined ? undefined : value[key];
  switch (key) {
    case 'Ref':
      return resolveRef(argument, scope);
    case 'Fn::GetAtt': {
      const [resource, attribute] = typeof argument === 'string' ? argument.split(/\.(.*)/s) : argument;
      return resolveGetAtt(resource, attribute, scope);
    }
    case 'Fn::FindInMap': {
      const [map, top, second] = argument.map((part: Json) => evaluate(part, scope));
      const found = scope.template.Mappings?.[map]?.[top]?.[second];
      if (found === undefined) throw new Error(`FindInMap ${map}/${top}/${second} has no value`);
      return found;
    }
    case 'Fn::If':
      return evaluate(condition(argument[0], scope) ? argument[1] : argument[2], scope);
    case 'Fn::Equals':
      return String(evaluate(argument[0], scope)) === String(evaluate(argument[1], scope));
    case 'Fn::Not':
      return !evaluate(argument[0], scope);
    case 'Fn::And':
      return argument.every((item: Json) => Boolean(evaluate(item, scope)));
    case 'Fn::Or':
      return argument.some((item: Json) => Boolean(evaluate(item, scope)));
    case 'Condition':
      return condition(argument, scope);
    case 'Fn::Base64':
      return Buffer.from(String(evaluate(argument, scope)), 'utf8').toString('base64');
    case 'Fn::Join':
      return evaluate(argument[1], scope).map(String).join(argument[0]);
    case 'Fn::Split':
      return String(evaluate(argument[1], scope)).split(argument[0]);
    case 'Fn::Select':
      return evaluate(argument[1], scope)[Number(evaluate(argument[0], scope))];
    case 'Fn::GetAZs':
      return ['a', 'b', 'c'].map((zone) => `${scope.pseudo['AWS::Region']}${zone}`);
    case 'Fn::Sub': {
      const [text, variables] = typeof argument === 'string' ? [argument, {}] : argument;
      const values: Record<string, string> = {};
      for (const [name, expression] of Object.entries<Json>(variables))
        values[name] = String(evaluate(expression, scope));
      return (text as string).replace(/\$\{([^!}][^}]*)\}/g, (_match: string, name: string) => {
        if (name in values) return values[name] as string;
        const [resource, attribute] = name.split(/\.(.*)/s) as [string, string | undefined];
        return String(attribute ? resolveGetAtt(resource, attribute, scope) : resolveRef(resource, scope));
      });
    }
    default: {
      const result: Record<string, Json> = {};
      for (const [name, item] of Object.entries<Json>(value)) {
        const evaluated = evaluate(item, scope);
        if (evaluated !== NO_VALUE) result[name] = evaluated;
      }
      return result;
    }
  }
}

/** The master's user data as CloudFormation would give it to the instance (decoded from base64). */
export function renderedUserData(template: Json, scope: Omit<Scope, 'template'>): string {
  const encoded = evaluate(template.Resources.MasterInstance.Properties.UserData, { ...scope, template });
  return Buffer.from(encoded, 'base64').toString('utf8');
}

/** The shell script part of a MIME user data (from #!/bin/bash to the closing boundary). */
export function userDataScript(userData: string): string {
  const start = userData.indexOf('#!/bin/bash');
  const end = userData.lastIndexOf('--//--');
  if (start < 0 || end < start) throw new Error('no shell script part in the user data');
  return userData.slice(start, end);
}
