/**
 * The AWS Query protocol (EC2, CloudFormation): a signed form POST of Action, Version and flattened
 * parameters ({"KeyName.1": "x"}), answered in XML, parsed with the SDK's own small XML parser.
 */
import { parseXML } from '@aws-sdk/xml-builder';
import { AwsHttp, AwsServiceError, type AwsHttpOptions } from './http.ts';

export interface QueryService {
  signingName: string;
  version: string;
}

export type XmlValue = string | XmlObject | XmlValue[];
export interface XmlObject {
  [name: string]: XmlValue | undefined;
}

export class AwsQueryClient {
  private readonly http: AwsHttp;

  constructor(
    private readonly service: QueryService,
    options: Omit<AwsHttpOptions, 'signingName'>,
  ) {
    this.http = new AwsHttp({ ...options, signingName: service.signingName });
  }

  /** Call an action with flattened parameters; returns the parsed XML body. */
  async call(action: string, parameters: Record<string, string>): Promise<XmlObject> {
    const body = new URLSearchParams({ Action: action, Version: this.service.version, ...parameters });
    const text = await this.http.post(
      { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
      body.toString(),
      ({ status, text }) => {
        let error: XmlValue | undefined;
        try {
          const document = parseXML(text) as XmlObject;
          // EC2: <Response><Errors><Error>; the other Query services: <ErrorResponse><Error>.
          error = pick(document, 'Response', 'Errors', 'Error') ?? pick(document, 'ErrorResponse', 'Error');
        } catch {
          // not XML (a proxy's error page, say)
        }
        return new AwsServiceError(
          String(pick(error, 'Code') ?? status),
          String(pick(error, 'Message') ?? text.slice(0, 200)),
          status,
        );
      },
    );
    return parseXML(text) as XmlObject;
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

/**
 * The entries of an XML list: <set><item>..</item></set> in EC2, <list><member>..</member></list>
 * elsewhere, <DBInstances><DBInstance>..</DBInstance></DBInstances> in RDS. One entry parses as an
 * object, several as an array.
 */
export function items(
  node: XmlValue | undefined,
  element: 'item' | 'member' | 'DBInstance' = 'item',
): XmlObject[] {
  const entries = pick(node, element);
  if (entries === undefined) return [];
  return (Array.isArray(entries) ? entries : [entries]).filter(
    (entry): entry is XmlObject => typeof entry === 'object' && !Array.isArray(entry),
  );
}

/** The text of an element, or undefined when it is absent or not text. */
export function text(node: XmlValue | undefined, ...path: string[]): string | undefined {
  const value = pick(node, ...path);
  return typeof value === 'string' ? value : undefined;
}
