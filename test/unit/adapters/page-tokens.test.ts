/** Page tokens (issue 18, finding 11): opaque, authenticated, bound to the query that issued them. */
import { PageTokens } from '../../../adapters/page-tokens.ts';
import { ValidationError } from '../../../core/errors.ts';

const key = Buffer.alloc(32, 7);
const tokens = new PageTokens(async () => key);
const startKey = {
  pk: 'CLUSTER#alpha#dev',
  sk: 'CLUSTER',
  team: 'alpha',
  createdKey: '2026-11-28T12:00:00Z#dev',
};

describe('page tokens', () => {
  it('round-trip the start key for the same query', async () => {
    const token = await tokens.encode(startKey, 'by-team|alpha|');
    expect(await tokens.decode(token, 'by-team|alpha|')).toEqual(startKey);
    expect(await tokens.encode(undefined, 'by-team|alpha|')).toBeUndefined();
  });

  it('show nothing of the table’s key layout', async () => {
    const token = (await tokens.encode(startKey, 'by-team|alpha|')) ?? '';
    const decoded = Buffer.from(token, 'base64url').toString('latin1');
    for (const secret of ['pk', 'CLUSTER', 'alpha', 'createdKey']) expect(decoded).not.toContain(secret);
  });

  it.each([
    ['a forged token (base64 JSON of a key)', Buffer.from('{"x":1}').toString('base64url')],
    ['garbage', 'not a token'],
    ['an empty string', ''],
    ['an overlong token', 'A'.repeat(4000)],
  ])('refuse %s with a 400 on nextToken', async (_name, token) => {
    const error = await tokens.decode(token, 'by-team|alpha|').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).errors).toEqual([
      { field: 'nextToken', message: 'is not a token this API returned' },
    ]);
  });

  it('refuse a token issued for another query (another team’s list, another filter) or altered by one bit', async () => {
    const token = (await tokens.encode(startKey, 'by-team|alpha|')) ?? '';
    await expect(tokens.decode(token, 'by-team|beta|')).rejects.toBeInstanceOf(ValidationError);
    await expect(tokens.decode(token, 'by-team|alpha|READY')).rejects.toBeInstanceOf(ValidationError);
    const bytes = Buffer.from(token, 'base64url');
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 1;
    await expect(tokens.decode(bytes.toString('base64url'), 'by-team|alpha|')).rejects.toBeInstanceOf(
      ValidationError,
    );
    const otherKey = new PageTokens(async () => Buffer.alloc(32, 9));
    await expect(otherKey.decode(token, 'by-team|alpha|')).rejects.toBeInstanceOf(ValidationError);
  });
});
