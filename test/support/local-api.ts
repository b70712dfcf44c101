/**
 * Test helpers for the local runtime started by test/emulator/global-setup.ts: HTTP calls to the
 * API as a team, waiting for a status, and SDK clients pointed at the emulator.
 */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { RDSClient } from '@aws-sdk/client-rds';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { issueToken, signingKey } from '../../local/auth.ts';
import { projectRoot } from '../../local/paths.ts';

export const apiUrl = (): string => required('API_URL');
export const emulatorUrl = (): string => required('EMULATOR_URL');

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run this test in the "emulator" jest project`);
  return value;
}

export function tokenFor(
  team: string,
  options: { sub?: string; admin?: boolean; scopes?: string[] } = {},
): Promise<string> {
  return issueToken(signingKey(projectRoot), {
    team,
    sub: options.sub ?? `${team}-user`,
    admin: options.admin ?? false,
    teamClaim: 'team',
    hours: 1,
    ...(options.scopes ? { scopes: options.scopes } : {}),
  });
}

export interface Reply {
  status: number;
  headers: Headers;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- parsed JSON of any endpoint
  text: string;
}

export async function call(
  method: string,
  path: string,
  options: { token?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> } = {},
): Promise<Reply> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined = options.rawBody;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const send = () => fetch(`${apiUrl()}${path}`, { method, headers, body });
  // A GET is safe to send again when the connection it reused was reset under it.
  const response = await send().catch((error: unknown) => {
    if (method !== 'GET') throw error;
    return send();
  });
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  return { status: response.status, headers: response.headers, body: parsed, text };
}

/** Poll GET /clusters/{id} until `status` (or a 404 for DELETED); throws on an unexpected *_FAILED. */
export async function waitForStatus(
  clusterId: string,
  token: string,
  status: string,
  timeoutMs = 30_000,
): Promise<Reply> {
  const deadline = Date.now() + timeoutMs;
  let last: Reply | undefined;
  while (Date.now() < deadline) {
    last = await call('GET', `/clusters/${clusterId}`, { token });
    if (last.body?.status === status) return last;
    if (status === 'DELETED' && last.status === 404) return last;
    if (
      typeof last.body?.status === 'string' &&
      last.body.status.endsWith('FAILED') &&
      !status.endsWith('FAILED')
    ) {
      throw new Error(`${clusterId} reached ${last.body.status}: ${last.body.statusReason}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(
    `${clusterId} did not reach ${status} within ${timeoutMs} ms (last: ${last?.status} ${last?.text})`,
  );
}

/** POST /clusters (202 expected) and wait until it is READY: the cluster as GET answers it then. */
export async function createReady(token: string, body: Record<string, unknown>): Promise<Reply> {
  const created = await call('POST', '/clusters', { token, body });
  if (created.status !== 202) throw new Error(`POST /clusters answered ${created.status}: ${created.text}`);
  return waitForStatus(String(body.clusterId), token, 'READY', 60_000);
}

let counter = 0;
/** A cluster id unique to this test run. */
export function uniqueId(prefix: string): string {
  counter += 1;
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${counter}`;
}

function clientConfig() {
  return {
    endpoint: emulatorUrl(),
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  };
}

export const emulator = {
  cloudFormation: () => new CloudFormationClient(clientConfig()),
  ec2: () => new EC2Client(clientConfig()),
  s3: () => new S3Client({ ...clientConfig(), forcePathStyle: true }),
  rds: () => new RDSClient(clientConfig()),
  sfn: () => new SFNClient(clientConfig()),
  secrets: () => new SecretsManagerClient(clientConfig()),
  dynamo: () => DynamoDBDocumentClient.from(new DynamoDBClient(clientConfig())),
};

export const DEMO_KEY_PAIR = 'demo-key';
