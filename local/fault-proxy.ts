/**
 * A test-only HTTP proxy in front of the emulator that injects AWS faults (issue 12): for requests
 * that match (by service and, for the JSON services, operation) it can hold the request unanswered
 * (an endpoint that stopped answering), answer 503, or answer a service's throttling error, for a
 * number of requests or until cleared. Everything else is forwarded unchanged. The control plane's
 * clients reach it through their endpoint option, as they reach the emulator.
 */
import { createServer, request as forward, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * freeze: never answered (until cleared); unavailable: 503; throttle: the service's throttling
 * error; transaction-conflict: DynamoDB cancelling a transaction for a conflicting one;
 * lose-answer: the request reaches AWS and takes effect, but its answer is replaced by a 503 (a
 * timeout after the service took the call).
 */
export type FaultKind = 'freeze' | 'unavailable' | 'throttle' | 'transaction-conflict' | 'lose-answer';

export interface Fault {
  kind: FaultKind;
  /** The SigV4 signing name: dynamodb, states, ec2, cloudformation, secretsmanager... */
  service?: string;
  /** For JSON services, the operation of X-Amz-Target (e.g. StartExecution); Query services: Action. */
  operation?: string;
  /** How many matching requests to fault; unlimited when absent (until `clear`). */
  times?: number;
  /** Faults that begin with this one's first match: an outage that spreads from one call on. */
  then?: Fault[];
}

export interface FaultProxy {
  endpoint: string;
  inject(fault: Fault): void;
  /** Ends every fault; held requests are released (forwarded) now. */
  clear(): void;
  /** Requests faulted so far, per kind. */
  readonly faulted: Record<FaultKind, number>;
  close(): Promise<void>;
}

/** The signing service of a SigV4 request: Credential=<key>/<date>/<region>/<service>/aws4_request. */
function serviceOf(request: IncomingMessage): string | undefined {
  return /Credential=[^/]+\/[^/]+\/[^/]+\/([^/]+)\//.exec(request.headers.authorization ?? '')?.[1];
}

function operationOf(request: IncomingMessage, body: string): string | undefined {
  const target = request.headers['x-amz-target'];
  if (typeof target === 'string') return target.split('.').pop();
  return new URLSearchParams(body).get('Action') ?? undefined;
}

export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const upstream = new URL(target);
  let faults: Fault[] = [];
  let held: (() => void)[] = [];
  const faulted: Record<FaultKind, number> = {
    freeze: 0,
    unavailable: 0,
    throttle: 0,
    'transaction-conflict': 0,
    'lose-answer': 0,
  };

  const server: Server = createServer((incoming, response) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const body = Buffer.concat(chunks);
      const pass = (loseAnswer = false) => {
        const outgoing = forward(
          {
            host: upstream.hostname,
            port: upstream.port,
            method: incoming.method,
            path: incoming.url,
            headers: incoming.headers,
          },
          (answer) => {
            if (loseAnswer) {
              answer.resume();
              answer.on('end', () => {
                response.writeHead(503, { 'content-type': 'text/plain' });
                response.end('Service Unavailable');
              });
              return;
            }
            response.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(response);
          },
        );
        outgoing.on('error', () => {
          if (!response.headersSent) response.writeHead(502);
          response.end();
        });
        outgoing.end(body);
      };
      const service = serviceOf(incoming);
      const operation = operationOf(incoming, body.toString());
      const fault = faults.find(
        (candidate) =>
          (candidate.service === undefined || candidate.service === service) &&
          (candidate.operation === undefined || candidate.operation === operation),
      );
      if (!fault) return pass();
      if (fault.then) {
        faults.push(...fault.then);
        fault.then = undefined;
      }
      if (fault.times !== undefined && --fault.times <= 0) faults = faults.filter((other) => other !== fault);
      faulted[fault.kind] += 1;
      if (fault.kind === 'freeze') {
        // Answered only once the fault is cleared (or never, if the client gives up first).
        held.push(pass);
        return;
      }
      if (fault.kind === 'lose-answer') return pass(true);
      if (fault.kind === 'unavailable') {
        response.writeHead(503, { 'content-type': 'text/plain' });
        response.end('Service Unavailable');
        return;
      }
      if (fault.kind === 'transaction-conflict') {
        response.writeHead(400, { 'content-type': 'application/x-amz-json-1.0' });
        response.end(
          JSON.stringify({
            __type: 'com.amazonaws.dynamodb.v20120810#TransactionCanceledException',
            message:
              'Transaction cancelled, please refer cancellation reasons for specific reasons [TransactionConflict]',
            CancellationReasons: [
              { Code: 'TransactionConflict', Message: 'Transaction is ongoing for the item' },
            ],
          }),
        );
        return;
      }
      // Throttling, in the service's protocol: a JSON error document, or Query XML.
      if (incoming.headers['x-amz-target']) {
        response.writeHead(400, {
          'content-type': 'application/x-amz-json-1.0',
          'x-amzn-errortype': 'ThrottlingException',
        });
        response.end(JSON.stringify({ __type: 'ThrottlingException', message: 'Rate exceeded' }));
      } else {
        response.writeHead(503, { 'content-type': 'text/xml' });
        response.end(
          '<Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>Request limit exceeded.</Message></Error></Errors></Response>',
        );
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    faulted,
    inject: (fault) => {
      faults.push({ ...fault });
    },
    clear: () => {
      faults = [];
      const release = held;
      held = [];
      for (const pass of release) pass();
    },
    close: () =>
      new Promise<void>((resolve) => {
        faults = [];
        held = [];
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
