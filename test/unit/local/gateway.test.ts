/**
 * The local API gateway's own answers (issue 18, finding 17): the token is checked before the body
 * is read, bodies over 16 KiB are refused without being read, and a malformed percent-encoding in
 * the path is a problem+json 400, never a 500.
 */
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import { connect } from 'node:net';
import { issueToken } from '../../../local/auth.ts';
import { startGateway } from '../../../local/gateway.ts';
import { freePort } from '../../../local/ports.ts';

const key = randomBytes(32);
let server: Server;
let port: number;
let token: string;

beforeAll(async () => {
  port = await freePort();
  server = await startGateway({ port, signingKey: key });
  token = await issueToken(key, { team: 'ml', sub: 'alice', admin: false, teamClaim: 'team', hours: 1 });
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** Sends the head of a request (and `body`, if any) and resolves with the answer's status line and body. */
function rawRequest(head: string, body = ''): Promise<{ status: number; text: string; ms: number }> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(`${head}\r\n\r\n${body}`));
    let text = '';
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      // The answer is chunked: complete at its last, empty chunk.
      if (text.includes('\r\n0\r\n\r\n')) {
        socket.destroy();
        resolve({ status: Number(text.split(' ')[1]), text, ms: Date.now() - started });
      }
    });
    socket.on('error', reject);
    setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer within 3 s; got: ${text.slice(0, 200)}`));
    }, 3000);
  });
}

describe('the local gateway', () => {
  it('answers 401 to a request without a token before reading its (20 MB) body', async () => {
    const reply = await rawRequest(
      'POST /clusters HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 20000000',
    );
    expect(reply.status).toBe(401);
    expect(reply.text).toContain('application/problem+json');
  });

  it('answers 413 to a body over 16 KiB by its Content-Length, without waiting for it', async () => {
    const reply = await rawRequest(
      `POST /clusters HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\nContent-Length: 20000000`,
    );
    expect(reply.status).toBe(413);
    expect(reply.text).toContain('urn:det-control-plane:problem:payload-too-large');
  });

  it('answers 413 to a chunked body once it passes 16 KiB', async () => {
    const chunk = 'x'.repeat(20_000);
    const reply = await rawRequest(
      `POST /clusters HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked`,
      `${chunk.length.toString(16)}\r\n${chunk}\r\n`,
    );
    expect(reply.status).toBe(413);
  });

  it('answers a malformed percent-encoding in the path with a problem+json 400', async () => {
    const response = await fetch(`http://127.0.0.1:${port}/clusters/%E0%A4%A`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(await response.json()).toMatchObject({ errors: [{ field: 'path' }] });
  });
});
