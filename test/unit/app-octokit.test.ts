import { createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { appJwt } from '../../src/app/octokit.js';

const { privateKey, publicKey } = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
});

function decode(jwt: string): { header: Record<string, unknown>; claims: Record<string, unknown>; valid: boolean } {
  const [h, c, s] = jwt.split('.') as [string, string, string];
  return {
    header: JSON.parse(Buffer.from(h, 'base64url').toString()) as Record<string, unknown>,
    claims: JSON.parse(Buffer.from(c, 'base64url').toString()) as Record<string, unknown>,
    valid: verify('sha256', Buffer.from(`${h}.${c}`), createPublicKey(publicKey), Buffer.from(s, 'base64url')),
  };
}

describe('appJwt', () => {
  it('signs an RS256 JWT GitHub accepts: issued 30 s ago, valid ten minutes, issuer the app id', async () => {
    const at = Date.UTC(2026, 0, 1, 12, 0, 0);
    const { jwt, expiresAt } = await appJwt(privateKey, () => at)(42);
    const { header, claims, valid } = decode(jwt);
    expect(valid).toBe(true);
    expect(header).toEqual({ alg: 'RS256', typ: 'JWT' });
    expect(claims).toEqual({ iss: 42, iat: at / 1000 - 30, exp: at / 1000 - 30 + 600 });
    expect(expiresAt).toBe(new Date((at / 1000 - 30 + 600) * 1000).toISOString());
  });

  it('hands the same JWT out for a minute, then signs a new one', async () => {
    let now = Date.UTC(2026, 0, 1, 12, 0, 0);
    const create = appJwt(privateKey, () => now);
    const first = await create(42);
    now += 59_000;
    expect((await create(42)).jwt).toBe(first.jwt);
    now += 1_000;
    const second = await create(42);
    expect(second.jwt).not.toBe(first.jwt);
    expect(decode(second.jwt).claims.iat).toBe(now / 1000 - 30);
  });

  it('signs afresh for another clock difference (GitHub refused a JWT as skewed) or another app id', async () => {
    const now = Date.UTC(2026, 0, 1, 12, 0, 0);
    const create = appJwt(privateKey, () => now);
    const plain = await create(42);
    const skewed = await create(42, 120);
    expect(skewed.jwt).not.toBe(plain.jwt);
    expect(decode(skewed.jwt).claims.iat).toBe(now / 1000 + 120 - 30);
    expect(decode((await create(7)).jwt).claims.iss).toBe(7);
  });

  it('never reuses a JWT when the clock went backwards', async () => {
    let now = Date.UTC(2026, 0, 1, 12, 0, 0);
    const create = appJwt(privateKey, () => now);
    const first = await create(42);
    now -= 5_000;
    expect((await create(42)).jwt).not.toBe(first.jwt);
  });

  it('reads a key whose line breaks are escaped, as in environment variables', async () => {
    const { jwt } = await appJwt(privateKey.replace(/\n/g, '\\n'))(42);
    expect(decode(jwt).valid).toBe(true);
  });
});
