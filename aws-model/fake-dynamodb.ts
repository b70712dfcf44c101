/**
 * An in-memory DynamoDB table for the workflow scenario tests: GetItem, PutItem, UpdateItem and DeleteItem on
 * items in DynamoDB JSON, with the expression rules DynamoDB enforces, so a workflow's conditional
 * write succeeds or fails here exactly when it would on AWS:
 * ConditionExpression (comparisons, AND/OR/NOT, IN, attribute_exists/attribute_not_exists),
 * UpdateExpression (SET with + and -, if_not_exists; REMOVE; ADD), ProjectionExpression, and the
 * validation errors: undefined or unused #names and :values, reserved words used bare, overlapping
 * paths, key attributes updated, SET reading an attribute the item does not have.
 */

export type AttributeValue =
  | { S: string }
  | { N: string }
  | { BOOL: boolean }
  | { NULL: true }
  | { M: Record<string, AttributeValue> }
  | { L: AttributeValue[] };
export type Item = Record<string, AttributeValue>;

export class DynamoError extends Error {
  constructor(code: string, message: string) {
    super(message);
    this.name = `DynamoDB.${code}`;
  }
}

/** Plain JSON -> DynamoDB JSON. */
export function toAttribute(value: unknown): AttributeValue {
  if (typeof value === 'string') return { S: value };
  if (typeof value === 'number') return { N: String(value) };
  if (typeof value === 'boolean') return { BOOL: value };
  if (value === null || value === undefined) return { NULL: true };
  if (Array.isArray(value)) return { L: value.map(toAttribute) };
  return {
    M: Object.fromEntries(
      Object.entries(value as object)
        .filter(([, inner]) => inner !== undefined)
        .map(([key, inner]) => [key, toAttribute(inner)]),
    ),
  };
}

/** DynamoDB JSON -> plain JSON. */
export function fromAttribute(value: AttributeValue): unknown {
  if ('S' in value) return value.S;
  if ('N' in value) return Number(value.N);
  if ('BOOL' in value) return value.BOOL;
  if ('NULL' in value) return null;
  if ('L' in value) return value.L.map(fromAttribute);
  return fromItem(value.M);
}

export const toItem = (record: Record<string, unknown>): Item => (toAttribute(record) as { M: Item }).M;
export const fromItem = (item: Item): Record<string, unknown> =>
  Object.fromEntries(Object.entries(item).map(([key, value]) => [key, fromAttribute(value)]));

// DynamoDB reserves about 570 words; these are the ones a cluster record could plausibly use bare.
const RESERVED = new Set([
  'ACTION',
  'ADD',
  'ALL',
  'AND',
  'ATTRIBUTE',
  'BETWEEN',
  'BY',
  'COUNT',
  'DATA',
  'DATE',
  'DELETE',
  'EXISTS',
  'IN',
  'INDEX',
  'ITEM',
  'KEY',
  'KEYS',
  'LIMIT',
  'NAME',
  'NOT',
  'NULL',
  'OR',
  'OWNER',
  'PARAMETERS',
  'REGION',
  'REMOVE',
  'RESULT',
  'SET',
  'SIZE',
  'STATE',
  'STATUS',
  'TIME',
  'TIMESTAMP',
  'TOKEN',
  'TTL',
  'TYPE',
  'UPDATE',
  'USER',
  'VALUE',
  'VALUES',
  'ZONE',
]);

type Token = { kind: 'name' | 'value' | 'word' | 'op' | 'number'; text: string };

