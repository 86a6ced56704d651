/* global self, caches, fetch, setTimeout, clearTimeout */
/* Mamlaka's service worker: the app shell and the public catalog offline, and push notifications.
 * Plain JS, served unhashed at /sw.js (always revalidated) and registered by main.tsx.
 * Personal data (orders, wallet, profile…) is never cached: only public catalog reads and images. */

const VERSION = 'v1';
const SHELL = `mamlaka-shell-${VERSION}`;
const ASSETS = `mamlaka-assets-${VERSION}`;
const CATALOG = `mamlaka-catalog-${VERSION}`;
const IMAGES = `mamlaka-images-${VERSION}`;
const CURRENT = [SHELL, ASSETS, CATALOG, IMAGES];

// Every cache has a bound: the oldest entries go first.
const MAX_ASSETS = 120;
const MAX_CATALOG = 80;
const MAX_IMAGES = 200;
// Chunks named in the entry script that are cached ahead of use (the pages a visitor may open offline).
const MAX_PRECACHED_CHUNKS = 60;

// The app's pages (web/src/routes.tsx); the gateway serves index.html for exactly these.
const PAGE = /^\/(?:$|cart$|signin$|signup$|item\/|account(?:$|\/)|dashboard(?:$|\/)|console(?:$|\/))/;

const assetsIn = (text) =>
  [...new Set(text.match(/\/?assets\/[A-Za-z0-9._-]+\.(?:js|css|woff2|svg|png|webp)/g) ?? [])].map((path) =>
    path.startsWith('/') ? path : `/${path}`,
  );

async function trim(cacheName, max) {
  const cache = await caches.open(cacheName);
  const keys = await cache.keys();
  for (const request of keys.slice(0, Math.max(0, keys.length - max))) await cache.delete(request);
}

async function precache() {
  const shell = await caches.open(SHELL);
  const page = await fetch('/', { cache: 'no-cache' });
  if (!page.ok) throw new Error(`shell: ${page.status}`);
  const html = await page.clone().text();
  await shell.put('/', page);
  const assets = await caches.open(ASSETS);
  const required = assetsIn(html);
  await assets.addAll(required);
  // Best effort: the lazily loaded chunks the entry script names, so pages not yet visited open offline.
  const scripts = required.filter((path) => path.endsWith('.js'));
  const named = new Set();
  for (const script of scripts) {
    const response = await assets.match(script);
    if (response) for (const path of assetsIn(await response.text())) named.add(path);
  }
  // Not the seller's and admin's areas: large, and for people who work online.
  const extra = [...named]
    .filter((path) => !required.includes(path) && !/\/(?:SellerApp|AdminApp)-/.test(path))
    .slice(0, MAX_PRECACHED_CHUNKS);
  await Promise.all(extra.map((path) => assets.add(path).catch(() => undefined)));
}

self.addEventListener('install', (event) => {
  event.waitUntil(precache().then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      const names = await caches.keys();
      await Promise.all(
        names
          .filter((name) => name.startsWith('mamlaka-') && !CURRENT.includes(name))
          .map((name) => caches.delete(name)),
      );
      await self.clients.claim();
    })(),
  );
});

/** App pages: the network first (fresh mode banner, fresh asset names), else the cached shell. */
async function page(request) {
  try {
    const response = await fetch(request);
    if (response.ok && response.headers.get('content-type')?.includes('text/html')) {
      const shell = await caches.open(SHELL);
      await shell.put('/', response.clone());
    }
    return response;
  } catch (error) {
    const cached = await caches.match('/', { cacheName: SHELL });
    if (cached) return cached;
    throw error;
  }
}

/** Hashed assets never change: the cache first, the network once. */
async function asset(request) {
  const cache = await caches.open(ASSETS);
  const cached = await cache.match(request);
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) {
    await cache.put(request, response.clone());
    void trim(ASSETS, MAX_ASSETS);
  }
  return response;
}

// How long a catalog read waits for the network before a cached copy is shown instead.
const NETWORK_TIMEOUT_MS = 3000;

/**
 * Catalog reads: the network while there is one (a seller's new product, stock after a sale
 * and prices show at once), the cached copy when the network fails or is slower than
 * NETWORK_TIMEOUT_MS (offline or a bad connection), as Workbox's NetworkFirst with a
 * timeout does. The answer that arrives late still refreshes the cache.
 */
async function networkFirst(event, cacheName, max) {
  const cache = await caches.open(cacheName);
  // The catalog is the same for everyone: a copy fetched signed in serves a visitor too.
  const cachedCopy = () => cache.match(event.request, { ignoreVary: true });
  const network = fetch(event.request).then(async (response) => {
    if (response.ok && response.type === 'basic') {
      await cache.put(event.request, response.clone());
      await trim(cacheName, max);
    }
    return response;
  });
  event.waitUntil(network.catch(() => undefined));
  let timer;
  const slow = new Promise((resolve) => {
    timer = setTimeout(() => resolve(cachedCopy()), NETWORK_TIMEOUT_MS);
  });
  try {
    const first = await Promise.race([network, slow]);
    if (first) return first;
    return await network; // slow, and nothing cached: keep waiting for the network
  } catch (error) {
    const cached = await cachedCopy();
    if (cached) return cached;
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

/** Images: the cached copy at once, refreshed in the background. */
async function staleWhileRevalidate(event, cacheName, max) {
  const cache = await caches.open(cacheName);
  // The catalog is the same for everyone: a copy fetched signed in serves a visitor too.
  const cached = await cache.match(event.request, { ignoreVary: true });
  const network = fetch(event.request).then(async (response) => {
    if (response.ok && response.type === 'basic') {
      await cache.put(event.request, response.clone());
      await trim(cacheName, max);
    }
    return response;
  });
  if (cached) {
    event.waitUntil(network.catch(() => undefined));
    return cached;
  }
  return network;
}

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  const path = url.pathname;
  if (request.mode === 'navigate') {
    if (PAGE.test(path)) event.respondWith(page(request));
    return;
  }
  if (path.startsWith('/assets/')) event.respondWith(asset(request));
  else if (path === '/products' || path.startsWith('/products/'))
    event.respondWith(networkFirst(event, CATALOG, MAX_CATALOG));
  else if (path.startsWith('/uploads/')) event.respondWith(staleWhileRevalidate(event, IMAGES, MAX_IMAGES));
  // Everything else (orders, wallet, users…) goes to the network only.
});

self.addEventListener('push', (event) => {
  let message = {};
  try {
    message = event.data ? event.data.json() : {};
  } catch {
    message = { body: event.data ? event.data.text() : '' };
  }
  const title = typeof message.title === 'string' && message.title ? message.title : 'Mamlaka';
  event.waitUntil(
    self.registration.showNotification(title, {
      body: typeof message.body === 'string' ? message.body : '',
      tag: typeof message.tag === 'string' ? message.tag : undefined,
      data: { url: typeof message.url === 'string' ? message.url : '/' },
      icon: '/icon.svg',
    }),
  );
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const target = new URL(event.notification.data?.url ?? '/', self.location.origin);
  // Only this app's pages: a push cannot send the reader to another site.
  const url = target.origin === self.location.origin ? target.href : self.location.origin + '/';
  event.waitUntil(
    (async () => {
      const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
      const open = windows.find((client) => client.url === url);
      if (open) return open.focus();
      return self.clients.openWindow(url);
    })(),
  );
});
