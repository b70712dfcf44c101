/** The small EC2 Query client against a local HTTP server: signing, parsing, errors, retries. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Ec2KeyPairs } from '../../../adapters/key-pairs.ts';
import { Ec2Query, Ec2QueryError } from '../../../adapters/ec2-query.ts';

type Answer = { status: number; body: string; delayMs?: number };

describe('the EC2 Query client', () => {
  let server: Server;
  let endpoint: string;
  let answers: Answer[];
  let requests: { body: string; authorization: string }[];

  beforeAll(async () => {
    process.env.AWS_ACCESS_KEY_ID ??= 'test';
    process.env.AWS_SECRET_ACCESS_KEY ??= 'test';
    server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        requests.push({ body, authorization: String(request.headers.authorization) });
        const answer = answers.shift() ?? { status: 500, body: 'no answer scripted' };
        setTimeout(() => {
          response.writeHead(answer.status, { 'content-type': 'text/xml' });
          response.end(answer.body);
        }, answer.delayMs ?? 0);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => {
    answers = [];
    requests = [];
  });

  const keyPairs = (options: { timeoutMs?: number } = {}) =>
    new Ec2KeyPairs(new Ec2Query({ region: 'us-east-1', endpoint, baseDelayMs: 1, ...options }));
  const found =
    '<DescribeKeyPairsResponse><keySet><item><keyName>demo-key</keyName></item></keySet></DescribeKeyPairsResponse>';
  const notFound =
    '<Response><Errors><Error><Code>InvalidKeyPair.NotFound</Code><Message>The key pair does not exist</Message></Error></Errors></Response>';

  it('sends a SigV4-signed DescribeKeyPairs and reads the answer', async () => {
    answers.push({ status: 200, body: found });
    await expect(keyPairs().exists('demo-key')).resolves.toBe(true);
    expect(requests[0]?.body).toBe('Action=DescribeKeyPairs&Version=2016-11-15&KeyName.1=demo-key');
    expect(requests[0]?.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=\w+\/\d{8}\/us-east-1\/ec2\/aws4_request/,
    );
  });

  it('reports a missing key pair as absent, without retrying', async () => {
    answers.push({ status: 400, body: notFound });
    await expect(keyPairs().exists('other')).resolves.toBe(false);
    expect(requests).toHaveLength(1);
  });

  it('retries throttling, server errors and timeouts, then succeeds', async () => {
    answers.push(
      {
        status: 503,
        body: '<Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>slow down</Message></Error></Errors></Response>',
      },
      { status: 500, body: 'gateway page, not XML' },
      { status: 200, body: found, delayMs: 300 },
      { status: 200, body: found },
    );
    await expect(keyPairs({ timeoutMs: 150 }).exists('demo-key')).resolves.toBe(true);
    expect(requests).toHaveLength(4);
  });

  it('gives up after four attempts with the service’s error', async () => {
    for (let index = 0; index < 5; index++)
      answers.push({
        status: 500,
        body: '<Response><Errors><Error><Code>InternalError</Code><Message>down</Message></Error></Errors></Response>',
      });
    await expect(keyPairs().exists('demo-key')).rejects.toThrow(Ec2QueryError);
    expect(requests).toHaveLength(4);
  });
});
