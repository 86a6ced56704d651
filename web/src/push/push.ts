import { api, unwrap } from '../api/client';

/**
 * Web Push for this browser: permission, the server's VAPID key, a subscription through the
 * service worker, and the server's id of it (kept in localStorage so it can be deleted later).
 */

const STORAGE_KEY = 'mamlaka.push.subscription';

interface Remembered {
  id: string;
  userId: string;
  endpoint: string;
}

// The browser's push service can be unreachable (a firewall, no Google services): say so, do not hang.
const SUBSCRIBE_TIMEOUT_MS = 20_000;

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the push service did not answer')), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

export type PushState = 'unsupported' | 'denied' | 'on' | 'off';

export const pushSupported = (): boolean =>
  'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window;

function remembered(): Remembered | undefined {
  try {
    const parsed = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? 'null') as Remembered | null;
    return parsed?.id ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** Whether this browser is subscribed for `userId` (as far as this device knows). */
export function pushState(userId: string): PushState {
  if (!pushSupported()) return 'unsupported';
  if (Notification.permission === 'denied') return 'denied';
  return remembered()?.userId === userId && Notification.permission === 'granted' ? 'on' : 'off';
}

/** The key in the bytes PushManager wants, from the base64url the API gives. */
export function base64UrlToBytes(value: string): Uint8Array<ArrayBuffer> {
  const base64 = (value + '='.repeat((4 - (value.length % 4)) % 4)).replace(/-/g, '+').replace(/_/g, '/');
  const binary = atob(base64);
  const bytes = new Uint8Array(new ArrayBuffer(binary.length));
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

// Production builds register /sw.js at load (main.tsx); the dev server does not, so do it here.
async function registration(): Promise<ServiceWorkerRegistration> {
  const existing = await navigator.serviceWorker.getRegistration();
  if (!existing) await navigator.serviceWorker.register('/sw.js');
  return navigator.serviceWorker.ready;
}

export class PushDeniedError extends Error {
  constructor() {
    super('notifications are blocked');
    this.name = 'PushDeniedError';
  }
}

/** Asks permission, subscribes this browser and tells the server. */
export async function enablePush(userId: string): Promise<void> {
  const permission = await Notification.requestPermission();
  if (permission !== 'granted') throw new PushDeniedError();
  const { public_key } = await unwrap(api.GET('/push/vapid-key'));
  const worker = await registration();
  const applicationServerKey = base64UrlToBytes(public_key);
  let subscription = await worker.pushManager.getSubscription();
  // A subscription made with another key (the server's changed) cannot be reused.
  const sameKey =
    subscription?.options.applicationServerKey &&
    new Uint8Array(subscription.options.applicationServerKey).join() === applicationServerKey.join();
  if (subscription && !sameKey) {
    await subscription.unsubscribe();
    subscription = null;
  }
  subscription ??= await withTimeout(
    worker.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey }),
    SUBSCRIBE_TIMEOUT_MS,
  );
  const json = subscription.toJSON();
  const created = await unwrap(
    api.POST('/push/subscriptions', {
      body: {
        endpoint: json.endpoint ?? subscription.endpoint,
        expirationTime: json.expirationTime ?? null,
        keys: { p256dh: json.keys?.p256dh ?? '', auth: json.keys?.auth ?? '' },
      },
    }),
  );
  localStorage.setItem(STORAGE_KEY, JSON.stringify({ id: created.id, userId, endpoint: created.endpoint }));
}

/** Tells the server to forget this browser, then unsubscribes it. */
export async function disablePush(): Promise<void> {
  const known = remembered();
  if (known) {
    const { error, response } = await api.DELETE('/push/subscriptions/{id}', {
      params: { path: { id: known.id } },
    });
    // 404: the server had already dropped it (expired, or removed elsewhere).
    if (!response.ok && response.status !== 404) await unwrap(Promise.resolve({ error, response }));
  }
  localStorage.removeItem(STORAGE_KEY);
  const worker = await navigator.serviceWorker.getRegistration();
  const subscription = await worker?.pushManager.getSubscription();
  await subscription?.unsubscribe();
}
