// The console is a static bundle the collector serves from console/dist: no CDN, no external
// fonts, so it works on a customer's closed network. In development, `pnpm --filter
// @patrol/console dev` proxies /api to a collector on 127.0.0.1:8080.
import { defineConfig } from 'vite'
import preact from '@preact/preset-vite'

export default defineConfig({
  plugins: [preact()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false, chunkSizeWarningLimit: 400 },
  server: { proxy: { '/api': 'http://127.0.0.1:8080' } },
})
