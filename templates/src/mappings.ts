/**
 * Determined's Ubuntu-based images per region (release 0.38.1, from det-deploy's templates).
 * The control plane serves the regions listed here.
 */
import type { Fragment } from './cfn.ts';

export const REGION_AMIS: Record<string, { Master: string; Agent: string }> = {
  'ap-northeast-1': { Master: 'ami-00910ef9457f0df47', Agent: 'ami-0e199a4564d2bb8c5' },
  'eu-central-1': { Master: 'ami-0abbe417ed83c0b29', Agent: 'ami-0a6a509944baa9c38' },
  'eu-west-1': { Master: 'ami-0e3f7dd2dc743e48a', Agent: 'ami-0870dc8c1081c2ed0' },
  'us-east-1': { Master: 'ami-0172070f66a8ebe63', Agent: 'ami-07329961c2a161c61' },
  'us-east-2': { Master: 'ami-0bafa3699418551cd', Agent: 'ami-0dca1adfc8c152c7a' },
  'us-west-2': { Master: 'ami-0ceeab680f529cc36', Agent: 'ami-015aabd7d10854b76' },
};

export const mappings: Fragment = { Mappings: { RegionMap: REGION_AMIS } };