function tokenize(expression: string): Token[] {
  const tokens: Token[] = [];
  const pattern = /\s*(#[A-Za-z0-9_]+|:[A-Za-z0-9_]+|[A-Za-z_][A-Za-z0-9_]*|\d+|<>|<=|>=|[=<>(),.+\-[\]])/y;
  let at = 0;
  while (at < expression.length) {
    if (/^\s*$/.test(expression.slice(at))) break;
    pattern.lastIndex = at;
    const match = pattern.exec(expression);
    if (!match?.[1])
      throw new DynamoError('ValidationException', `Invalid expression near: ${expression.slice(at)}`);
    const text = match[1];
    const kind = text.startsWith('#')
      ? 'name'
      : text.startsWith(':')
        ? 'value'
        : /^\d+$/.test(text)
          ? 'number'
          : /^[A-Za-z_]/.test(text)
            ? 'word'
            : 'op';
    tokens.push({ kind, text });
    at = pattern.lastIndex;
  }
  return tokens;
}

interface Expressions {
  names: Record<string, string>;
  values: Record<string, AttributeValue>;
  usedNames: Set<string>;
  usedValues: Set<string>;
}

type Path = (string | number)[];
type Operand =
  | { kind: 'path'; path: Path }
  | { kind: 'value'; value: AttributeValue }
  | { kind: 'ifNotExists'; path: Path; fallback: Operand }
  | { kind: 'arith'; op: '+' | '-'; left: Operand; right: Operand };

class Parser {
  private at = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly expressions: Expressions,
  ) {}

  done(): boolean {
    return this.at >= this.tokens.length;
  }
  peek(): Token | undefined {
    return this.tokens[this.at];
  }
  isWord(word: string): boolean {
    const token = this.peek();
    return token?.kind === 'word' && token.text.toUpperCase() === word;
  }
  take(text?: string): Token {
    const token = this.tokens[this.at];
    if (!token || (text !== undefined && token.text.toUpperCase() !== text)) {
      throw new DynamoError(
        'ValidationException',
        `Invalid expression: expected ${text ?? 'more'} at token ${this.at} (${token?.text ?? 'end'})`,
      );
    }
    this.at++;
    return token;
  }

  path(): Path {
    const path: Path = [this.pathSegment()];
    for (;;) {
      if (this.peek()?.text === '.') {
        this.take('.');
        path.push(this.pathSegment());
      } else if (this.peek()?.text === '[') {
        this.take('[');
        path.push(Number(this.take().text));
        this.take(']');
      } else return path;
    }
  }

  private pathSegment(): string {
    const token = this.take();
    if (token.kind === 'name') {
      const name = this.expressions.names[token.text];
      if (name === undefined) {
        throw new DynamoError(
          'ValidationException',
          `An expression attribute name used in the document path is not defined; attribute name: ${token.text}`,
        );
      }
      this.expressions.usedNames.add(token.text);
      return name;
    }
    if (token.kind !== 'word') throw new DynamoError('ValidationException', `Invalid path at ${token.text}`);
    if (RESERVED.has(token.text.toUpperCase())) {
      throw new DynamoError(
        'ValidationException',
        `Attribute name is a reserved keyword; reserved keyword: ${token.text}`,
      );
    }
    return token.text;
  }

  operand(): Operand {
    const token = this.peek();
    if (token?.kind === 'value') {
      this.take();
      const value = this.expressions.values[token.text];
      if (value === undefined) {
        throw new DynamoError(
          'ValidationException',
          `An expression attribute value used in expression is not defined; attribute value: ${token.text}`,
        );
      }
      this.expressions.usedValues.add(token.text);
      return { kind: 'value', value };
    }
    if (token?.kind === 'word' && token.text === 'if_not_exists') {
      this.take();
      this.take('(');
      const path = this.path();
      this.take(',');
      const fallback = this.operand();
      this.take(')');
      return { kind: 'ifNotExists', path, fallback };
    }
    return { kind: 'path', path: this.path() };
  }

  setValue(): Operand {
    const left = this.operand();
    const op = this.peek()?.text;
    if (op === '+' || op === '-') {
      this.take();
      return { kind: 'arith', op, left, right: this.operand() };
    }
    return left;
  }
}

const get = (item: Item | undefined, path: Path): AttributeValue | undefined => {
  let current: AttributeValue | undefined = item ? { M: item } : undefined;
  for (const segment of path) {
    if (!current) return undefined;
    const node: AttributeValue = current;
    if (typeof segment === 'number')
      current = 'L' in node ? (node.L as AttributeValue[])[segment] : undefined;
    else current = 'M' in node ? (node.M as Record<string, AttributeValue>)[segment] : undefined;
  }
  return current;
};

const equal = (a: AttributeValue | undefined, b: AttributeValue | undefined): boolean =>
  a !== undefined && b !== undefined && JSON.stringify(a) === JSON.stringify(b);

