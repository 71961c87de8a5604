import { describe, expect, it } from 'vitest';
import { generateKeyPairSync } from 'node:crypto';
import { parseConfigDuration } from '../../src/app/config-duration.js';
import { readGateEnv, readServerConfig } from '../../src/app/config.js';

const { privateKey } = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
});
const complete = { APP_ID: '123', PRIVATE_KEY: privateKey, WEBHOOK_SECRET: 's3cret' };

describe('parseConfigDuration', () => {
  it.each([
    ['5m', 300_000],
    ['30s', 30_000],
    ['2h', 7_200_000],
    ['1d', 86_400_000],
    [' 10M ', 600_000],
    ['250ms', 250],
  ])('%s is %d ms', (text, ms) => expect(parseConfigDuration(text)).toEqual({ ok: true, ms }));

  it.each(['', '5', 'm', '5 minutes', '-5m', '1.5h', '0s', '5w'])('rejects %j with a message that shows the form', (text) => {
    const result = parseConfigDuration(text);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toMatch(/positive|e\.g\. 5m/);
  });
});

describe('readGateEnv', () => {
  it('defaults the sweep to 5 minutes and runs 256 reconciles at a time', () => {
    expect(readGateEnv({})).toEqual({ ok: true, value: { sweepIntervalMs: 300_000, concurrency: 256 } });
  });
  it('takes HITL_CONCURRENCY as a whole number from 1 to 4096, and names it otherwise', () => {
    expect(readGateEnv({ HITL_CONCURRENCY: '32' })).toMatchObject({ ok: true, value: { concurrency: 32 } });
    for (const bad of ['0', '-1', '1.5', 'many', '5000']) {
      expect(readGateEnv({ HITL_CONCURRENCY: bad })).toMatchObject({ ok: false, errors: [expect.stringContaining('HITL_CONCURRENCY')] });
    }
  });
  it('names the variable when the interval is wrong or too short', () => {
    expect(readGateEnv({ HITL_SWEEP_INTERVAL: 'often' })).toMatchObject({
      ok: false,
      errors: [expect.stringContaining('HITL_SWEEP_INTERVAL')],
    });
    expect(readGateEnv({ HITL_SWEEP_INTERVAL: '1s' })).toMatchObject({ ok: false, errors: [expect.stringContaining('at least 10s')] });
  });
  it("takes HITL_DASHBOARD_INTERVAL as a duration of at least a second (default: the App's one minute)", () => {
    expect(readGateEnv({})).toMatchObject({ ok: true, value: expect.not.objectContaining({ dashboardIntervalMs: expect.anything() }) });
    expect(readGateEnv({ HITL_DASHBOARD_INTERVAL: '2m' })).toMatchObject({ ok: true, value: { dashboardIntervalMs: 120_000 } });
    expect(readGateEnv({ HITL_DASHBOARD_INTERVAL: 'soon' })).toMatchObject({
      ok: false,
      errors: [expect.stringContaining('HITL_DASHBOARD_INTERVAL')],
    });
    expect(readGateEnv({ HITL_DASHBOARD_INTERVAL: '500ms' })).toMatchObject({
      ok: false,
      errors: [expect.stringContaining('at least 1s')],
    });
  });
  it('checks REDIS_URL is a redis URL', () => {
    expect(readGateEnv({ REDIS_URL: 'localhost:6379' })).toMatchObject({ ok: false, errors: [expect.stringContaining('REDIS_URL')] });
    expect(readGateEnv({ REDIS_URL: 'redis://127.0.0.1:6379' })).toMatchObject({ ok: true, value: { redisUrl: 'redis://127.0.0.1:6379' } });
  });
});

describe('readServerConfig', () => {
  it("accepts Probot's standard environment, with GitHub Enterprise Server", () => {
    const result = readServerConfig({ ...complete, PORT: '8080', HOST: '127.0.0.1', GHE_HOST: 'ghe.example.com', LOG_LEVEL: 'debug' });
    expect(result).toMatchObject({
      ok: true,
      value: {
        appId: 123,
        port: 8080,
        host: '127.0.0.1',
        baseUrl: 'https://ghe.example.com/api/v3',
        logLevel: 'debug',
        webhookSecret: 's3cret',
      },
    });
  });

  it('lists every missing setting, each saying what it is', () => {
    const result = readServerConfig({});
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map((e) => e.split(' ')[0])).toEqual(['APP_ID', 'PRIVATE_KEY', 'WEBHOOK_SECRET']);
  });

  it('rejects a private key path that does not exist and a bad port', () => {
    const result = readServerConfig({ APP_ID: '1', WEBHOOK_SECRET: 'x', PRIVATE_KEY_PATH: '/nonexistent/key.pem', PORT: 'eighty' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.join('\n')).toMatch(/PRIVATE_KEY_PATH/);
    expect(result.errors.join('\n')).toMatch(/PORT/);
  });
});
