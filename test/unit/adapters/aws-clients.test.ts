/**
 * The small AWS clients (adapters/aws/) against a local HTTP server: signing, the Query and JSON
 * protocols, DynamoDB's native values, errors as the adapters test them, and the SDK's retries.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  ConditionalCheckFailedException,
  DynamoDocumentClient,
  GetCommand,
  QueryCommand,
  TransactionCanceledException,
  TransactWriteCommand,
} from '../../../adapters/aws/dynamodb.ts';
import { AwsServiceError } from '../../../adapters/aws/http.ts';
import { AwsJsonClient } from '../../../adapters/aws/json.ts';
import { AwsQueryClient, items, pick } from '../../../adapters/aws/query.ts';
import { Ec2KeyPairs } from '../../../adapters/key-pairs.ts';
import { DependencyUnavailableError, ServiceUnavailableError } from '../../../core/errors.ts';
import { CloudFormationChangeSets } from '../../../adapters/change-sets.ts';
import { currentDeadline, withDeadline } from '../../../adapters/aws/deadline.ts';
import {
  CLOUDFORMATION,
  EC2,
  STEP_FUNCTIONS,
  type StepFunctionsClient,
} from '../../../adapters/aws/services.ts';
import { CloudFormationStackReader } from '../../../adapters/stack-reader.ts';
import { StepFunctionsWorkflows } from '../../../adapters/workflows.ts';

type Answer = { status: number; body: string; delayMs?: number; contentType?: string };

describe('the small AWS clients', () => {
  let server: Server;
  let endpoint: string;
  let answers: Answer[];
  let requests: { body: string; headers: IncomingHttpHeaders }[];

  beforeAll(async () => {
    process.env.AWS_ACCESS_KEY_ID ??= 'test';
    process.env.AWS_SECRET_ACCESS_KEY ??= 'test';
    server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        requests.push({ body, headers: request.headers });
        const answer = answers.shift() ?? { status: 500, body: 'no answer scripted' };
        const timer = setTimeout(() => {
          response.writeHead(answer.status, { 'content-type': answer.contentType ?? 'text/xml' });
          response.end(answer.body);
        }, answer.delayMs ?? 0);
        // A client that gave up does not keep a slow answer (and the test run) waiting.
        response.on('close', () => clearTimeout(timer));
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

  const options = (extra: { timeoutMs?: number } = {}) => ({
    region: 'us-east-1',
    endpoint,
    baseDelayMs: 1,
    ...extra,
  });
  const json = (status: number, body: unknown): Answer => ({
    status,
    body: JSON.stringify(body),
    contentType: 'application/x-amz-json-1.0',
  });

  describe('Query protocol (EC2)', () => {
    /** One DescribeKeyPairs call through the client: whether it found the name. */
    const keyPairs = (extra: { timeoutMs?: number } = {}) => {
      const ec2 = new AwsQueryClient(EC2, options(extra));
      return {
        exists: async (name: string) => {
          const response = await ec2.call('DescribeKeyPairs', { 'KeyName.1': name });
          return items(pick(response, 'DescribeKeyPairsResponse', 'keySet')).some(
            (pair) => pair.keyName === name,
          );
        },
      };
    };
    const found =
      '<DescribeKeyPairsResponse><keySet><item><keyName>demo-key</keyName></item></keySet></DescribeKeyPairsResponse>';
    const notFound =
      '<Response><Errors><Error><Code>InvalidKeyPair.NotFound</Code><Message>The key pair does not exist</Message></Error></Errors></Response>';

    it('sends a SigV4-signed DescribeKeyPairs and reads the answer', async () => {
      answers.push({ status: 200, body: found });
      await expect(keyPairs().exists('demo-key')).resolves.toBe(true);
      expect(requests[0]?.body).toBe('Action=DescribeKeyPairs&Version=2016-11-15&KeyName.1=demo-key');
      expect(requests[0]?.headers.authorization).toMatch(
        /^AWS4-HMAC-SHA256 Credential=\w+\/\d{8}\/us-east-1\/ec2\/aws4_request/,
      );
    });

    it('answers a client error (4xx) with its code, without retrying', async () => {
      answers.push({ status: 400, body: notFound });
      await expect(keyPairs().exists('other')).rejects.toMatchObject({ code: 'InvalidKeyPair.NotFound' });
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
      const failure = keyPairs().exists('demo-key');
      await expect(failure).rejects.toThrow(AwsServiceError);
      await expect(failure).rejects.toMatchObject({ code: 'InternalError', httpStatus: 500 });
      expect(requests).toHaveLength(4);
    });
  });

  describe('the create’s key-pair check (adapters/key-pairs.ts)', () => {
    const check = () => new Ec2KeyPairs(new AwsQueryClient(EC2, options()));
    const pair = (tags: [string, string][]) =>
      `<DescribeKeyPairsResponse><keySet><item><keyName>k</keyName>${
        tags.length
          ? `<tagSet>${tags.map(([key, value]) => `<item><key>${key}</key><value>${value}</value></item>`).join('')}</tagSet>`
          : ''
      }</item></keySet></DescribeKeyPairsResponse>`;

    it('takes an untagged key pair, or one tagged for the caller’s team', async () => {
      answers.push({ status: 200, body: pair([]) }, { status: 200, body: pair([['team', 'alpha']]) });
      await expect(check().usableBy('k', 'alpha')).resolves.toBe('usable');
      await expect(check().usableBy('k', 'alpha')).resolves.toBe('usable');
    });

    it('refuses a missing key pair and another team’s alike', async () => {
      answers.push(
        {
          status: 400,
          body: '<Response><Errors><Error><Code>InvalidKeyPair.NotFound</Code><Message>no</Message></Error></Errors></Response>',
        },
        {
          status: 200,
          body: pair([
            ['owner', 'x'],
            ['team', 'beta'],
          ]),
        },
        { status: 200, body: '<DescribeKeyPairsResponse><keySet/></DescribeKeyPairsResponse>' },
      );
      for (let index = 0; index < 3; index++)
        await expect(check().usableBy('k', 'alpha')).resolves.toBe('unusable');
    });

    it('leaves the check to the workflow (unknown) when EC2 keeps failing', async () => {
      for (let index = 0; index < 4; index++)
        answers.push({
          status: 503,
          body: '<Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>slow</Message></Error></Errors></Response>',
        });
      await expect(check().usableBy('k', 'alpha')).resolves.toBe('unknown');
      expect(requests).toHaveLength(4);
    });

    it('waits for EC2 no longer than its own budget, then answers unknown', async () => {
      answers.push({ status: 200, body: pair([]), delayMs: 9000 });
      const ec2 = new AwsQueryClient(EC2, options());
      const started = Date.now();
      // The budget is shorter than the shortest attempt: one attempt of MIN_ATTEMPT_MS (2 s).
      await expect(new Ec2KeyPairs(ec2, { budgetMs: 100 }).usableBy('k', 'alpha')).resolves.toBe('unknown');
      // Far from the 9 s answer, with room for a loaded CI machine.
      expect(Date.now() - started).toBeLessThan(6000);
    });

    it('reuses a usable answer for a minute, per team, and never a refusal', async () => {
      let now = 1_000_000;
      const keyPairs = new Ec2KeyPairs(new AwsQueryClient(EC2, options()), { now: () => now });
      answers.push(
        { status: 200, body: pair([]) },
        { status: 200, body: pair([]) },
        { status: 200, body: pair([['team', 'alpha']]) },
      );
      await expect(keyPairs.usableBy('k', 'alpha')).resolves.toBe('usable');
      await expect(keyPairs.usableBy('k', 'alpha')).resolves.toBe('usable');
      expect(requests).toHaveLength(1);
      await expect(keyPairs.usableBy('k', 'beta')).resolves.toBe('usable');
      expect(requests).toHaveLength(2);
      now += 60_001;
      await expect(keyPairs.usableBy('k', 'beta')).resolves.toBe('unusable');
      expect(requests).toHaveLength(3);
    });
  });

  describe('the request budget (adapters/aws/deadline.ts)', () => {
    it('ends a silent service as DependencyUnavailableError (503, Retry-After) by the deadline', async () => {
      answers.push({ status: 200, body: '{}', delayMs: 12_000, contentType: 'application/x-amz-json-1.0' });
      const sfn: StepFunctionsClient = new AwsJsonClient(STEP_FUNCTIONS, options());
      const started = Date.now();
      const failure = withDeadline(Date.now() + 2500, () =>
        sfn.call('StartExecution', { stateMachineArn: 'arn', name: 'n', input: '{}' }),
      );
      await expect(failure).rejects.toThrow(DependencyUnavailableError);
      await expect(failure).rejects.toMatchObject({ status: 503, retryAfterSeconds: 5 });
      expect(Date.now() - started).toBeLessThan(8000);
    });

    it('retries throttling while the budget lasts and asks for a longer Retry-After', async () => {
      for (let index = 0; index < 4; index++)
        answers.push(json(400, { __type: 'ThrottlingException', message: 'slow down' }));
      const sfn: StepFunctionsClient = new AwsJsonClient(STEP_FUNCTIONS, options());
      const failure = withDeadline(Date.now() + 10_000, () =>
        sfn.call('StartExecution', { stateMachineArn: 'arn', name: 'n', input: '{}' }),
      );
      await expect(failure).rejects.toMatchObject({ status: 503, retryAfterSeconds: 10 });
      expect(requests).toHaveLength(4);
    });

    it('retries a transaction cancelled only by a conflicting one, and not one whose condition failed', async () => {
      const dynamo = new DynamoDocumentClient(options());
      const conflict = json(400, {
        __type: 'com.amazonaws.dynamodb.v20120810#TransactionCanceledException',
        message: 'Transaction cancelled',
        CancellationReasons: [{ Code: 'None' }, { Code: 'TransactionConflict' }],
      });
      answers.push(conflict, conflict, json(200, {}));
      await expect(
        dynamo.send(new TransactWriteCommand({ TransactItems: [], ClientRequestToken: 'same' })),
      ).resolves.toBeDefined();
      expect(requests).toHaveLength(3);
      // The same token every time: DynamoDB applies the transaction at most once.
      expect(requests.map((request) => JSON.parse(request.body).ClientRequestToken)).toEqual([
        'same',
        'same',
        'same',
      ]);

      requests = [];
      for (let index = 0; index < 4; index++) answers.push(conflict);
      const failure = withDeadline(Date.now() + 10_000, () =>
        dynamo.send(new TransactWriteCommand({ TransactItems: [] })),
      );
      await expect(failure).rejects.toThrow(DependencyUnavailableError);

      requests = [];
      answers.push(
        json(400, {
          __type: 'TransactionCanceledException',
          message: 'cancelled',
          CancellationReasons: [{ Code: 'ConditionalCheckFailed' }, { Code: 'TransactionConflict' }],
        }),
      );
      await expect(dynamo.send(new TransactWriteCommand({ TransactItems: [] }))).rejects.toThrow(
        TransactionCanceledException,
      );
      expect(requests).toHaveLength(1);
    });

    it('narrows, never widens, an outer budget', async () => {
      await withDeadline(1000, () =>
        withDeadline(5000, async () => {
          expect(currentDeadline()).toBe(1000);
        }),
      );
      expect(currentDeadline()).toBeUndefined();
    });
  });

  describe('Query protocol (CloudFormation)', () => {
    const reader = () => new CloudFormationStackReader(new AwsQueryClient(CLOUDFORMATION, options()));

    it('reads <member> lists, text fields and the next token of DescribeStackEvents', async () => {
      answers.push({
        status: 200,
        body: `<DescribeStackEventsResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/">
  <DescribeStackEventsResult>
    <StackEvents>
      <member><EventId>e2</EventId><LogicalResourceId>Bucket</LogicalResourceId><ResourceType>AWS::S3::Bucket</ResourceType>
        <ResourceStatus>CREATE_FAILED</ResourceStatus><ResourceStatusReason>name &quot;x&quot; taken</ResourceStatusReason>
        <Timestamp>2026-12-01T10:00:02.123Z</Timestamp></member>
      <member><EventId>e1</EventId><LogicalResourceId>my-stack</LogicalResourceId><ResourceType>AWS::CloudFormation::Stack</ResourceType>
        <ResourceStatus>CREATE_IN_PROGRESS</ResourceStatus><Timestamp>2026-12-01T10:00:00Z</Timestamp></member>
    </StackEvents>
    <NextToken>page-2</NextToken>
  </DescribeStackEventsResult>
</DescribeStackEventsResponse>`,
      });
      const page = await reader().events('arn:stack');
      expect(requests[0]?.body).toBe('Action=DescribeStackEvents&Version=2010-05-15&StackName=arn%3Astack');
      expect(page.nextToken).toBe('page-2');
      expect(page.items).toEqual([
        {
          id: 'e2',
          at: '2026-12-01T10:00:02.123Z',
          source: 'stack',
          kind: 'resource-status',
          status: 'CREATE_FAILED',
          message: 'Bucket CREATE_FAILED: name "x" taken',
          resource: {
            logicalId: 'Bucket',
            type: 'AWS::S3::Bucket',
            status: 'CREATE_FAILED',
            reason: 'name "x" taken',
          },
        },
        {
          id: 'e1',
          at: '2026-12-01T10:00:00.000Z',
          source: 'stack',
          kind: 'stack-status',
          status: 'CREATE_IN_PROGRESS',
          message: 'my-stack CREATE_IN_PROGRESS',
        },
      ]);
    });

    it('reads a CloudFormation error document', async () => {
      answers.push({
        status: 400,
        body: '<ErrorResponse><Error><Type>Sender</Type><Code>ValidationError</Code><Message>Stack with id x does not exist</Message></Error></ErrorResponse>',
      });
      await expect(reader().events('x')).rejects.toMatchObject({
        code: 'ValidationError',
        message: 'ValidationError: Stack with id x does not exist',
      });
      expect(requests).toHaveLength(1);
    });
  });

  describe('change sets (adapters/change-sets.ts)', () => {
    const CHANGE_SET_NS = 'xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"';
    const created: Answer = {
      status: 200,
      body: `<CreateChangeSetResponse ${CHANGE_SET_NS}><CreateChangeSetResult><Id>arn:cs</Id></CreateChangeSetResult></CreateChangeSetResponse>`,
    };
    const deleted: Answer = { status: 200, body: `<DeleteChangeSetResponse ${CHANGE_SET_NS}/>` };
    const described = (inner: string): Answer => ({
      status: 200,
      body: `<DescribeChangeSetResponse ${CHANGE_SET_NS}><DescribeChangeSetResult>${inner}</DescribeChangeSetResult></DescribeChangeSetResponse>`,
    });
    const change = (id: string, type: string, action: string, replacement: string, ...names: string[]) =>
      `<member><Type>Resource</Type><ResourceChange><Action>${action}</Action><LogicalResourceId>${id}</LogicalResourceId>
        <ResourceType>${type}</ResourceType>${replacement ? `<Replacement>${replacement}</Replacement>` : ''}<Details>${names
          .map(
            (name) =>
              `<member><Target><Attribute>Properties</Attribute><Name>${name}</Name></Target></member>`,
          )
          .join('')}</Details></ResourceChange></member>`;
    // Virtual time: every reading of the clock is 5 s later, so a budget ends after a few polls.
    const changeSets = (start = 0) => {
      let now = start;
      return new CloudFormationChangeSets(new AwsQueryClient(CLOUDFORMATION, options()), {
        pollMs: 1,
        now: () => (now += 5_000),
      });
    };
    const actions = () => requests.map((request) => new URLSearchParams(request.body).get('Action'));

    it('waits for the change set, reads every page of changes, and deletes it', async () => {
      answers.push(
        created,
        described('<Status>CREATE_IN_PROGRESS</Status>'),
        described(
          `<Status>CREATE_COMPLETE</Status><Changes>${change('Database', 'AWS::RDS::DBInstance', 'Modify', 'True', 'DBInstanceIdentifier', 'DBInstanceIdentifier', 'StorageType')}</Changes><NextToken>p2</NextToken>`,
        ),
        described(
          `<Status>CREATE_COMPLETE</Status><Changes>${change('Queue', 'AWS::SQS::Queue', 'Add', '')}</Changes>`,
        ),
        deleted,
      );
      const preview = await changeSets().preview(
        'arn:stack/s/1',
        [
          { ParameterKey: 'InboundCidr', ParameterValue: '10.0.0.0/8' },
          { ParameterKey: 'MasterInstanceType', UsePreviousValue: true },
        ],
        'det-preview-s-1',
      );
      expect(preview).toEqual({
        status: 'ready',
        changes: [
          {
            logicalId: 'Database',
            type: 'AWS::RDS::DBInstance',
            action: 'Modify',
            replacement: 'True',
            properties: ['DBInstanceIdentifier', 'StorageType'],
          },
          { logicalId: 'Queue', type: 'AWS::SQS::Queue', action: 'Add', properties: [] },
        ],
      });
      expect(actions()).toEqual([
        'CreateChangeSet',
        'DescribeChangeSet',
        'DescribeChangeSet',
        'DescribeChangeSet',
        'DeleteChangeSet',
      ]);
      const create = new URLSearchParams(requests[0]?.body);
      expect(Object.fromEntries(create)).toMatchObject({
        StackName: 'arn:stack/s/1',
        ChangeSetName: 'det-preview-s-1',
        ChangeSetType: 'UPDATE',
        UsePreviousTemplate: 'true',
        'Parameters.member.1.ParameterKey': 'InboundCidr',
        'Parameters.member.1.ParameterValue': '10.0.0.0/8',
        'Parameters.member.2.ParameterKey': 'MasterInstanceType',
        'Parameters.member.2.UsePreviousValue': 'true',
      });
      expect(create.has('Parameters.member.2.ParameterValue')).toBe(false);
      expect(new URLSearchParams(requests[3]?.body).get('NextToken')).toBe('p2');
    });

    it('says "no changes" for a change set CloudFormation failed for lack of changes, or refused to create', async () => {
      answers.push(
        created,
        described(
          "<Status>FAILED</Status><StatusReason>The submitted information didn't contain changes.</StatusReason>",
        ),
        deleted,
      );
      await expect(changeSets().preview('s', [], 'n')).resolves.toEqual({ status: 'no-changes' });
      expect(actions()).toEqual(['CreateChangeSet', 'DescribeChangeSet', 'DeleteChangeSet']);

      requests = [];
      answers.push({
        status: 400,
        body: '<ErrorResponse><Error><Code>ValidationError</Code><Message>No updates are to be performed.</Message></Error></ErrorResponse>',
      });
      await expect(changeSets().preview('s', [], 'n')).resolves.toEqual({ status: 'no-changes' });
      expect(actions()).toEqual(['CreateChangeSet']);
    });

    it('gives a failed change set’s reason, and deletes it', async () => {
      answers.push(
        created,
        described('<Status>FAILED</Status><StatusReason>Parameter X does not exist</StatusReason>'),
        deleted,
      );
      await expect(changeSets().preview('s', [], 'n')).resolves.toEqual({
        status: 'failed',
        reason: 'Parameter X does not exist',
      });
      expect(actions()).toContain('DeleteChangeSet');
    });

    it('is a 503 when the change set is not ready within its wait, and deletes it', async () => {
      answers.push(
        created,
        ...Array.from({ length: 5 }, () => described('<Status>CREATE_PENDING</Status>')),
        deleted,
      );
      const preview = changeSets().preview('s', [], 'n');
      await expect(preview).rejects.toBeInstanceOf(ServiceUnavailableError);
      await expect(preview).rejects.toMatchObject({ status: 503 });
      // 15 s of waiting at 5 s a reading: a few polls, then the delete; never the whole script.
      expect(actions().at(-1)).toBe('DeleteChangeSet');
      expect(actions().filter((action) => action === 'DescribeChangeSet').length).toBeLessThan(5);
    });

    it('ends its wait 3 s before the request’s budget does', async () => {
      answers.push(created, described('<Status>CREATE_PENDING</Status>'), deleted);
      // The budget (a minute away, so that the calls themselves have time) ends 7 s after the
      // adapter's first reading of its clock: 3 s kept back leave no time for a second poll.
      const deadline = Date.now() + 60_000;
      const preview = withDeadline(deadline, () => changeSets(deadline - 12_000).preview('s', [], 'n'));
      await expect(preview).rejects.toBeInstanceOf(ServiceUnavailableError);
      expect(actions()).toEqual(['CreateChangeSet', 'DescribeChangeSet', 'DeleteChangeSet']);
    });
  });

  describe('JSON protocol', () => {
    it('names the operation in X-Amz-Target and sends the input as JSON', async () => {
      answers.push(json(200, { executionArn: 'arn:execution' }));
      const sfn: StepFunctionsClient = new AwsJsonClient(STEP_FUNCTIONS, options());
      await new StepFunctionsWorkflows(sfn, {
        create: 'arn:create',
        update: 'arn:update',
        upgrade: 'arn:upgrade',
        delete: 'arn:delete',
        stop: 'arn:stop',
        start: 'arn:start',
      }).start('create', 'run-1', { clusterId: 'c1' });
      expect(requests[0]?.headers['x-amz-target']).toBe('AWSStepFunctions.StartExecution');
      expect(requests[0]?.headers['content-type']).toBe('application/x-amz-json-1.0');
      expect(requests[0]?.headers.authorization).toMatch(/\/us-east-1\/states\/aws4_request/);
      expect(JSON.parse(requests[0]?.body ?? '')).toEqual({
        stateMachineArn: 'arn:create',
        name: 'run-1',
        input: '{"clusterId":"c1"}',
      });
    });

    it('retries a throttled call and not a client error', async () => {
      const sfn: StepFunctionsClient = new AwsJsonClient(STEP_FUNCTIONS, options());
      answers.push(json(400, { __type: 'ThrottlingException', message: 'Rate exceeded' }), json(200, {}));
      await sfn.call('StartExecution', { stateMachineArn: 'a', name: 'n', input: '{}' });
      expect(requests).toHaveLength(2);
      answers.push(json(400, { __type: 'com.amazonaws.swf.base.model#InvalidArn', message: 'bad arn' }));
      await expect(
        sfn.call('StartExecution', { stateMachineArn: 'a', name: 'n', input: '{}' }),
      ).rejects.toMatchObject({ code: 'InvalidArn', httpStatus: 400 });
      expect(requests).toHaveLength(3);
    });
  });

  describe('DynamoDB with native values', () => {
    const db = () => new DynamoDocumentClient(options());

    it('marshals keys, values and start keys, and unmarshals items', async () => {
      answers.push(
        json(200, {
          Items: [{ pk: { S: 'CLUSTER#a' }, version: { N: '3' }, idle: { M: { on: { BOOL: true } } } }],
          LastEvaluatedKey: { pk: { S: 'CLUSTER#a' } },
        }),
      );
      const page = await db().send(
        new QueryCommand({
          TableName: 't',
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': 'CLUSTER#a', ':gone': undefined },
          ExclusiveStartKey: { pk: 'CLUSTER#0' },
          FilterExpression: undefined,
        }),
      );
      expect(requests[0]?.headers['x-amz-target']).toBe('DynamoDB_20120810.Query');
      expect(JSON.parse(requests[0]?.body ?? '')).toEqual({
        TableName: 't',
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': { S: 'CLUSTER#a' } },
        ExclusiveStartKey: { pk: { S: 'CLUSTER#0' } },
      });
      expect(page.Items).toEqual([{ pk: 'CLUSTER#a', version: 3, idle: { on: true } }]);
      expect(page.LastEvaluatedKey).toEqual({ pk: 'CLUSTER#a' });
    });

    it('answers an absent item as no Item', async () => {
      answers.push(json(200, {}));
      await expect(db().send(new GetCommand({ TableName: 't', Key: { pk: 'x' } }))).resolves.toEqual({});
    });

    it('throws the condition failures the adapters catch, with their reasons', async () => {
      answers.push(
        json(400, {
          __type: 'com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException',
          message: 'The conditional request failed',
        }),
      );
      await expect(db().send(new GetCommand({ TableName: 't', Key: { pk: 'x' } }))).rejects.toBeInstanceOf(
        ConditionalCheckFailedException,
      );
      answers.push(
        json(400, {
          __type: 'com.amazonaws.dynamodb.v20120810#TransactionCanceledException',
          Message: 'Transaction cancelled',
          CancellationReasons: [{ Code: 'None' }, { Code: 'ConditionalCheckFailed', Message: 'quota' }],
        }),
      );
      const failure = await db()
        .send(new TransactWriteCommand({ TransactItems: [{ Put: { TableName: 't', Item: { pk: 'x' } } }] }))
        .catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(TransactionCanceledException);
      expect((failure as TransactionCanceledException).CancellationReasons?.[1]?.Code).toBe(
        'ConditionalCheckFailed',
      );
      expect(requests).toHaveLength(2);
    });

    it('gives a transaction one client token, so a retried transaction applies once', async () => {
      answers.push(json(500, { __type: 'InternalServerError', message: 'try again' }), json(200, {}));
      await db().send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: 't',
                Key: { pk: 'q' },
                UpdateExpression: 'ADD n :one',
                ExpressionAttributeValues: { ':one': 1 },
              },
            },
          ],
        }),
      );
      const [first, second] = requests.map((request) => JSON.parse(request.body) as Record<string, unknown>);
      expect(first?.ClientRequestToken).toEqual(expect.any(String));
      expect(second?.ClientRequestToken).toBe(first?.ClientRequestToken);
      expect(first?.TransactItems).toEqual([
        {
          Update: {
            TableName: 't',
            Key: { pk: { S: 'q' } },
            UpdateExpression: 'ADD n :one',
            ExpressionAttributeValues: { ':one': { N: '1' } },
          },
        },
      ]);
    });
  });
});
