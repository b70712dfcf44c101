/**
 * The templates as code: the committed files are what the code renders, the composer refuses two
 * fragments naming the same thing, and the parameters are exactly what the control plane sends.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { CREATE_DEFAULTS, DEPLOYMENT_TYPES } from '../../../core/cluster/request.ts';
import { toStackParameters, updateParameters } from '../../../core/cluster/stack-parameters.ts';
import type { ClusterParameters } from '../../../core/cluster/model.ts';
import { renderedYaml } from '../../../templates/render.ts';
import { compose, mergeFragments, type Fragment } from '../../../templates/src/cfn.ts';
import { renderTemplate } from '../../../templates/src/index.ts';

const root = join(import.meta.dirname, '..', '..', '..');

const defaults: ClusterParameters = {
  ...CREATE_DEFAULTS,
  keypair: 'demo-key',
  region: 'us-east-1',
  idleTimeout: 'never',
  tags: {},
};

describe('rendered templates', () => {
  it.each(DEPLOYMENT_TYPES)('templates/%s.yaml is what the code renders', (type) => {
    const committed = readFileSync(join(root, 'templates', `${type}.yaml`), 'utf8');
    expect(committed).toBe(renderedYaml(type));
    // The file is the template object, nothing more and nothing less.
    expect(parse(committed)).toEqual(JSON.parse(JSON.stringify(renderTemplate(type))));
  });

  it('npm run templates -- --check passes on the committed files', () => {
    const output = execFileSync(process.execPath, ['--import', 'tsx', 'templates/render.ts', '--check'], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    expect(output).toBe('');
  });

  it('no template repeats the text of another one: each is composed from the same fragments', () => {
    // The shared parts are identical objects rendered from one source, so e.g. the seed's
    // security group rules exist once in templates/src, whatever the type.
    const simple = renderTemplate('simple');
    for (const type of DEPLOYMENT_TYPES) {
      const template = renderTemplate(type);
      expect(template.Resources.AgentRole).toEqual(simple.Resources.AgentRole);
      expect(template.Resources.CheckpointBucket).toEqual(simple.Resources.CheckpointBucket);
      expect(template.Parameters).toEqual(simple.Parameters);
    }
  });
});

describe('compose', () => {
  const bucket = { Type: 'AWS::S3::Bucket' };

  it.each(['Parameters', 'Mappings', 'Conditions', 'Resources', 'Outputs'] as const)(
    'refuses two fragments that define the same %s entry',
    (section) => {
      const entry = {
        Parameters: { Type: 'String', Description: 'x' },
        Mappings: {},
        Conditions: {},
        Resources: bucket,
        Outputs: { Description: 'x', Value: 'y' },
      }[section];
      const fragment = { [section]: { Same: entry } } as Fragment;
      expect(() => compose('twice', [fragment, fragment])).toThrow(`two fragments define ${section}.Same`);
    },
  );

  it('merges distinct names and keeps the template header', () => {
    const template = compose('two buckets', [{ Resources: { A: bucket } }, { Resources: { B: bucket } }]);
    expect(template).toEqual({
      AWSTemplateFormatVersion: '2010-09-09',
      Description: 'two buckets',
      Resources: { A: bucket, B: bucket },
    });
    expect(mergeFragments({ Outputs: {} }, { Resources: { A: bucket } })).toEqual({
      Outputs: {},
      Resources: { A: bucket },
    });
  });
});

describe('template parameters', () => {
  const sent = toStackParameters(defaults, {
    secretName: 'det-control-plane/clusters/a/b',
    restore: { checkpointBucket: 'old-bucket', dbSnapshot: 'old-snapshot' },
  });

  it.each(DEPLOYMENT_TYPES)('%s declares exactly the keys of core/cluster/stack-parameters.ts', (type) => {
    const declared = Object.keys(renderTemplate(type).Parameters ?? {}).sort();
    expect(declared).toEqual(Object.keys(sent).sort());
    // An update names every parameter too (UsePreviousValue for those that did not change).
    const update = updateParameters(defaults, { ...defaults, maxDynamicAgents: 9 });
    expect(update.parameters.map((parameter) => parameter.ParameterKey).sort()).toEqual(declared);
    expect(update.changed).toEqual(['MaxDynamicAgents']);
  });

  it('the secret name is NoEcho and there is no password parameter at all', () => {
    const parameters = renderTemplate('simple').Parameters ?? {};
    expect(parameters.ClusterSecretName?.NoEcho).toBe(true);
    expect(Object.keys(parameters).filter((name) => /password/i.test(name))).toEqual([]);
  });

  it('defaults of the template are the request defaults of the contract', () => {
    const parameters = renderTemplate('simple').Parameters ?? {};
    const fromDefaults = toStackParameters(defaults, { secretName: 'x' });
    for (const [name, declaration] of Object.entries(parameters)) {
      if (declaration.Default === undefined) continue;
      expect([name, String(declaration.Default)]).toEqual([
        name,
        fromDefaults[name as keyof typeof fromDefaults],
      ]);
    }
  });

  it.each([
    ['defaults', defaults],
    [
      'every field set to an edge the API accepts',
      {
        ...defaults,
        masterInstanceType: 'p4d.24xlarge',
        cpuAgentInstanceType: 'm6i.32xlarge',
        gpuAgentInstanceType: 'g4dn.metal',
        inboundCidr: '203.0.113.0/24',
        maxCpuContainersPerAgent: 1000,
        maxIdleAgentPeriod: '1h30m45s',
        maxDynamicAgents: 0,
        spot: true,
        spotMaxPrice: '12.345',
        determinedVersion: '0.38.1',
        tags: { project: 'vision', 'cost-center': '42 "quoted" #x' },
      },
    ],
  ] as const)('the values sent for %s satisfy the template constraints', (_name, parameters) => {
    const declared = renderTemplate('simple').Parameters ?? {};
    const values = toStackParameters(parameters as ClusterParameters, {
      secretName: 'det-control-plane/clusters/x/y',
    });
    for (const [name, value] of Object.entries(values)) {
      const declaration = declared[name];
      expect(declaration).toBeDefined();
      if (!declaration) continue;
      const problems: string[] = [];
      if (declaration.AllowedValues && !declaration.AllowedValues.includes(value))
        problems.push('AllowedValues');
      if (declaration.AllowedPattern && !new RegExp(declaration.AllowedPattern).test(value))
        problems.push('AllowedPattern');
      if (declaration.MaxLength !== undefined && value.length > declaration.MaxLength)
        problems.push('MaxLength');
      if (declaration.Type === 'Number') {
        const number = Number(value);
        if (!Number.isFinite(number)) problems.push('Number');
        if (declaration.MinValue !== undefined && number < declaration.MinValue) problems.push('MinValue');
        if (declaration.MaxValue !== undefined && number > declaration.MaxValue) problems.push('MaxValue');
      }
      // CloudFormation's limit on one parameter value.
      if (Buffer.byteLength(value) > 4096) problems.push('4096 bytes');
      expect([name, value, problems]).toEqual([name, value, []]);
    }
  });
});
