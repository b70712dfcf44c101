/**
 * Agent instance types and their GPU slots: the seed's allow-list, plus the newer GPU and
 * general-purpose families the contract allows (g5, g6, p4d, p5, m5, m6i). The slot counts go into
 * master.yaml (instance_slots), so the master can schedule types its own table does not know.
 */
const gpuFamily = (family: string, slots: Record<string, number>) =>
  Object.fromEntries(Object.entries(slots).map(([size, count]) => [`${family}.${size}`, count]));
const cpuFamily = (family: string, sizes: string[]) =>
  Object.fromEntries(sizes.map((size) => [`${family}.${size}`, 0]));

/** g5 and g6 come in the same sizes with the same GPU counts. */
const G5_G6_SLOTS = {
  xlarge: 1,
  '2xlarge': 1,
  '4xlarge': 1,
  '8xlarge': 1,
  '16xlarge': 1,
  '12xlarge': 4,
  '24xlarge': 4,
  '48xlarge': 8,
};

export const AGENT_SLOTS: Readonly<Record<string, number>> = {
  // The seed's list.
  ...gpuFamily('g4dn', {
    xlarge: 1,
    '2xlarge': 1,
    '4xlarge': 1,
    '8xlarge': 1,
    '16xlarge': 1,
    '12xlarge': 4,
    metal: 8,
  }),
  ...gpuFamily('p2', { xlarge: 1, '8xlarge': 8, '16xlarge': 16 }),
  ...gpuFamily('p3', { '2xlarge': 1, '8xlarge': 4, '16xlarge': 8 }),
  'p3dn.24xlarge': 8,
  ...cpuFamily('t2', ['medium', 'large', 'xlarge', '2xlarge']),
  // Newer families.
  ...gpuFamily('g5', G5_G6_SLOTS),
  ...gpuFamily('g6', G5_G6_SLOTS),
  'p4d.24xlarge': 8,
  'p5.48xlarge': 8,
  ...cpuFamily('m5', [
    'large',
    'xlarge',
    '2xlarge',
    '4xlarge',
    '8xlarge',
    '12xlarge',
    '16xlarge',
    '24xlarge',
  ]),
  ...cpuFamily('m6i', [
    'large',
    'xlarge',
    '2xlarge',
    '4xlarge',
    '8xlarge',
    '12xlarge',
    '16xlarge',
    '24xlarge',
    '32xlarge',
  ]),
};

export const AGENT_INSTANCE_TYPES: readonly string[] = Object.keys(AGENT_SLOTS);

/** Any EC2 instance type name, e.g. m5.large or u-6tb1.metal; the master has no allow-list in det-deploy. */
export const INSTANCE_TYPE_NAME = /^[a-z][a-z0-9-]*\.[a-z0-9]+$/;
