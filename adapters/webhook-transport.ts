/**
 * One webhook POST over node:http(s): the host's addresses are resolved here and each is checked
 * (core/notifications/url-guard.ts) before the connection is made to that very address, so a name
 * that resolves to a private, link-local or metadata address is refused, however it got there.
 * No redirect is followed, the answer's body is read up to 64 KiB and dropped, and the whole
 * exchange is bounded by a timeout.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import type { WebhookResponse, WebhookTransport } from '../core/notifications/ports.ts';
import { addressProblem, webhookUrlProblem, type UrlPolicy } from '../core/notifications/url-guard.ts';

const MAX_RESPONSE_BYTES = 64 * 1024;

export class BlockedAddressError extends Error {}

/** dns.lookup, keeping only addresses the policy allows; none left is an error. */
export function guardedLookup(policy: UrlPolicy): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, '', 0);
      const list = addresses as LookupAddress[];
      const allowed = list.filter(({ address }) => !addressProblem(address, policy));
      const first = allowed[0];
      if (!first) {
        const reason = list[0] ? addressProblem(list[0].address, policy) : 'it has no address';
        return callback(new BlockedAddressError(`${hostname} is refused: ${reason}`), '', 0);
      }
      if (options.all) return callback(null, allowed as unknown as string, 0);
      return callback(null, first.address, first.family);
    });
  };
}

export class HttpWebhookTransport implements WebhookTransport {
  constructor(private readonly options: { policy: UrlPolicy; timeoutMs: number }) {}

  post(url: string, body: string, headers: Record<string, string>): Promise<WebhookResponse> {
    const problem = webhookUrlProblem(url, this.options.policy);
    if (problem) return Promise.reject(new BlockedAddressError(`the URL ${problem}`));
    const target = new URL(url);
    const host = target.hostname.replace(/^\[|\]$/g, '');
    if (isIP(host) !== 0) {
      const refused = addressProblem(host, this.options.policy);
      if (refused) return Promise.reject(new BlockedAddressError(refused));
    }
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const request = send(
        target,
        {
          method: 'POST',
          headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
          lookup: guardedLookup(this.options.policy),
          timeout: this.options.timeoutMs,
        },
        (response) => {
          let size = 0;
          response.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > MAX_RESPONSE_BYTES) response.destroy();
          });
          const done = () => resolve({ status: response.statusCode ?? 0 });
          response.on('end', done);
          response.on('close', done);
          response.on('error', done);
        },
      );
      const timer = setTimeout(
        () => request.destroy(new Error(`no answer within ${this.options.timeoutMs} ms`)),
        this.options.timeoutMs,
      );
      request.on('timeout', () =>
        request.destroy(new Error(`no answer within ${this.options.timeoutMs} ms`)),
      );
      request.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      request.on('close', () => clearTimeout(timer));
      request.end(body);
    });
  }
}
