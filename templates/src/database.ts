/**
 * Determined's PostgreSQL database: RDS for PostgreSQL (Aurora Serverless v1, the seed's choice, is
 * end-of-life), private, encrypted, reachable from the master only. Deleting the stack leaves a final
 * snapshot; a restored cluster starts from the snapshot of its predecessor.
 */
import { getAtt, ifThen, noValue, ref, stackUuid, sub, type Fragment, type Value } from './cfn.ts';

/**
 * No engine version, as det-deploy's simple-rds template: RDS creates its current default version of
 * PostgreSQL, so no create fails when RDS retires a version (a pinned 16.8 would, and cfn-lint already
 * calls a bare '16' deprecated). Minor upgrades come with the maintenance window.
 */

/**
 * det-db-<the stack's UUID>: valid for every cluster id (RDS wants <= 63 characters, no double or
 * trailing hyphen), where a name generated from a 64-character stack name can break those rules.
 * Updates never replace the instance (its snapshot and subnets do not change), so a fixed name is safe.
 */
const databaseIdentifier: Value = sub('det-db-${StackUuid}', { StackUuid: stackUuid });

export function database(options: { subnetIds?: [Value, Value] }): Fragment {
  const subnetGroup: Fragment = options.subnetIds
    ? {
        Resources: {
          DatabaseSubnetGroup: {
            Type: 'AWS::RDS::DBSubnetGroup',
            Properties: {
              DBSubnetGroupDescription: sub('Database subnets of ${AWS::StackName}'),
              SubnetIds: options.subnetIds,
            },
          },
        },
      }
    : {};
  return {
    Resources: {
      ...subnetGroup.Resources,
      Database: {
        Type: 'AWS::RDS::DBInstance',
        DeletionPolicy: 'Snapshot',
        UpdateReplacePolicy: 'Snapshot',
        Properties: {
          DBInstanceIdentifier: databaseIdentifier,
          Engine: 'postgres',
          DBInstanceClass: 'db.t4g.medium',
          AllocatedStorage: '20',
          StorageType: 'gp3',
          StorageEncrypted: true,
          PubliclyAccessible: false,
          MultiAZ: false,
          BackupRetentionPeriod: 7,
          CopyTagsToSnapshot: true,
          DeletionProtection: false,
          DBName: ifThen('RestoreDatabase', noValue, 'determined'),
          DBSnapshotIdentifier: ifThen('RestoreDatabase', ref('DbSnapshotIdentifier'), noValue),
          MasterUsername: ifThen('RestoreDatabase', noValue, 'postgres'),
          MasterUserPassword: ifThen(
            'RestoreDatabase',
            noValue,
            sub('{{resolve:secretsmanager:${ClusterSecretName}:SecretString:dbPassword}}'),
          ),
          VPCSecurityGroups: [getAtt('DatabaseSecurityGroup', 'GroupId')],
          ...(options.subnetIds ? { DBSubnetGroupName: ref('DatabaseSubnetGroup') } : {}),
        },
      },
    },
    Outputs: {
      DatabaseInstanceId: { Description: 'RDS instance of the Determined database', Value: ref('Database') },
      DatabaseAddress: {
        Description: 'Private address of the database',
        Value: getAtt('Database', 'Endpoint.Address'),
      },
    },
  };
}
