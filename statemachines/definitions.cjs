// serverless.yml loads the rendered workflows through this file. Each ${Placeholder} of the ASL
// becomes the #{...} pseudo-parameter form of serverless-step-functions, which wraps the definition
// in Fn::Sub, so CloudFormation fills in the deployed names (like DefinitionSubstitutions would).
// The local runtime fills the same placeholders with the emulator's names (local/bootstrap.ts):
// both run the very same statemachines/*.asl.json.
/* global require, module, __dirname */
/* eslint-disable @typescript-eslint/no-require-imports -- serverless loads this file with require() */
const { readFileSync } = require('node:fs');
const { join } = require('node:path');

/** Placeholder -> what Fn::Sub resolves: a resource (its Ref) or a resource attribute. */
const substitutions = {
  ClustersTable: 'ClustersTable',
  DeleteStateMachineArn: 'DeleteClusterStateMachine',
  StackRoleArn: 'ClusterStackRole.Arn',
  TemplatesBucket: 'TemplatesBucket',
  TemplatesBucketDomain: 'TemplatesBucket.RegionalDomainName',
};

function load(file) {
  const text = readFileSync(join(__dirname, file), 'utf8').replace(/\$\{(\w+)\}/g, (match, name) => {
    if (!substitutions[name]) throw new Error(`${file}: no substitution for ${match}`);
    return `#{${substitutions[name]}}`;
  });
  return JSON.parse(text);
}

module.exports = {
  create: () => load('create.asl.json'),
  update: () => load('update.asl.json'),
  upgrade: () => load('upgrade.asl.json'),
  delete: () => load('delete.asl.json'),
  stop: () => load('stop.asl.json'),
  start: () => load('start.asl.json'),
  stackEventRelay: () => load('stack-event-relay.asl.json'),
  executionFailureRelay: () => load('execution-failure-relay.asl.json'),
};
