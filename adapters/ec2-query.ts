/**
 * A minimal EC2 Query API client for the two read calls the Lambda functions make (DescribeKeyPairs,
 * DescribeInstances). @aws-sdk/client-ec2 carries EC2's whole schema (about 550 KB minified, and
 * it does not tree-shake), which alone would break the 500 KB bundle budget; signing and credentials
 * come from the same SDK packages the other clients use (docs/adr/0007-bundling.md).
 */
import { fromEnv } from '@aws-sdk/credential-provider-env';
import { parseXML } from '@aws-sdk/xml-builder';
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from './sha256.ts';

const API_VERSION = '2016-11-15';

export class Ec2QueryError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly httpStatus?: number,
  ) {
    super(`${code}: ${message}`);
    this.name = 'Ec2QueryError';
  }
}

export type XmlValue = string | XmlObject | XmlValue[];
export interface XmlObject {
  [name: string]: XmlValue | undefined;
}

export class Ec2Query {
  private readonly signer: SignatureV4;
  private readonly endpoint: URL;

  private readonly options: { timeoutMs: number; maxAttempts: number; baseDelayMs: number };

  constructor(options: {
    region: string;
    endpoint?: string;
    timeoutMs?: number;
    maxAttempts?: number;
    baseDelayMs?: number;
  }) {
    this.options = {
      timeoutMs: options.timeoutMs ?? 10_000,
      maxAttempts: options.maxAttempts ?? 4,
      baseDelayMs: options.baseDelayMs ?? 100,
    };
    this.endpoint = new URL(options.endpoint ?? `https://ec2.${options.region}.amazonaws.com/`);
    this.signer = new SignatureV4({
      service: 'ec2',
      region: options.region,
      credentials: fromEnv(),
      sha256: Sha256,
    });
  }

  /** Call an action with flattened Query parameters (e.g. {"KeyName.1": "x"}); returns the parsed XML body. */
  /**
   * Call an action with flattened Query parameters (e.g. {"KeyName.1": "x"}); returns the parsed XML
   * body. Like the SDK clients, it retries what may pass: timeouts, network errors, throttling, 5xx.
   */
  async call(action: string, parameters: Record<string, string>): Promise<XmlObject> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.send(action, parameters);
      } catch (error) {
        if (attempt >= this.options.maxAttempts || !isTransient(error)) throw error;
        // Full jitter on an exponential base, as the SDK's standard retry strategy.
        await new Promise((resolve) =>
          setTimeout(resolve, Math.random() * this.options.baseDelayMs * 2 ** (attempt - 1)),
        );
      }
    }
  }

  private async send(action: string, parameters: Record<string, string>): Promise<XmlObject> {
    const body = new URLSearchParams({ Action: action, Version: API_VERSION, ...parameters }).toString();
    const request = await this.signer.sign({
      method: 'POST',
      protocol: this.endpoint.protocol,
      hostname: this.endpoint.hostname,
      ...(this.endpoint.port ? { port: Number(this.endpoint.port) } : {}),
      path: this.endpoint.pathname,
      headers: {
        host: this.endpoint.host,
        'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
      },
      body,
    });
    const response = await fetch(this.endpoint, {
      method: 'POST',
      headers: request.headers as Record<string, string>,
      body,
      signal: AbortSignal.timeout(this.options.timeoutMs),
    });
    const text = await response.text();
    if (!response.ok) {
      let error: XmlObject | undefined;
      try {
        error = pick(parseXML(text) as XmlObject, 'Response', 'Errors', 'Error') as XmlObject | undefined;
      } catch {
        // not XML (a proxy's error page, say)
      }
      throw new Ec2QueryError(
        String(error?.Code ?? response.status),
        String(error?.Message ?? text.slice(0, 200)),
        response.status,
      );
    }
    return parseXML(text) as XmlObject;
  }
}

const THROTTLING = new Set([
  'RequestLimitExceeded',
  'Throttling',
  'ThrottlingException',
  'ServiceUnavailable',
  'InternalError',
]);

/** Worth another try: throttling, a 5xx, a timeout (TimeoutError) or a network failure (TypeError). */
function isTransient(error: unknown): boolean {
  if (error instanceof Ec2QueryError) return THROTTLING.has(error.code) || (error.httpStatus ?? 0) >= 500;
  // By name, not class: fetch's errors (a DOMException on timeout) may come from another realm.
  const name = (error as { name?: unknown } | null)?.name;
  return name === 'TimeoutError' || name === 'TypeError' || name === 'AbortError';
}

/** Walk a parsed XML document by element names. */
export function pick(node: XmlValue | undefined, ...path: string[]): XmlValue | undefined {
  let current = node;
  for (const name of path) {
    if (current === undefined || typeof current === 'string' || Array.isArray(current)) return undefined;
    current = current[name];
  }
  return current;
}

/** EC2 lists are <set><item>..</item></set>; one item parses as an object, several as an array. */
export function items(node: XmlValue | undefined): XmlObject[] {
  const item = pick(node, 'item');
  if (item === undefined) return [];
  return (Array.isArray(item) ? item : [item]).filter(
    (entry): entry is XmlObject => typeof entry === 'object' && !Array.isArray(entry),
  );
}
