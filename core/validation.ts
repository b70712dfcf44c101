import type * as z from 'zod/mini';
import { ValidationError, type FieldError } from './errors.ts';

/** Parse input with a schema; on failure throw a ValidationError naming every bad field. */
export function parseWith<S extends z.ZodMiniType>(schema: S, input: unknown): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data as z.infer<S>;
  throw new ValidationError(result.error.issues.flatMap((issue) => toFieldErrors(issue, input)));
}

function toFieldErrors(issue: z.core.$ZodIssue, input: unknown): FieldError[] {
  const field = issue.path.map(String).join('.') || 'body';
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => ({ field: prefix(field, key), message: 'is not a known field' }));
  }
  if (issue.code === 'invalid_union') {
    // Unions here are "literal or pattern": the pattern's message is the helpful one.
    const last = issue.errors.at(-1)?.[0];
    return [{ field, message: last ? describe(last, input, issue.path) : 'is not valid' }];
  }
  if (issue.code === 'invalid_key') {
    // The path already ends with the offending key.
    return issue.issues.map((inner) => ({ field, message: `key ${describe(inner, input, issue.path)}` }));
  }
  if (issue.code === 'invalid_element') {
    const path: PropertyKey[] = [...issue.path, String(issue.key)];
    return issue.issues.map((inner) => ({
      field: prefix(field, String(issue.key)),
      message: describe(inner, input, path),
    }));
  }
  return [{ field, message: describe(issue, input, issue.path) }];
}

/** zod/mini ships no messages (that keeps bundles small); these say what the caller must fix. */
function describe(issue: z.core.$ZodIssue, input: unknown, path: PropertyKey[]): string {
  if (issue.message && issue.message !== 'Invalid input') return issue.message;
  switch (issue.code) {
    case 'invalid_type':
      return valueAt(input, path) === undefined ? 'is required' : `must be ${article(issue.expected)}`;
    case 'too_small':
      return issue.origin === 'string'
        ? `must be at least ${issue.minimum} characters long`
        : `must be at least ${issue.minimum}`;
    case 'too_big':
      return issue.origin === 'string'
        ? `must be at most ${issue.maximum} characters long`
        : `must be at most ${issue.maximum}`;
    case 'invalid_value':
      return `must be one of ${issue.values.map((value) => JSON.stringify(value)).join(', ')}`;
    case 'invalid_format':
      return `must be a valid ${issue.format}`;
    default:
      return 'is not valid';
  }
}

function valueAt(input: unknown, path: PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

function article(expected: string): string {
  const noun = expected === 'int' ? 'integer' : expected;
  return /^[aeiou]/.test(noun) ? `an ${noun}` : `a ${noun}`;
}

function prefix(path: string, key: string): string {
  return path === 'body' ? key : `${path}.${key}`;
}
