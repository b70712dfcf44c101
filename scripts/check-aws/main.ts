/**
 * `npm run check:aws`: what the emulator cannot show, checked offline (docs/aws-fidelity.md).
 *  1. the stack role against every handler permission of every resource, per type and cluster id;
 *  2. the master and agent roles against Determined's provisioner, the boot and checkpoints;
 *  3. each workflow role against its state machine's tasks;
 *  4. each function role against its handler's calls;
 *  5. the master's boot run in a sandbox: master.yaml by Determined's rules, signals, shellcheck;
 *  6. the replacement model of emulator patch 16 against the resource provider schemas.
 * Problems are listed one per line; the last line is the summary.
 */
import { pathToFileURL } from 'node:url';
import { checkClusterRoles } from './cluster-roles.ts';
import { checkFunctionRoles } from './function-roles.ts';
import { allBootProblems } from './master-boot-check.ts';
import { checkReplacementModel } from './replacement-model.ts';
import { checkStackRole } from './stack-role.ts';
import { checkWorkflowRoles } from './workflow-roles.ts';

export async function checkAws(): Promise<{ problems: string[]; summary: string }> {
  const stack = await checkStackRole();
  const cluster = await checkClusterRoles();
  const workflows = await checkWorkflowRoles();
  const functions = await checkFunctionRoles();
  const boot = allBootProblems();
  const replacement = checkReplacementModel();
  const problems = [
    ...stack.denied,
    ...cluster.denied,
    ...workflows.denied,
    ...functions.denied,
    ...boot.problems,
    ...replacement.problems,
  ];
  const parts = [
    `stack role ${stack.checked} calls`,
    `master and agent roles ${cluster.checked}`,
    `workflow roles ${workflows.checked} (${workflows.tasks} tasks)`,
    `function roles ${functions.checked} (${functions.functions} functions)`,
    `boot ${boot.checked} runs with shellcheck and Determined's config rules`,
    `replacement model ${replacement.checked} types`,
  ];
  const summary = problems.length
    ? `check:aws FAILED: ${problems.length} problem(s); first: ${problems[0]}`
    : `check:aws ok: ${parts.join(', ')}; 0 denied, 0 problems`;
  return { problems, summary };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { problems, summary } = await checkAws();
  for (const problem of problems) console.log(problem);
  console.log(summary);
  process.exitCode = problems.length ? 1 : 0;
}
