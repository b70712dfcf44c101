/**
 * What the routes that run a workflow and are judged against the team's budget share (create,
 * start, PATCH): the store, the workflows, the clock, the settings, and the prices and ledger that
 * price the cluster and refuse with 429 budget-exceeded (core/operations/team-spend.ts).
 */
import { PRICES } from '../../../core/cost/price-list.ts';
import { clock, clusterStore, ledger, settings, workflows } from '../../deps.ts';

export function budgetedDeps() {
  return {
    store: clusterStore(),
    workflows: workflows(),
    clock,
    settings: settings(),
    prices: PRICES,
    ledger: ledger(),
  };
}