function compare(a: AttributeValue | undefined, b: AttributeValue | undefined): number | undefined {
  if (!a || !b) return undefined;
  if ('N' in a && 'N' in b) return Number(a.N) - Number(b.N);
  if ('S' in a && 'S' in b) return a.S < b.S ? -1 : a.S > b.S ? 1 : 0;
  return undefined;
}

function evaluate(operand: Operand, item: Item | undefined, strict: boolean): AttributeValue | undefined {
  switch (operand.kind) {
    case 'value':
      return operand.value;
    case 'path': {
      const value = get(item, operand.path);
      if (strict && value === undefined) {
        throw new DynamoError(
          'ValidationException',
          'The provided expression refers to an attribute that does not exist in the item',
        );
      }
      return value;
    }
    case 'ifNotExists':
      return get(item, operand.path) ?? evaluate(operand.fallback, item, strict);
    case 'arith': {
      const left = evaluate(operand.left, item, strict);
      const right = evaluate(operand.right, item, strict);
      if (!left || !right || !('N' in left) || !('N' in right)) {
        throw new DynamoError(
          'ValidationException',
          'An operand in the update expression has an incorrect data type',
        );
      }
      const result = operand.op === '+' ? Number(left.N) + Number(right.N) : Number(left.N) - Number(right.N);
      return { N: String(result) };
    }
  }
}

function condition(parser: Parser, item: Item | undefined): boolean {
  const or = (): boolean => {
    let result = and();
    while (parser.isWord('OR')) {
      parser.take();
      const right = and();
      result = result || right;
    }
    return result;
  };
  const and = (): boolean => {
    let result = not();
    while (parser.isWord('AND')) {
      parser.take();
      const right = not();
      result = result && right;
    }
    return result;
  };
  const not = (): boolean => {
    if (parser.isWord('NOT')) {
      parser.take();
      return !not();
    }
    return primary();
  };
  const primary = (): boolean => {
    if (parser.peek()?.text === '(') {
      parser.take('(');
      const result = or();
      parser.take(')');
      return result;
    }
    const token = parser.peek();
    if (token?.kind === 'word' && ['attribute_exists', 'attribute_not_exists'].includes(token.text)) {
      parser.take();
      parser.take('(');
      const present = get(item, parser.path()) !== undefined;
      parser.take(')');
      return token.text === 'attribute_exists' ? present : !present;
    }
    const left = evaluate(parser.operand(), item, false);
    if (parser.isWord('IN')) {
      parser.take();
      parser.take('(');
      const options = [evaluate(parser.operand(), item, false)];
      while (parser.peek()?.text === ',') {
        parser.take(',');
        options.push(evaluate(parser.operand(), item, false));
      }
      parser.take(')');
      return options.some((option) => equal(left, option));
    }
    const op = parser.take().text;
    const right = evaluate(parser.operand(), item, false);
    if (op === '=') return equal(left, right);
    if (op === '<>') return left !== undefined && !equal(left, right);
    const order = compare(left, right);
    if (order === undefined) return false;
    if (op === '<') return order < 0;
    if (op === '<=') return order <= 0;
    if (op === '>') return order > 0;
    if (op === '>=') return order >= 0;
    throw new DynamoError('ValidationException', `Invalid operator ${op}`);
  };
  const result = or();
  if (!parser.done())
    throw new DynamoError('ValidationException', 'Invalid ConditionExpression: trailing tokens');
  return result;
}

interface Request {
  TableName: string;
  Key?: Item;
  Item?: Item;
  UpdateExpression?: string;
  ConditionExpression?: string;
  ProjectionExpression?: string;
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: Record<string, AttributeValue>;
  ReturnValues?: string;
  ConsistentRead?: boolean;
}

export class FakeTable {
  private readonly items = new Map<string, Item>();

  constructor(
    readonly name: string,
    private readonly keys: [string, string] = ['pk', 'sk'],
  ) {}

  private keyOf(key: Item): string {
    const [hash, range] = this.keys;
    const h = key[hash];
    const r = key[range];
    if (!h || !r || !('S' in h) || !('S' in r) || Object.keys(key).length !== 2) {
      throw new DynamoError('ValidationException', 'The provided key element does not match the schema');
    }
    return `${h.S}\u0000${r.S}`;
  }

