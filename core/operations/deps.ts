/** Everything the cluster operations need, injected: adapters on AWS, fakes in unit tests. */
import type { DeploymentType } from '../cluster/request.ts';
import type { SpendLedger } from '../cost/ledger.ts';
import type { PriceList } from '../cost/price-list.ts';
import type { PolicyConfig } from '../policy.ts';
import type { ChangeSets, Clock, ClusterStore, KeyPairs, Secrets, StackReader, Workflows } from '../ports.ts';
import type { WorkflowTiming } from '../workflow/inputs.ts';

export interface OperationDeps {
  store: ClusterStore;
  workflows: Workflows;
  secrets: Secrets;
  keyPairs: KeyPairs;
  stacks: StackReader;
  /** What a stack update would change (CloudFormation change sets, never executed here). */
  changeSets: ChangeSets;
  /** The CloudFormation template of a deployment type (templates/src). */
  renderTemplate: (type: DeploymentType) => object;
  /** A fresh random password (for the database when none is given, and for Determined's admin). */
  generatePassword: () => string;
  clock: Clock;
  /** The price list of the cost model (core/cost/prices.json). */
  prices: PriceList;
  /** Each team's spend per month, and the clusters whose spend is open (core/cost/ledger.ts). */
  ledger: SpendLedger;
  settings: {
    region: string;
    /** A cluster's stack is `<stackPrefix><clusterId>` (core/cluster/naming.ts). */
    stackPrefix: string;
    policies: PolicyConfig;
    timing: WorkflowTiming;
    /** How long a DELETED cluster stays readable (its retained data is listed there). */
    deletedRetentionDays: number;
    /** How long an upgrade waits for the agents' work to end (default 30 minutes). */
    upgradeDrainSeconds?: number;
    /** How long a request can live (default REQUEST_LIFETIME_SECONDS, core/operations/start-workflow.ts). */
    requestLifetimeSeconds?: number;
  };
}
