/**
 * The AWS JSON protocol (DynamoDB, Step Functions, Secrets Manager, EventBridge): a signed POST of the
 * input as JSON, the operation named in X-Amz-Target, the output or an error document as JSON.
 */
import { AwsHttp, AwsServiceError, type AwsHttpOptions, type AwsResponse } from './http.ts';

export interface JsonService {
  signingName: string;
  endpointPrefix?: string;
  /** X-Amz-Target is `<targetPrefix>.<operation>`. */
  targetPrefix: string;
  jsonVersion: '1.0' | '1.1';
  /** Error codes thrown as their own class, so adapters can test with instanceof. */
  errors?: Record<string, typeof AwsServiceError>;
}

/** operation name -> [input, output], the part of a service's API an adapter calls. */
export type Operations = Record<string, [object, object]>;

export type ClientOptions = Omit<AwsHttpOptions, 'signingName' | 'endpointPrefix'>;

export class AwsJsonClient<O extends Operations> {
  private readonly http: AwsHttp;

  constructor(
    private readonly service: JsonService,
    options: ClientOptions,
  ) {
    this.http = new AwsHttp({
      ...options,
      signingName: service.signingName,
      ...(service.endpointPrefix ? { endpointPrefix: service.endpointPrefix } : {}),
    });
  }

  async call<K extends keyof O & string>(operation: K, input: O[K][0]): Promise<O[K][1]> {
    const text = await this.http.post(
      {
        'content-type': `application/x-amz-json-${this.service.jsonVersion}`,
        'x-amz-target': `${this.service.targetPrefix}.${operation}`,
      },
      JSON.stringify(input),
      (response) => this.error(response),
    );
    return (text ? JSON.parse(text) : {}) as O[K][1];
  }

  /** `{"__type": "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException", "message": ...}` */
  private error({ status, text, errorType }: AwsResponse): AwsServiceError {
    let body: Record<string, unknown> = {};
    try {
      const parsed: unknown = JSON.parse(text);
      if (parsed && typeof parsed === 'object') body = parsed as Record<string, unknown>;
    } catch {
      // not JSON (a proxy's error page, say)
    }
    const { __type: type, message, Message, ...details } = body;
    // The type may be namespaced (a.b#Code) and the header may carry a suffix (Code:http://...).
    const code = String(errorType ?? type ?? status)
      .split('#')
      .pop()
      ?.split(':')[0];
    const ErrorClass = this.service.errors?.[code ?? ''] ?? AwsServiceError;
    return new ErrorClass(
      code || String(status),
      String(message ?? Message ?? text.slice(0, 200)),
      status,
      details,
    );
  }
}
