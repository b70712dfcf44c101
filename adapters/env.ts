/** Typed readers for environment variables; they throw on a missing or malformed value (fail fast). */
export class ConfigurationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigurationError';
  }
}

type Env = Record<string, string | undefined>;

export function stringFromEnv(env: Env, key: string, defaultValue?: string): string {
  const value = env[key]?.trim();
  if (value) return value;
  if (defaultValue !== undefined) return defaultValue;
  throw new ConfigurationError(`environment variable ${key} is required`);
}

export function numberFromEnv(
  env: Env,
  key: string,
  defaultValue: number,
  bounds: { min?: number; max?: number } = {},
): number {
  const text = env[key]?.trim();
  if (!text) return defaultValue;
  const value = Number(text);
  if (!Number.isFinite(value))
    throw new ConfigurationError(`environment variable ${key} must be a number, got "${text}"`);
  const { min = -Infinity, max = Infinity } = bounds;
  if (value < min || value > max)
    throw new ConfigurationError(
      `environment variable ${key} must be between ${min} and ${max}, got ${value}`,
    );
  return value;
}

export function booleanFromEnv(env: Env, key: string, defaultValue: boolean): boolean {
  const text = env[key]?.trim().toLowerCase();
  if (!text) return defaultValue;
  if (['1', 'true', 'yes', 'on'].includes(text)) return true;
  if (['0', 'false', 'no', 'off'].includes(text)) return false;
  throw new ConfigurationError(`environment variable ${key} must be true or false, got "${text}"`);
}

export function jsonFromEnv(env: Env, key: string): unknown {
  const text = env[key]?.trim();
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new ConfigurationError(`environment variable ${key} must be JSON`);
  }
}
