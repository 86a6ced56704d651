import { describe, expect, it } from 'vitest';
import { SANDBOX_WEBHOOK_ALLOW_LIST } from '../../config.js';
import { checkWebhookUrl, guardedLookup, isPublicAddress, type Resolver } from './url-guard.js';

const resolvingTo =
  (...addresses: string[]): Resolver =>
  async () =>
    addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));

describe('webhook URL guard', () => {
  it('knows public from non-public addresses', () => {
    for (const address of ['8.8.8.8', '1.1.1.1', '93.184.216.34', '2606:4700:4700::1111']) {
      expect(isPublicAddress(address), address).toBe(true);
    }
    for (const address of [
      '127.0.0.1',
      '127.255.0.9',
      '10.1.2.3',
      '172.16.0.1',
      '172.31.255.255',
      '192.168.1.1',
      '169.254.169.254',
      '0.0.0.0',
      '100.64.0.1',
      '224.0.0.1',
      '255.255.255.255',
      '::',
      '::1',
      'fc00::1',
      'fd12:3456::1',
      'fe80::1',
      '::ffff:127.0.0.1',
      '::ffff:10.0.0.1',
      '::ffff:a9fe:a9fe',
      'not an ip',
    ]) {
      expect(isPublicAddress(address), address).toBe(false);
    }
    expect(isPublicAddress('172.32.0.1')).toBe(true);
  });

  it('accepts a public https URL', async () => {
    const check = await checkWebhookUrl('https://hooks.example.com/x', [], resolvingTo('93.184.216.34'));
    expect(check).toMatchObject({ ok: true, addresses: ['93.184.216.34'] });
  });

  it('refuses other schemes, credentials and garbage', async () => {
    const resolve = resolvingTo('93.184.216.34');
    expect(await checkWebhookUrl('ftp://example.com/', [], resolve)).toMatchObject({
      code: 'unsupported_scheme',
    });
    expect(await checkWebhookUrl('file:///etc/passwd', [], resolve)).toMatchObject({
      code: 'unsupported_scheme',
    });
    expect(await checkWebhookUrl('https://u:p@example.com/', [], resolve)).toMatchObject({
      code: 'invalid_url',
    });
    expect(await checkWebhookUrl('not a url', [], resolve)).toMatchObject({ code: 'invalid_url' });
  });

  it('refuses IP literals and hosts resolving to non-public ranges', async () => {
    for (const url of [
      'http://127.0.0.1:8080/',
      'http://10.0.0.5/',
      'http://169.254.169.254/latest/meta-data',
      'http://[::1]/',
      'http://[fe80::1]/',
      'http://0.0.0.0/',
    ]) {
      expect(await checkWebhookUrl(url, [], resolvingTo('93.184.216.34')), url).toMatchObject({
        ok: false,
        code: 'non_public_address',
      });
    }
    // One bad address among good ones is enough to refuse.
    expect(
      await checkWebhookUrl('https://mixed.example.com/', [], resolvingTo('93.184.216.34', '192.168.0.10')),
    ).toMatchObject({ ok: false, code: 'non_public_address' });
  });

  it('lets the allow-list through, by address or by host', async () => {
    expect((await checkWebhookUrl('http://127.0.0.1:9/', ['127.0.0.1'])).ok).toBe(true);
    expect((await checkWebhookUrl('http://[::1]:9/', ['::1'])).ok).toBe(true);
    expect(
      (await checkWebhookUrl('http://internal.test/', ['internal.test'], resolvingTo('10.0.0.1'))).ok,
    ).toBe(true);
    expect((await checkWebhookUrl('http://10.0.0.2/', ['127.0.0.1'])).ok).toBe(false);
  });

  it('lets the sandbox default through to loopback receivers and to nothing else private', async () => {
    const sandbox = SANDBOX_WEBHOOK_ALLOW_LIST;
    for (const url of ['http://127.0.0.1:9000/hooks', 'http://[::1]:9000/hooks', 'http://localhost:9000/']) {
      expect((await checkWebhookUrl(url, sandbox, resolvingTo('127.0.0.1', '::1'))).ok, url).toBe(true);
    }
    for (const url of [
      'http://10.0.0.5/',
      'http://192.168.1.1/',
      'http://169.254.169.254/latest/meta-data',
      'http://[fe80::1]/',
      'http://[fd12:3456::1]/',
      'http://0.0.0.0/',
      'http://[::ffff:a9fe:a9fe]/',
    ]) {
      expect(await checkWebhookUrl(url, sandbox), url).toMatchObject({
        ok: false,
        code: 'non_public_address',
      });
    }
    expect(
      await checkWebhookUrl('http://metadata.example/', sandbox, resolvingTo('169.254.169.254')),
    ).toMatchObject({ ok: false, code: 'non_public_address' });
  });

  it('reports a host that does not resolve', async () => {
    const failing: Resolver = async () => {
      throw new Error('ENOTFOUND');
    };
    expect(await checkWebhookUrl('https://nowhere.invalid/', [], failing)).toMatchObject({
      code: 'unresolvable_host',
    });
  });

  it('refuses at connect time a host that now resolves to a private address', async () => {
    const lookup = guardedLookup([], resolvingTo('10.0.0.7'));
    const error = await new Promise<NodeJS.ErrnoException | null>((resolve) =>
      lookup('rebound.example.com', { all: true }, (err) => resolve(err)),
    );
    expect(error?.code).toBe('ENONPUBLIC');
    const fine = guardedLookup([], resolvingTo('93.184.216.34'));
    const result = await new Promise<unknown>((resolve) =>
      fine('ok.example.com', {}, (err, address, family) => resolve({ err, address, family })),
    );
    expect(result).toEqual({ err: null, address: '93.184.216.34', family: 4 });
  });
});
