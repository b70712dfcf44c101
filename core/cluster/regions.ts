/**
 * The regions the control plane serves: exactly those with a Determined image (release 0.38.1, from
 * det-deploy's templates: aws/templates/*.yaml Mappings.RegionMap). The master's image is here; the
 * agents' image depends on the release and is in core/cluster/determined-versions.json. The request schema, the deploy
 * script and the control plane's configuration all read this list, so a cluster is never asked for
 * where the template's FindInMap would fail (docs/adr/0023-supported-regions.md).
 */
export const REGION_AMIS = {
  'ap-northeast-1': { Master: 'ami-00910ef9457f0df47' },
  'eu-central-1': { Master: 'ami-0abbe417ed83c0b29' },
  'eu-west-1': { Master: 'ami-0e3f7dd2dc743e48a' },
  'us-east-1': { Master: 'ami-0172070f66a8ebe63' },
  'us-east-2': { Master: 'ami-0bafa3699418551cd' },
  'us-west-2': { Master: 'ami-0ceeab680f529cc36' },
} as const satisfies Record<string, { Master: string }>;

export type SupportedRegion = keyof typeof REGION_AMIS;

export const SUPPORTED_REGIONS = Object.keys(REGION_AMIS) as SupportedRegion[];

export function isSupportedRegion(region: string): region is SupportedRegion {
  return Object.hasOwn(REGION_AMIS, region);
}

/** The message every refusal carries: which regions are served, and why. */
export function unsupportedRegionMessage(region: string): string {
  return `${region} is not supported: Determined publishes its master and agent images only in ${SUPPORTED_REGIONS.join(', ')}`;
}
