/**
 * The local stand-in for the JWT authorizer (issue 18, findings 8 and 15): tokens without `exp` are
 * refused, and claims that are not strings are never turned into a tenant's name.
 */
import { randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';
import { issueToken, LOCAL_AUDIENCE, LOCAL_ISSUER, verifyToken } from '../../../local/auth.ts';
import { DEFAULT_SCOPES, principalFromClaims } from '../../../core/principal.ts';
import { UnauthorizedError } from '../../../core/errors.ts';

const key = randomBytes(32);

function sign(claims: Record<string, unknown>, options: { exp?: boolean } = {}) {
  const jwt = new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('alice')
    .setIssuer(LOCAL_ISSUER)
    .setAudience(LOCAL_AUDIENCE)
    .setIssuedAt();
  if (options.exp !== false) jwt.setExpirationTime('1h');
  return jwt.sign(key);
}

const principal = (claims: Record<string, string> | undefined) =>
  principalFromClaims(claims, { teamClaim: 'team', scopes: DEFAULT_SCOPES });

describe('local tokens', () => {
  it('accepts a token that npm run token issues, with the scopes it was given', async () => {
    const token = await issueToken(key, {
      team: 'ml',
      sub: 'alice',
      admin: false,
      teamClaim: 'team',
      hours: 1,
      scopes: ['clusters:read'],
    });
    const claims = await verifyToken(key, token);
    expect(principal(claims)).toMatchObject({ team: 'ml', sub: 'alice', admin: false });
    expect([...principal(claims).scopes]).toEqual(['read']);
  });

  it('refuses a token without exp (finding 15)', async () => {
    expect(await verifyToken(key, await sign({ team: 'ml' }, { exp: false }))).toBeUndefined();
    expect(await verifyToken(key, await sign({ team: 'ml' }))).toBeDefined();
  });

  it.each([
    ['null', null],
    ['a list', ['ml', 'ops']],
    ['an object', { name: 'ml' }],
    ['a number', 42],
    ['true', true],
  ])('never makes a tenant of a team claim that is %s (finding 8)', async (_name, team) => {
    const claims = await verifyToken(key, await sign({ team, scope: 'clusters:read' }));
    expect(claims).toBeDefined();
    expect(() => principal(claims)).toThrow(UnauthorizedError);
  });
});
