/**
 * Property tests of the request schema through the real handler: whatever the body, the answer is
 * a 202 or a 4xx problem (never a 500), and a rejected request writes nothing.
 */
import fc from 'fast-check';
import { Api } from './harness.ts';

const valid = {
  clusterId: 'prop-1',
  keypair: 'demo-key',
  deploymentType: 'vpc',
  masterInstanceType: 'm5.xlarge',
  cpuAgentInstanceType: 't2.large',
  gpuAgentInstanceType: 'g5.xlarge',
  inboundCidr: '10.0.0.0/8',
  dbPassword: 'Valid-Passw0rd',
  maxCpuContainersPerAgent: 10,
  maxIdleAgentPeriod: '5m',
  maxDynamicAgents: 3,
  spot: true,
  spotMaxPrice: '0.9',
  determinedVersion: '0.38.1',
  idleTimeout: '1h',
  tags: { project: 'x' },
};

const anyValue = fc.oneof(
  fc.string(),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 3 }),
);

async function check(body: unknown): Promise<void> {
  const api = new Api();
  const reply = await api.call('POST /clusters', {
    path: '/clusters',
    rawBody: JSON.stringify(body),
    headers: { 'content-type': 'application/json' },
  });
  expect(reply.status).not.toBe(500);
  expect([202, 400, 413]).toContain(reply.status);
  if (reply.status !== 202) {
    expect(reply.headers['content-type']).toBe('application/problem+json');
    expect(api.deps.store.writes).toBe(0);
    expect(api.deps.workflows.started).toHaveLength(0);
    expect(api.deps.secrets.secrets.size).toBe(0);
  }
}

describe('the request schema, property-tested', () => {
  it('handles arbitrary JSON without a 500 and without writing', async () => {
    await fc.assert(fc.asyncProperty(fc.jsonValue(), check), { numRuns: 300 });
  });

  it('handles a valid body with one field replaced by anything', async () => {
    const field = fc.constantFrom(...Object.keys(valid), 'unknownField');
    await fc.assert(
      fc.asyncProperty(field, anyValue, (name, value) => check({ ...valid, [name]: value })),
      { numRuns: 400 },
    );
  });

  it('handles a valid body with fields dropped', async () => {
    await fc.assert(
      fc.asyncProperty(fc.subarray(Object.keys(valid)), async (dropped) => {
        await check(Object.fromEntries(Object.entries(valid).filter(([name]) => !dropped.includes(name))));
      }),
      { numRuns: 200 },
    );
  });

  it('accepts the valid body itself', async () => {
    const api = new Api();
    expect((await api.call('POST /clusters', { path: '/clusters', body: valid })).status).toBe(202);
  });
});
