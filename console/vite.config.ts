import react from '@vitejs/plugin-react'
import { defaultClientConditions, defineConfig } from 'vite'

// `npm run build:console` builds into console/dist, which the stack serves at `/`. `npx vite console` serves the
// sources with hot reload and forwards the stack's paths to a running `npm start` (or PLATER_API_URL).
const stack = process.env.PLATER_API_URL ?? 'http://127.0.0.1:54321'

export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  plugins: [react()],
  // The console bundles plater-realtime from its sources (the `plater-source` export condition in client/package.json):
  // a client change shows up in `vite` dev and in the next build without rebuilding client/dist first.
  resolve: { conditions: ['plater-source', ...defaultClientConditions] },
  // No source maps in the build the stack serves (they would publish the whole source); `vite` dev keeps its own.
  build: { target: 'es2022', sourcemap: false, chunkSizeWarningLimit: 1024 },
  server: {
    proxy: {
      '/auth/v1': stack,
      '/functions/v1': stack,
      '/realtime/v1': { target: stack, ws: true },
      '/console-config.json': stack,
    },
  },
})
