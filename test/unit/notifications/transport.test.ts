/**
 * The webhook POST against a real local HTTP server: it delivers, follows no redirect, gives up on a
 * receiver that does not answer, and refuses addresses the policy forbids, also when a host name
 * resolves to one (the check runs on the resolved address).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  BlockedAddressError,
  HttpWebhookTransport,
  guardedLookup,
} from '../../../adapters/webhook-transport.ts';

let server: Server;
let base: string;
const received: { path: string; body: string; headers: Record<string, unknown> }[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      received.push({ path: request.url ?? '', body, headers: request.headers });
      if (request.url === '/redirect') {
        response.writeHead(307, { location: '/elsewhere' }).end();
      } else if (request.url === '/slow') {
        setTimeout(() => response.writeHead(200).end(), 2000);
      } else {
        response.writeHead(204).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const local = new HttpWebhookTransport({ policy: { allowLoopbackHttp: true }, timeoutMs: 500 });

describe('HttpWebhookTransport', () => {
  it('posts the body and headers and reports the status', async () => {
    const reply = await local.post(`${base}/hook`, '{"a":1}', {
      'webhook-id': 'msg_1',
      'content-type': 'application/json',
    });
    expect(reply.status).toBe(204);
    expect(received.at(-1)).toMatchObject({
      path: '/hook',
      body: '{"a":1}',
      headers: { 'webhook-id': 'msg_1' },
    });
  });

  it('does not follow a redirect', async () => {
    const before = received.length;
    expect((await local.post(`${base}/redirect`, '{}', {})).status).toBe(307);
    expect(received.length).toBe(before + 1);
  });

  it('gives up on a receiver that does not answer in time', async () => {
    await expect(local.post(`${base}/slow`, '{}', {})).rejects.toThrow(/within 500 ms/);
  });

  it('refuses loopback, private and metadata addresses where the policy forbids them', async () => {
    const aws = new HttpWebhookTransport({ policy: { allowLoopbackHttp: false }, timeoutMs: 500 });
    await expect(aws.post(`${base}/hook`, '{}', {})).rejects.toThrow(BlockedAddressError);
    await expect(aws.post('https://169.254.169.254/latest', '{}', {})).rejects.toThrow(BlockedAddressError);
    await expect(aws.post('https://[::ffff:127.0.0.1]/', '{}', {})).rejects.toThrow(BlockedAddressError);
  });

  it('checks the addresses a host name resolves to', async () => {
    const lookup = guardedLookup({ allowLoopbackHttp: false });
    const error = await new Promise<Error | null>((resolve) =>
      lookup('localhost', {}, (failure) => resolve(failure)),
    );
    expect(error).toBeInstanceOf(BlockedAddressError);
    const allowed = guardedLookup({ allowLoopbackHttp: true });
    const address = await new Promise<string>((resolve) =>
      allowed('localhost', {}, (_e, found) => resolve(String(found))),
    );
    expect(['127.0.0.1', '::1']).toContain(address);
  });
});
