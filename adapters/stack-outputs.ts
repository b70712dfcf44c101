/**
 * Stack outputs as the workflows store them (the CloudFormation Outputs list, as JSON text) and as
 * the API shows them (a map with camelCased keys: MasterUrl -> masterUrl).
 */
export function camelCaseOutputs(stored: unknown): Record<string, string> {
  if (typeof stored !== 'string' || stored.length === 0) return {};
  let list: unknown;
  try {
    list = JSON.parse(stored);
  } catch {
    return {};
  }
  if (!Array.isArray(list)) return {};
  const outputs: Record<string, string> = {};
  for (const entry of list) {
    if (entry && typeof entry.OutputKey === 'string' && typeof entry.OutputValue === 'string') {
      outputs[camelCase(entry.OutputKey)] = entry.OutputValue;
    }
  }
  return outputs;
}

function camelCase(key: string): string {
  return key.charAt(0).toLowerCase() + key.slice(1);
}
