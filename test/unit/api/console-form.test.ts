/**
 * The console's create form reads its fields, defaults and rules from the OpenAPI document; the
 * checks it runs in the browser must agree with the API's own validation wherever JSON Schema
 * can state the rule (the dry run covers the rest).
 */
import { createClusterSchema } from '../../../core/cluster/request.ts';
import { openApiDocument } from '../../../functions/http/openapi-document.ts';
import { checkValue, createFields, type OpenApi } from '../../../console/src/schema.ts';

const fields = createFields(openApiDocument() as unknown as OpenApi);
const field = (name: string) => {
  const found = fields.find((candidate) => candidate.name === name);
  if (!found) throw new Error(`no field ${name}`);
  return found;
};
const apiAccepts = (name: string, value: unknown) =>
  createClusterSchema.safeParse({
    clusterId: 'probe',
    keypair: 'probe-key',
    // A spot price needs spot: a rule across fields, which the dry run checks, not the field's schema.
    ...(name === 'spotMaxPrice' ? { spot: true } : {}),
    [name]: value,
  }).success;

describe('console create form', () => {
  it('offers every request field, the contract’s labels, and the API’s defaults', () => {
    expect(fields.map((entry) => entry.name)).toEqual(
      Object.keys(
        (openApiDocument() as unknown as OpenApi).components.schemas.CreateCluster?.properties ?? {},
      ),
    );
    expect(field('clusterId')).toMatchObject({ label: 'Cluster ID', required: true, kind: 'text' });
    expect(field('keypair')).toMatchObject({ label: 'Key pair', required: true });
    expect(field('deploymentType')).toMatchObject({ label: 'Deployment type', kind: 'select' });
    expect(field('deploymentType').schema.default).toBe('simple');
    expect(field('cpuAgentInstanceType').kind).toBe('select');
    expect(field('dbPassword').kind).toBe('password');
    expect(field('spot').kind).toBe('checkbox');
    expect(field('maxDynamicAgents').kind).toBe('number');
  });

  it.each([
    ['clusterId', ['dev-1', '1dev', 'a_b', 'x'.repeat(65), 'A']],
    ['keypair', ['demo-key', ' lead', 'trail ', 'x'.repeat(256)]],
    ['deploymentType', ['simple', 'secure', 'huge']],
    ['maxDynamicAgents', [0, 1000, 1001, -1, 2.5]],
    ['maxCpuContainersPerAgent', [1, 0, 1000, 1001]],
    ['masterInstanceType', ['m5.large', 'M5.large', 'm5']],
    ['cpuAgentInstanceType', ['t2.xlarge', 'z9.mega']],
    ['spotMaxPrice', ['0.75', '1', 'cheap', '-1']],
    ['dbPassword', ['s3cret-Pass', 'short', 'has space here', 'pa#ssword1']],
    ['region', ['us-east-1', 'mars-north-1']],
    ['expiresAt', ['2030-01-31T18:00:00Z', 'tomorrow']],
  ])('checks %s as the API does', (name, values) => {
    for (const value of values) {
      expect({ value, browser: checkValue(field(name).schema, value) === undefined }).toEqual({
        value,
        browser: apiAccepts(name, value),
      });
    }
  });
});
