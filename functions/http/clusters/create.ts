/** POST /clusters (and ?dryRun=true): request a new cluster. */
import { createClusterSchema, createQuerySchema } from '../../../core/cluster/request.ts';
import { createCluster, dryRunCreate, type CreateDeps } from '../../../core/operations/create-cluster.ts';
import { renderTemplate } from '../../../templates/src/index.ts';
import { auditLog, generatePassword, idempotencyDeps, keyPairs, secrets } from '../../deps.ts';
import { budgetedDeps } from './budgeted-deps.ts';
import { parseWith } from '../../../core/validation.ts';
import { apiHandler, type ApiMain } from '../api-handler.ts';

export const main: ApiMain<CreateDeps> = async (request, deps) => {
  const query = parseWith(createQuerySchema, request.query);
  const body = parseWith(createClusterSchema, request.body);
  if (query.dryRun === 'true') {
    return { status: 200, body: await dryRunCreate(deps, request.principal, body) };
  }
  const cluster = await createCluster(deps, request.principal, body);
  return {
    status: 202,
    headers: { location: `/clusters/${cluster.clusterId}`, 'retry-after': '10' },
    body: cluster,
  };
};

export const handler = apiHandler(main, {
  scope: 'write',
  audit: { action: 'cluster.create', skip: (request) => request.query.dryRun === 'true', log: auditLog },
  idempotency: idempotencyDeps,
  deps: () => ({
    ...budgetedDeps(),
    secrets: secrets(),
    keyPairs: keyPairs(),
    renderTemplate,
    generatePassword,
  }),
});
