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
import { checkSettings } from '../../../local/start.ts';
import { settingsRefusal } from '../../../scripts/deploy.ts';

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

  it('answers an unknown route and a method a route does not serve with problem+json 404s', async () => {
    const unknown = await fetch(`http://127.0.0.1:${port}/nowhere`);
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toBe('application/problem+json');
    expect(await unknown.json()).toMatchObject({
      status: 404,
      detail: expect.stringContaining('/openapi.json'),
    });
    const method = await fetch(`http://127.0.0.1:${port}/health`, { method: 'PUT' });
    expect(method.status).toBe(404);
    expect(await method.json()).toMatchObject({ detail: 'PUT is not served on /health; it answers GET.' });
  });

  it('answers a body that is not JSON with a problem+json 400, not a 500', async () => {
    const response = await fetch(`http://127.0.0.1:${port}/clusters`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: '{"clusterId":',
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
  });
});

describe('settings checked before the local runtime starts (ADR 0031)', () => {
  it('stops on an invalid TEAM_POLICIES or local setting with the reason', () => {
    expect(() => checkSettings({ TEAM_POLICIES: '{"teams":{"x":{"maxClusters":-1}}}' })).toThrow(
      /TEAM_POLICIES is not a valid policy document.*teams\.x\.maxClusters.*at least 0/,
    );
    expect(() => checkSettings({ TEAM_POLICIES: '{nope' })).toThrow(/TEAM_POLICIES must be JSON/);
    expect(() => checkSettings({ WORKFLOW_FALLBACK_POLL_SECONDS: '0' })).toThrow(
      /WORKFLOW_FALLBACK_POLL_SECONDS must be between/,
    );
    expect(() => checkSettings({ REAPER_INTERVAL_SECONDS: 'often' })).toThrow(/must be a number/);
    expect(() => checkSettings({})).not.toThrow();
  });

  it('refuses a deploy with an invalid setting before anything is deployed', () => {
    expect(settingsRefusal({ DET_CONTROL_PLANE_TEAM_POLICIES: '[1]' }, 'us-east-1')).toMatch(
      /^refusing to deploy: TEAM_POLICIES/,
    );
    expect(settingsRefusal({ DET_CONTROL_PLANE_TRACING_SAMPLE_RATE: '2' }, 'us-east-1')).toMatch(
      /between 0 and 1/,
    );
    expect(settingsRefusal({ DET_CONTROL_PLANE_ALARM_EMAIL: 'ops' }, 'us-east-1')).toMatch(/not an email/);
    expect(settingsRefusal({}, 'us-east-1')).toBeUndefined();
  });
});
