/**
 * The regions the control plane serves: exactly those with a Determined image (release 0.38.1, from
 * det-deploy's templates: aws/templates/*.yaml Mappings.RegionMap). The request schema, the deploy
 * script and the control plane's configuration all read this list, so a cluster is never asked for
 * where the template's FindInMap would fail (docs/adr/0023-supported-regions.md).
 */
export const REGION_AMIS = {
  'ap-northeast-1': { Master: 'ami-00910ef9457f0df47', Agent: 'ami-0e199a4564d2bb8c5' },
  'eu-central-1': { Master: 'ami-0abbe417ed83c0b29', Agent: 'ami-0a6a509944baa9c38' },
  'eu-west-1': { Master: 'ami-0e3f7dd2dc743e48a', Agent: 'ami-0870dc8c1081c2ed0' },
  'us-east-1': { Master: 'ami-0172070f66a8ebe63', Agent: 'ami-07329961c2a161c61' },
  'us-east-2': { Master: 'ami-0bafa3699418551cd', Agent: 'ami-0dca1adfc8c152c7a' },
  'us-west-2': { Master: 'ami-0ceeab680f529cc36', Agent: 'ami-015aabd7d10854b76' },
} as const satisfies Record<string, { Master: string; Agent: string }>;

export type SupportedRegion = keyof typeof REGION_AMIS;

export const SUPPORTED_REGIONS = Object.keys(REGION_AMIS) as SupportedRegion[];

export function isSupportedRegion(region: string): region is SupportedRegion {
  return Object.hasOwn(REGION_AMIS, region);
}

/** The message every refusal carries: which regions are served, and why. */
export function unsupportedRegionMessage(region: string): string {
  return `${region} is not supported: Determined publishes its master and agent images only in ${SUPPORTED_REGIONS.join(', ')}`;
}