  private begin(request: Request): Expressions {
    if (request.TableName !== this.name) {
      throw new DynamoError(
        'ResourceNotFoundException',
        `Requested resource not found: ${request.TableName}`,
      );
    }
    return {
      names: request.ExpressionAttributeNames ?? {},
      values: request.ExpressionAttributeValues ?? {},
      usedNames: new Set(),
      usedValues: new Set(),
    };
  }

  private finish(expressions: Expressions): void {
    const unusedNames = Object.keys(expressions.names).filter((name) => !expressions.usedNames.has(name));
    if (unusedNames.length > 0) {
      throw new DynamoError(
        'ValidationException',
        `Value provided in ExpressionAttributeNames unused in expressions: keys: {${unusedNames.join(', ')}}`,
      );
    }
    const unusedValues = Object.keys(expressions.values).filter(
      (value) => !expressions.usedValues.has(value),
    );
    if (unusedValues.length > 0) {
      throw new DynamoError(
        'ValidationException',
        `Value provided in ExpressionAttributeValues unused in expressions: keys: {${unusedValues.join(', ')}}`,
      );
    }
  }

  private check(expressions: Expressions, request: Request, item: Item | undefined): void {
    if (!request.ConditionExpression) return;
    const passed = condition(new Parser(tokenize(request.ConditionExpression), expressions), item);
    this.finish(expressions);
    if (!passed) throw new DynamoError('ConditionalCheckFailedException', 'The conditional request failed');
  }

  getItem(request: Request): { Item?: Item } {
    const expressions = this.begin(request);
    const item = this.items.get(this.keyOf(request.Key ?? {}));
    if (!request.ProjectionExpression) {
      this.finish(expressions);
      return item ? { Item: structuredClone(item) } : {};
    }
    const parser = new Parser(tokenize(request.ProjectionExpression), expressions);
    const paths: Path[] = [parser.path()];
    while (!parser.done()) {
      parser.take(',');
      paths.push(parser.path());
    }
    this.finish(expressions);
    if (!item) return {};
    const projected: Item = {};
    for (const path of paths) {
      const top = String(path[0]);
      if (item[top] !== undefined) projected[top] = structuredClone(item[top]);
    }
    return { Item: projected };
  }

  putItem(request: Request): Record<string, never> {
    const expressions = this.begin(request);
    const item = request.Item ?? {};
    const key = this.keyOf({
      [this.keys[0]]: item[this.keys[0]],
      [this.keys[1]]: item[this.keys[1]],
    } as Item);
    this.check(expressions, request, this.items.get(key));
    if (!request.ConditionExpression) this.finish(expressions);
    this.items.set(key, structuredClone(item));
    return {};
  }

  deleteItem(request: Request): Record<string, never> {
    const expressions = this.begin(request);
    const key = this.keyOf(request.Key ?? {});
    this.check(expressions, request, this.items.get(key));
    if (!request.ConditionExpression) this.finish(expressions);
    this.items.delete(key);
    return {};
  }

