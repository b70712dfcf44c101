/**
 * Which resources a stack update would replace, from a CloudFormation change set, and which of
 * them hold data: the database, the checkpoint bucket, a shared file system. An update that would
 * replace (or remove) one of those is refused unless the request allows it by name
 * (`allowReplacement`; docs/adr/0034-replacing-data-resources.md).
 */

/** The resources whose replacement loses data, by the name a request allows them with. */
export const DATA_RESOURCES = {
  database: ['AWS::RDS::DBInstance'],
  checkpointBucket: ['AWS::S3::Bucket'],
  sharedFileSystem: ['AWS::EFS::FileSystem', 'AWS::FSx::FileSystem'],
} as const;
export type DataResource = keyof typeof DATA_RESOURCES;
export const DATA_RESOURCE_NAMES = Object.keys(DATA_RESOURCES) as DataResource[];

/** One resource change of a change set, as the API shows it. */
export interface ResourceChange {
  logicalId: string;
  type: string;
  /** Add, Modify, Remove (CloudFormation's Action). */
  action: string;
  /** For a Modify: "True" (replaced), "Conditional" (may be), "False" (updated in place). */
  replacement?: string;
  /** The properties that change. */
  properties: string[];
}

/** What the update would do to one data resource. */
export interface DataAtRisk {
  resource: DataResource;
  logicalId: string;
  type: string;
  how: 'replaced' | 'maybe replaced' | 'removed';
}

export function dataResourceOf(type: string): DataResource | undefined {
  return DATA_RESOURCE_NAMES.find((name) => (DATA_RESOURCES[name] as readonly string[]).includes(type));
}

/** The changes that would replace or remove a data resource; "Conditional" counts (it may). */
export function dataAtRisk(changes: readonly ResourceChange[]): DataAtRisk[] {
  return changes.flatMap((change): DataAtRisk[] => {
    const resource = dataResourceOf(change.type);
    if (!resource) return [];
    const base = { resource, logicalId: change.logicalId, type: change.type };
    if (change.action === 'Remove') return [{ ...base, how: 'removed' }];
    if (change.action !== 'Modify') return [];
    if (change.replacement === 'True') return [{ ...base, how: 'replaced' }];
    if (change.replacement === 'Conditional') return [{ ...base, how: 'maybe replaced' }];
    return [];
  });
}

/** The data at risk that `allowed` does not cover: what refuses the update. */
export function refusedReplacements(
  changes: readonly ResourceChange[],
  allowed: readonly DataResource[] = [],
): DataAtRisk[] {
  return dataAtRisk(changes).filter((risk) => !allowed.includes(risk.resource));
}
