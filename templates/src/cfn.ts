/** A small, typed vocabulary for CloudFormation templates written as code. */
export type Value = string | number | boolean | Value[] | { [key: string]: Value };

export interface Resource {
  Type: string;
  Condition?: string;
  DependsOn?: string | string[];
  DeletionPolicy?: 'Delete' | 'Retain' | 'Snapshot';
  UpdateReplacePolicy?: 'Delete' | 'Retain' | 'Snapshot';
  CreationPolicy?: Record<string, Value>;
  Properties?: Record<string, Value>;
}

export interface Output {
  Description: string;
  Value: Value;
  Condition?: string;
}

export interface Parameter {
  Type: string;
  Description: string;
  Default?: string | number;
  NoEcho?: boolean;
  AllowedValues?: string[];
  AllowedPattern?: string;
  MinValue?: number;
  MaxValue?: number;
  MaxLength?: number;
  ConstraintDescription?: string;
}

/** A slice of a template; the composer merges fragments and refuses duplicate names. */
export interface Fragment {
  Parameters?: Record<string, Parameter>;
  Mappings?: Record<string, Record<string, Record<string, string>>>;
  Conditions?: Record<string, Value>;
  Resources?: Record<string, Resource>;
  Outputs?: Record<string, Output>;
}

export interface Template extends Fragment {
  AWSTemplateFormatVersion: '2010-09-09';
  Description: string;
  Resources: Record<string, Resource>;
}

export const ref = (name: string): Value => ({ Ref: name });
export const getAtt = (resource: string, attribute: string): Value => ({
  'Fn::GetAtt': [resource, attribute],
});
export const sub = (text: string, variables?: Record<string, Value>): Value => ({
  'Fn::Sub': variables ? [text, variables] : text,
});
export const join = (separator: string, parts: Value[]): Value => ({ 'Fn::Join': [separator, parts] });
export const ifThen = (condition: string, then: Value, otherwise: Value): Value => ({
  'Fn::If': [condition, then, otherwise],
});
export const equals = (a: Value, b: Value): Value => ({ 'Fn::Equals': [a, b] });
export const not = (condition: Value): Value => ({ 'Fn::Not': [condition] });
export const findInMap = (map: string, key: Value, attribute: string): Value => ({
  'Fn::FindInMap': [map, key, attribute],
});
export const select = (index: number, list: Value): Value => ({ 'Fn::Select': [String(index), list] });
export const getAZs = (): Value => ({ 'Fn::GetAZs': '' });
export const base64 = (value: Value): Value => ({ 'Fn::Base64': value });
export const noValue: Value = { Ref: 'AWS::NoValue' };
export const stackName: Value = { Ref: 'AWS::StackName' };
export const region: Value = { Ref: 'AWS::Region' };
export const partition: Value = { Ref: 'AWS::Partition' };
/** The UUID at the end of the stack's id: unique per stack, valid in any AWS name. */
export const stackUuid: Value = { 'Fn::Select': ['2', { 'Fn::Split': ['/', { Ref: 'AWS::StackId' }] }] };

export function tags(values: Record<string, Value>): Value {
  return Object.entries(values).map(([Key, Value]) => ({ Key, Value }));
}

const SECTIONS = ['Parameters', 'Mappings', 'Conditions', 'Resources', 'Outputs'] as const;

/** Merge fragments; two fragments naming the same thing is a programming error. */
export function mergeFragments(...fragments: Fragment[]): Fragment {
  const merged: Fragment = {};
  for (const fragment of fragments) {
    for (const section of SECTIONS) {
      const entries = fragment[section];
      if (!entries) continue;
      const target = (merged[section] ??= {}) as Record<string, unknown>;
      for (const [name, value] of Object.entries(entries)) {
        if (name in target) throw new Error(`two fragments define ${section}.${name}`);
        target[name] = value;
      }
    }
  }
  return merged;
}

export function compose(description: string, fragments: Fragment[]): Template {
  const { Resources = {}, ...rest } = mergeFragments(...fragments);
  return { AWSTemplateFormatVersion: '2010-09-09', Description: description, ...rest, Resources };
}
