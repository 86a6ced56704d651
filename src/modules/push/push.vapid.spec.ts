import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadVapidKeys } from './push.vapid.js';

const dirs: string[] = [];
const dataDir = () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'mamlaka-vapid-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('loadVapidKeys', () => {
  it('uses the configured pair and writes nothing', () => {
    const dir = dataDir();
    const configured = { publicKey: 'pub', privateKey: 'priv' };
    expect(loadVapidKeys(configured, dir)).toBe(configured);
    expect(() => statSync(path.join(dir, 'keys'))).toThrow();
  });

  it('generates a pair once and keeps it, readable only by its owner, so subscriptions survive restarts', () => {
    const dir = dataDir();
    const first = loadVapidKeys(undefined, dir);
    expect(Buffer.from(first.publicKey, 'base64url')).toHaveLength(65);
    expect(Buffer.from(first.privateKey, 'base64url')).toHaveLength(32);
    expect(loadVapidKeys(undefined, dir)).toEqual(first);
    expect(statSync(path.join(dir, 'keys', 'vapid-p256.json')).mode & 0o777).toBe(0o600);
    expect(loadVapidKeys(undefined, dataDir())).not.toEqual(first);
  });
});
