/** GET /teams/{team}: the team's policy, usage and spend this month against its budget. */
import { PRICES } from '../../../core/cost/price-list.ts';
import { getTeam, type TeamDeps } from '../../../core/operations/team.ts';
import { clock, clusterStore, ledger, settings } from '../../deps.ts';
import { apiHandler, type ApiMain } from '../api-handler.ts';

export const main: ApiMain<TeamDeps> = async (request, deps) => ({
  status: 200,
  body: await getTeam(deps, request.principal, request.path.team ?? ''),
});

export const handler = apiHandler(main, {
  scope: 'read',
  deps: () => ({
    store: clusterStore(),
    ledger: ledger(),
    prices: PRICES,
    clock,
    settings: settings(),
  }),
});
