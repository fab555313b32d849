// The console's build: two pages (the app, and the page the OpenID provider returns to in the silent-renewal
// iframe), each with its own module script and no inline script, so the CSP can say script-src 'self'.
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const root = import.meta.dirname;
/** nhsuk-frontend's stylesheet points at /assets/images/...: resolve those to the package, so Vite hashes them in. */
const nhsukImages = `${root}/../node_modules/nhsuk-frontend/dist/nhsuk/assets/images/`;

export default defineConfig({
  root,
  plugins: [react()],
  resolve: { alias: [{ find: /^\/assets\/images\//, replacement: nhsukImages }] },
  build: {
    outDir: `${root}/dist`,
    emptyOutDir: true,
    sourcemap: false,
    // No inline `modulepreload` polyfill script.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    // lightningcss refuses the stylesheet's old-IE media hack (`@media screen\0`); esbuild minifies it as it is.
    cssMinify: 'esbuild',
    rollupOptions: {
      input: { main: `${root}/index.html`, silent: `${root}/silent-renew.html` },
    },
  },
});
