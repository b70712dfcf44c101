/** The small clients' SigV4 signer gives the same Authorization as the SDK's own signer. */
import { SignatureV4 } from '@smithy/signature-v4';
import { credentialsFromEnv, sign, type Credentials } from '../../../adapters/aws/sigv4.ts';
import { Sha256 } from '../../support/sha256.ts';

const NOW = new Date('2026-12-02T13:45:07.321Z');

async function sdkSignature(
  url: URL,
  headers: Record<string, string>,
  body: string,
  scope: { region: string; service: string },
  credentials: Credentials,
): Promise<Record<string, string>> {
  const signer = new SignatureV4({ ...scope, credentials, sha256: Sha256 });
  const signed = await signer.sign(
    {
      method: 'POST',
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port ? { port: Number(url.port) } : {}),
      path: url.pathname,
      headers: { host: url.host, ...headers },
      body,
    },
    { signingDate: NOW },
  );
  return signed.headers as Record<string, string>;
}

describe('SigV4', () => {
  const cases: [string, string, Record<string, string>, string, Credentials][] = [
    [
      'a JSON call to DynamoDB',
      'https://dynamodb.us-east-1.amazonaws.com/',
      { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'DynamoDB_20120810.GetItem' },
      '{"TableName":"t","Key":{"pk":{"S":"CLUSTER#a b"}}}',
      { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' },
    ],
    [
      'a Query call with session credentials, on a local port',
      'http://127.0.0.1:4566/',
      { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
      'Action=DescribeKeyPairs&Version=2016-11-15&KeyName.1=demo-key',
      { accessKeyId: 'ASIAEXAMPLE', secretAccessKey: 'secret', sessionToken: 'FwoGZXIvYXdzE//token+/=' },
    ],
    [
      'a body with non-ASCII text and spaces in a header',
      'https://secretsmanager.eu-west-1.amazonaws.com/',
      { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': '  secretsmanager.CreateSecret  ' },
      '{"Description":"Grüße, ünïcödé"}',
      { accessKeyId: 'AKID', secretAccessKey: 'secret' },
    ],
  ];

  it.each(cases)('signs %s as the SDK does', async (_name, endpoint, headers, body, credentials) => {
    const url = new URL(endpoint);
    const region =
      url.hostname.split('.')[1] === 'us-east-1' || url.hostname === '127.0.0.1' ? 'us-east-1' : 'eu-west-1';
    const service = url.hostname === '127.0.0.1' ? 'ec2' : (url.hostname.split('.')[0] ?? '');
    const ours = sign({ method: 'POST', url, headers, body }, { region, service }, credentials, NOW);
    const sdk = await sdkSignature(url, headers, body, { region, service }, credentials);
    expect(ours.authorization).toBe(sdk.authorization);
    expect(ours['x-amz-date']).toBe('20261202T134507Z');
    expect(ours['x-amz-security-token']).toBe(credentials.sessionToken);
  });

  it('reads credentials from the environment and refuses to sign without them', () => {
    expect(credentialsFromEnv({ AWS_ACCESS_KEY_ID: 'a', AWS_SECRET_ACCESS_KEY: 's' })).toEqual({
      accessKeyId: 'a',
      secretAccessKey: 's',
    });
    expect(() => credentialsFromEnv({ AWS_ACCESS_KEY_ID: 'a' })).toThrow(/AWS_SECRET_ACCESS_KEY/);
  });
});
