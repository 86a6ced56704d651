import { inject, vi } from 'vitest';

/**
 * Setup file of the browser projects: the test servers serve the copy of dist/web the global
 * setup took (test/helpers/browser-setup.ts) rather than dist/web itself, which a server
 * started in this checkout meanwhile may rebuild under a running test.
 */
vi.mock('../../src/platform/http/web-app.routes.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/platform/http/web-app.routes.js')>();
  return {
    ...original,
    webAppRoutes: (...[app, options]: Parameters<typeof original.webAppRoutes>) =>
      original.webAppRoutes(app, { ...options, dir: inject('webAppDir') }),
  };
});
