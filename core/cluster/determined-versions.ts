/**
 * The Determined releases the control plane knows: core/cluster/determined-versions.json, one entry
 * per release with its agent AMI in every served region. A create or an upgrade names one of them;
 * an upgrade never goes back to an older one (Determined's database migrations run forward only).
 */
import data from './determined-versions.json' with { type: 'json' };
import { SUPPORTED_REGIONS, type SupportedRegion } from './regions.ts';

interface KnownVersion {
  source: string;
  agentAmis: Record<SupportedRegion, string>;
}

const VERSIONS = data.versions as Record<string, KnownVersion>;

/** `a.b.c` as numbers, for ordering: 0.38.10 is newer than 0.38.9. */
function parts(version: string): number[] {
  return version.split('.').map((part) => Number(part));
}

/** Negative when `a` is older than `b`, 0 when equal, positive when newer. */
export function compareVersions(a: string, b: string): number {
  const [left, right] = [parts(a), parts(b)];
  for (let index = 0; index < Math.max(left.length, right.length); index += 1) {
    const difference = (left[index] ?? 0) - (right[index] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}

/** Every known release, oldest first. */
export const KNOWN_DETERMINED_VERSIONS: readonly string[] = Object.keys(VERSIONS).sort(compareVersions);

export function isKnownVersion(version: string): boolean {
  return Object.hasOwn(VERSIONS, version);
}

export function unknownVersionMessage(): string {
  return `must be a Determined release the control plane knows: ${KNOWN_DETERMINED_VERSIONS.join(', ')}`;
}

/** The agents' image of a release in a region (the data file covers every served region; a test checks it). */
export function agentAmi(version: string, region: string): string {
  const known = VERSIONS[version];
  if (!known) throw new Error(`Determined ${version} is not in core/cluster/determined-versions.json`);
  const ami = known.agentAmis[region as SupportedRegion];
  if (!ami) throw new Error(`Determined ${version} has no agent image for ${region}`);
  return ami;
}

/** For the data file's test: the regions a release lacks an agent image for. */
export function missingRegions(version: string): string[] {
  const known = VERSIONS[version];
  return SUPPORTED_REGIONS.filter((region) => !known?.agentAmis[region]);
}
