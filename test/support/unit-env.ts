// Configuration the handlers read on first use (adapters/config.ts); unit tests inject fakes for
// every AWS dependency, so these names only need to be well-formed.
process.env.AWS_REGION ??= 'us-east-1';
process.env.CLUSTERS_TABLE ??= 'unit-test-clusters';
process.env.CREATE_STATE_MACHINE_ARN ??= 'arn:aws:states:us-east-1:123456789012:stateMachine:create';
process.env.UPDATE_STATE_MACHINE_ARN ??= 'arn:aws:states:us-east-1:123456789012:stateMachine:update';
process.env.DELETE_STATE_MACHINE_ARN ??= 'arn:aws:states:us-east-1:123456789012:stateMachine:delete';
process.env.STOP_STATE_MACHINE_ARN ??= 'arn:aws:states:us-east-1:123456789012:stateMachine:stop';
process.env.START_STATE_MACHINE_ARN ??= 'arn:aws:states:us-east-1:123456789012:stateMachine:start';
process.env.UPGRADE_STATE_MACHINE_ARN ??= 'arn:aws:states:us-east-1:123456789012:stateMachine:upgrade';
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
// No embedded-metric lines on the test output; test/unit/metrics turns them on where it reads them.
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
process.env.API_KEY ??= '0123456789abcdef'.repeat(4);
process.env.AUDIT_TABLE ??= 'unit-test-audit';
process.env.WEBHOOK_QUEUE_URL ??=
  'https://sqs.us-east-1.amazonaws.com/123456789012/unit-test-deliveries.fifo';
