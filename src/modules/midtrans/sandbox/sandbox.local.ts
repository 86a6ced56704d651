import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { IrisClientOptions } from '../iris.client.js';
import type { MidtransClientOptions } from '../midtrans.client.js';
import { createMidtransSandbox } from './sandbox.server.js';

/** Where the all-in-one server serves its bundled sandbox: Snap and the Core API both live under it. */
export const LOCAL_SANDBOX_PREFIX = '/midtrans-sandbox';

/** The bundled Midtrans sandbox served by the server itself, beside its API. */
export interface LocalMidtrans {
  /** For the Midtrans client: the server's own address, resolved at each call once it listens. */
  settings: MidtransClientOptions;
  /** For the Iris client: the emulated Iris under the same prefix, and its notifications' key. */
  iris: IrisClientOptions & { merchantKey: string };
  /** Registers the sandbox under LOCAL_SANDBOX_PREFIX; before the app is ready. */
  mount(app: FastifyInstance): Promise<void>;
  /**
   * Once the server listens on `address`: the sandbox notifies the server's webhook there,
   * and its pay links start with PUBLIC_URL (or that address, when PUBLIC_URL names port 0).
   * Returns the base of the pay links.
   */
  connect(address: AddressInfo | string | null): string;
  close(): Promise<void>;
}

/** How this process reaches a server listening on `address`: an unspecified address means loopback. */
export function loopbackOrigin(address: AddressInfo | string | null): string {
  if (!address || typeof address === 'string') throw new Error('the server does not listen on a TCP port');
  const host =
    address.address === '0.0.0.0'
      ? '127.0.0.1'
      : address.address === '::'
        ? '[::1]'
        : address.family === 'IPv6'
          ? `[${address.address}]`
          : address.address;
  return `http://${host}:${address.port}`;
}

/**
 * The sandbox, its transactions kept in `<dataDir>/midtrans-sandbox/`, with a server key
 * generated per start when none is configured (restored notifications are signed again).
 */
export function localMidtrans(settings: {
  serverKey: string | undefined;
  dataDir: string;
  publicUrl: string;
  timeoutMs: number;
  logger: Logger;
}): LocalMidtrans {
  const serverKey = settings.serverKey ?? `SB-Mid-server-local-${randomBytes(12).toString('hex')}`;
  const irisKey = (role: string) => `IRIS-local-${role}-${randomBytes(12).toString('hex')}`;
  const irisKeys = {
    creatorKey: irisKey('creator'),
    approverKey: irisKey('approver'),
    merchantKey: irisKey('merchant'),
  };
  const sandbox = createMidtransSandbox({
    serverKey,
    iris: irisKeys,
    logger: settings.logger,
    stateDir: path.join(settings.dataDir, 'midtrans-sandbox'),
  });
  let ownBase: string | undefined;
  // Before the server listens a call fails like an unreachable gateway, and is retried as one.
  const base = () => ownBase ?? fail();
  return {
    settings: { serverKey, snapUrl: base, apiUrl: base, timeoutMs: settings.timeoutMs },
    iris: { ...irisKeys, apiUrl: () => `${base()}/iris`, timeoutMs: settings.timeoutMs },
    mount: (app) => sandbox.mount(app, LOCAL_SANDBOX_PREFIX),
    connect(address) {
      const origin = loopbackOrigin(address);
      ownBase = `${origin}${LOCAL_SANDBOX_PREFIX}`;
      const publicOrigin = new URL(settings.publicUrl).port === '0' ? origin : settings.publicUrl;
      const publicBase = `${publicOrigin}${LOCAL_SANDBOX_PREFIX}`;
      sandbox.connect({
        notificationUrl: `${origin}/payments/midtrans/webhook`,
        publicUrl: publicBase,
        irisNotificationUrl: `${origin}/midtrans/iris/notifications`,
      });
      return publicBase;
    },
    close: () => sandbox.close(),
  };
}

const fail = (): never => {
  throw new Error('the local Midtrans sandbox is not listening yet');
};
