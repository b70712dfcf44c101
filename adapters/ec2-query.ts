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

  constructor(options: { region: string; endpoint?: string }) {
    this.endpoint = new URL(options.endpoint ?? `https://ec2.${options.region}.amazonaws.com/`);
    this.signer = new SignatureV4({
      service: 'ec2',
      region: options.region,
      credentials: fromEnv(),
      sha256: Sha256,
    });
  }

  /** Call an action with flattened Query parameters (e.g. {"KeyName.1": "x"}); returns the parsed XML body. */
  async call(action: string, parameters: Record<string, string>): Promise<XmlObject> {
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
      signal: AbortSignal.timeout(10_000),
    });
    const text = await response.text();
    const parsed = parseXML(text) as XmlObject;
    if (!response.ok) {
      const error = pick(parsed, 'Response', 'Errors', 'Error') as XmlObject | undefined;
      throw new Ec2QueryError(
        String(error?.Code ?? response.status),
        String(error?.Message ?? text.slice(0, 200)),
      );
    }
    return parsed;
  }
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