  updateItem(request: Request): { Attributes?: Item } {
    const expressions = this.begin(request);
    const key = this.keyOf(request.Key ?? {});
    const before = this.items.get(key);
    const after: Item = structuredClone(before ?? request.Key ?? {});
    const parser = new Parser(tokenize(request.UpdateExpression ?? ''), expressions);
    const touched: string[] = [];
    const touch = (path: Path) => {
      const text = path.join('.');
      if (path[0] === this.keys[0] || path[0] === this.keys[1]) {
        throw new DynamoError(
          'ValidationException',
          `Cannot update attribute ${path[0]}. This attribute is part of the key`,
        );
      }
      if (
        touched.some(
          (other) => other === text || other.startsWith(`${text}.`) || text.startsWith(`${other}.`),
        )
      ) {
        throw new DynamoError('ValidationException', `Two document paths overlap: ${text}`);
      }
      touched.push(text);
    };
    const writes: (() => void)[] = [];
    const setPath = (path: Path, value: AttributeValue | undefined) => {
      let target: Item = after;
      for (const segment of path.slice(0, -1)) {
        const next = target[String(segment)];
        if (!next || !('M' in next)) {
          throw new DynamoError(
            'ValidationException',
            'The document path provided in the update expression is invalid for update',
          );
        }
        target = next.M;
      }
      const last = String(path.at(-1));
      if (value === undefined) Reflect.deleteProperty(target, last);
      else target[last] = value;
    };
    while (!parser.done()) {
      const clause = parser.take().text.toUpperCase();
      const actions = () => {
        for (;;) {
          if (clause === 'SET') {
            const path = parser.path();
            parser.take('=');
            const operand = parser.setValue();
            touch(path);
            // Values are read from the item as it was, and only once the condition holds.
            writes.push(() => setPath(path, evaluate(operand, before, true)));
          } else if (clause === 'REMOVE') {
            const path = parser.path();
            touch(path);
            writes.push(() => setPath(path, undefined));
          } else if (clause === 'ADD') {
            const path = parser.path();
            const operand = parser.operand();
            touch(path);
            writes.push(() => {
              const amount = evaluate(operand, before, true);
              const current = get(before, path);
              if (!amount || !('N' in amount) || (current && !('N' in current))) {
                throw new DynamoError('ValidationException', 'ADD supports numbers only here');
              }
              setPath(path, {
                N: String(Number(current && 'N' in current ? current.N : 0) + Number(amount.N)),
              });
            });
          } else {
            throw new DynamoError('ValidationException', `Unsupported update clause ${clause}`);
          }
          if (parser.peek()?.text !== ',') return;
          parser.take(',');
        }
      };
      actions();
    }
    this.check(expressions, request, before);
    if (!request.ConditionExpression) this.finish(expressions);
    for (const write of writes) write(); // a ValidationException here leaves the item untouched
    this.items.set(key, after);
    if (request.ReturnValues === 'ALL_NEW') return { Attributes: structuredClone(after) };
    if (request.ReturnValues === 'ALL_OLD') return before ? { Attributes: structuredClone(before) } : {};
    return {};
  }

  /**
   * Query a keys-only index whose hash key is one attribute (the table's `by-stack`): the
   * KeyConditionExpression is `<attribute> = :value`. Items answer with the table's keys and the
   * index's key, as DynamoDB's KEYS_ONLY projection does.
   */
  queryIndex(request: Request & { IndexName?: string; KeyConditionExpression?: string }): {
    Items: Item[];
    Count: number;
    ScannedCount: number;
  } {
    const expressions = this.begin(request);
    const match = /^\s*(#?\w+)\s*=\s*(:\w+)\s*$/.exec(request.KeyConditionExpression ?? '');
    if (!match || !request.IndexName)
      throw new DynamoError('ValidationException', 'the fake queries an index by one equality only');
    const [, name = '', placeholder = ''] = match;
    const attribute = name.startsWith('#') ? expressions.names[name] : name;
    const value = expressions.values[placeholder];
    if (!attribute || !value) throw new DynamoError('ValidationException', 'unresolved expression');
    expressions.usedNames.add(name);
    expressions.usedValues.add(placeholder);
    this.finish(expressions);
    const [hash, range] = this.keys;
    const items = [...this.items.values()]
      .filter((item) => JSON.stringify(item[attribute]) === JSON.stringify(value))
      .map((item) => {
        const projected: Item = {};
        for (const key of [hash, range, attribute])
          if (item[key]) projected[key] = structuredClone(item[key]);
        return projected;
      });
    return { Items: items, Count: items.length, ScannedCount: items.length };
  }

  /** Test access: the item under a key, or undefined. */
  read(pk: string, sk: string): Item | undefined {
    return this.items.get(`${pk}\u0000${sk}`);
  }

  write(item: Item): void {
    this.items.set(
      this.keyOf({ [this.keys[0]]: item[this.keys[0]], [this.keys[1]]: item[this.keys[1]] } as Item),
      structuredClone(item),
    );
  }

  query(pk: string, skPrefix: string): Item[] {
    return [...this.items.values()]
      .filter((item) => {
        const h = item[this.keys[0]];
        const r = item[this.keys[1]];
        return h && 'S' in h && h.S === pk && r && 'S' in r && r.S.startsWith(skPrefix);
      })
      .map((item) => structuredClone(item));
  }
}
