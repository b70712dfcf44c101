/**
 * Local stand-in for the API Gateway JWT authorizer: tokens are HS256-signed with a key kept in
 * .local/ (created on first use), with the same claims a real identity provider would issue.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { SignJWT, jwtVerify } from 'jose';

export const LOCAL_ISSUER = 'https://det-control-plane.local/';
export const LOCAL_AUDIENCE = 'det-control-plane';

export function signingKeyPath(root: string): string {
  return join(root, '.local', 'jwt-signing-key');
}

/** The local signing key; created atomically on first use so `npm start` and `npm run token` agree. */
export function signingKey(root: string): Uint8Array {
  const path = signingKeyPath(root);
  try {
    return Buffer.from(readFileSync(path, 'utf8').trim(), 'hex');
  } catch {
    mkdirSync(dirname(path), { recursive: true });
    try {
      writeFileSync(path, randomBytes(32).toString('hex'), { flag: 'wx', mode: 0o600 });
    } catch {
      // Another process created it first; read theirs.
    }
    return Buffer.from(readFileSync(path, 'utf8').trim(), 'hex');
  }
}

export interface TokenRequest {
  team: string;
  sub: string;
  admin: boolean;
  teamClaim: string;
  hours: number;
  /** The scopes to grant instead of the default (read and write, plus admin with `admin`). */
  scopes?: string[];
}

export async function issueToken(key: Uint8Array, request: TokenRequest): Promise<string> {
  const scope = (
    request.scopes ?? ['clusters:read', 'clusters:write', ...(request.admin ? ['clusters:admin'] : [])]
  ).join(' ');
  return new SignJWT({ [request.teamClaim]: request.team, scope })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(request.sub)
    .setIssuer(LOCAL_ISSUER)
    .setAudience(LOCAL_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(`${request.hours}h`)
    .sign(key);
}

/**
 * The claims of a valid token, as API Gateway hands them to Lambda: strings as they are, numbers and
 * booleans as text, lists of strings as "[a b]". A token without `exp` is invalid. Claims of any
 * other shape (null, objects, lists of non-strings) are left out, never turned into text, so a
 * `team` of null or {} is a missing team (401), not a tenant called "null" or "[object Object]".
 */
export async function verifyToken(
  key: Uint8Array,
  token: string,
): Promise<Record<string, string> | undefined> {
  try {
    const { payload } = await jwtVerify(token, key, {
      issuer: LOCAL_ISSUER,
      audience: LOCAL_AUDIENCE,
      algorithms: ['HS256'],
      requiredClaims: ['exp', 'sub'],
    });
    return Object.fromEntries(
      Object.entries(payload).flatMap(([name, value]): [string, string][] => {
        if (typeof value === 'string') return [[name, value]];
        if (typeof value === 'number' || typeof value === 'boolean') return [[name, String(value)]];
        if (Array.isArray(value) && value.every((item) => typeof item === 'string'))
          return [[name, `[${value.join(' ')}]`]];
        return [];
      }),
    );
  } catch {
    return undefined;
  }
}
