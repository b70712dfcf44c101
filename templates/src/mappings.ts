/** Determined's images per region: the served regions' list (core/cluster/regions.ts) is this map. */
import { REGION_AMIS } from '../../core/cluster/regions.ts';
import type { Fragment } from './cfn.ts';

export { REGION_AMIS };

export const mappings: Fragment = { Mappings: { RegionMap: REGION_AMIS } };
