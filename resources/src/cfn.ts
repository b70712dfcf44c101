/** CloudFormation intrinsics as plain JSON (no `${}`: serverless would read those as its own variables). */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
export type Resources = Record<
  string,
  {
    Type: string;
    Condition?: string;
    DeletionPolicy?: string;
    UpdateReplacePolicy?: string;
    Properties: Record<string, Json>;
  }
>;

export const ref = (logicalId: string): Json => ({ Ref: logicalId });
export const getAtt = (logicalId: string, attribute: string): Json => ({
  'Fn::GetAtt': [logicalId, attribute],
});
export const join = (parts: Json[]): Json => ({ 'Fn::Join': ['', parts] });
/** arn:<partition>:<service>:<region>:<account>:<rest...> */
export const arn = (service: string, ...rest: Json[]): Json =>
  join([
    'arn:',
    ref('AWS::Partition'),
    `:${service}:`,
    ref('AWS::Region'),
    ':',
    ref('AWS::AccountId'),
    ':',
    ...rest,
  ]);
