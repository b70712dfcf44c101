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
}

export async function issueToken(key: Uint8Array, request: TokenRequest): Promise<string> {
  const scope = ['clusters:read', 'clusters:write', ...(request.admin ? ['clusters:admin'] : [])].join(' ');
  return new SignJWT({ [request.teamClaim]: request.team, scope })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(request.sub)
    .setIssuer(LOCAL_ISSUER)
    .setAudience(LOCAL_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(`${request.hours}h`)
    .sign(key);
}

/** The claims of a valid token, as API Gateway hands them to Lambda (strings); undefined if invalid. */
export async function verifyToken(
  key: Uint8Array,
  token: string,
): Promise<Record<string, string> | undefined> {
  try {
    const { payload } = await jwtVerify(token, key, {
      issuer: LOCAL_ISSUER,
      audience: LOCAL_AUDIENCE,
      algorithms: ['HS256'],
    });
    return Object.fromEntries(
      Object.entries(payload).map(([name, value]) => [
        name,
        Array.isArray(value) ? `[${value.join(' ')}]` : String(value),
      ]),
    );
  } catch {
    return undefined;
  }
}
