import { createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { appJwt, gateOctokit } from '../../src/app/octokit.js';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });

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

describe('gateOctokit retries (plugin-retry rules, without its Bottleneck)', () => {
  const client = (answers: Array<number | (() => Response)>, seen: string[]) => {
    const Client = gateOctokit({ retryAfterBaseMs: 1, throttle: { enabled: false } });
    let i = 0;
    const fetch = async (url: string, init: { method: string }) => {
      seen.push(`${init.method} ${new URL(url).pathname}`);
      const answer = answers[Math.min(i++, answers.length - 1)]!;
      if (typeof answer === 'function') return answer();
      return new Response(JSON.stringify(answer < 400 ? { ok: true } : { message: `status ${answer}` }), { status: answer, headers: { 'content-type': 'application/json' } });
    };
    return new Client({ request: { fetch } });
  };

  it('repeats a GET that failed with a 5xx, up to three times, and returns the answer that worked', async () => {
    const seen: string[] = [];
    const res = await client([502, 500, 200], seen).request('GET /repos/{owner}/{repo}', { owner: 'o', repo: 'r' });
    expect(res.status).toBe(200);
    expect(seen).toEqual(['GET /repos/o/r', 'GET /repos/o/r', 'GET /repos/o/r']);
  });

  it('gives up after three repeats', async () => {
    const seen: string[] = [];
    await expect(client([503], seen).request('GET /repos/{owner}/{repo}', { owner: 'o', repo: 'r' })).rejects.toMatchObject({ status: 503 });
    expect(seen).toHaveLength(4);
  });

  it('does not repeat answers that will not change (404, 422, 403) nor a POST that failed', async () => {
    for (const status of [404, 422, 403]) {
      const seen: string[] = [];
      await expect(client([status, 200], seen).request('GET /repos/{owner}/{repo}', { owner: 'o', repo: 'r' })).rejects.toMatchObject({ status });
      expect(seen).toHaveLength(1);
    }
    const seen: string[] = [];
    await expect(client([502, 201], seen).request('POST /repos/{owner}/{repo}/check-runs', { owner: 'o', repo: 'r', name: 'x', head_sha: 'a' })).rejects.toMatchObject({ status: 502 });
    expect(seen).toHaveLength(1);
  });

  it('repeats a request that failed on the network', async () => {
    const seen: string[] = [];
    const fail = () => {
      throw new TypeError('fetch failed');
    };
    const res = await client([fail, 200], seen).request('GET /repos/{owner}/{repo}', { owner: 'o', repo: 'r' });
    expect(res.status).toBe(200);
    expect(seen).toHaveLength(2);
  });
});
