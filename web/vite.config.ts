import path from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const root = path.dirname(fileURLToPath(import.meta.url));

// Built by scripts/build.mjs into dist/web, which the gateway serves at `/`. `npm run web:dev`
// serves it with hot reload and forwards API calls to a running `npm start` on :8080.
export default defineConfig({
  root,
  plugins: [react()],
  build: {
    outDir: path.join(root, '..', 'dist', 'web'),
    emptyOutDir: true,
    // Hashed names under /assets/: the gateway serves them as immutable for a year.
    assetsDir: 'assets',
    target: 'es2022',
    sourcemap: false,
  },
  server: {
    proxy: Object.fromEntries(
      [
        '/products',
        '/orders',
        '/payments',
        '/refunds',
        '/wallet',
        '/users',
        '/auth',
        '/admin',
        '/sellers',
        '/push',
        '/uploads',
        '/webhooks',
        '/midtrans-sandbox',
        '/openapi.json',
      ].map((prefix) => [prefix, 'http://127.0.0.1:8080']),
    ),
  },
});
