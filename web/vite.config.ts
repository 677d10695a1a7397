import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { Connect, Plugin } from "vite";
import { defineConfig } from "vitest/config";

/**
 * The SPA reads its runtime configuration from `/config.json`, which the deployment (or the local
 * stack) writes next to the build. It is deliberately NOT part of the build output. For
 * `npm run dev` and `npm run preview` this plugin answers `/config.json` from, in order:
 * `$MANABI_WEB_CONFIG`, `config.local.json`, `config.example.json`.
 */
function runtimeConfig(): Plugin {
  const root = import.meta.dirname;
  const pick = (): string | undefined =>
    [process.env["MANABI_WEB_CONFIG"], "config.local.json", "config.example.json"]
      .filter((p): p is string => Boolean(p))
      .map((p) => resolve(root, p))
      .find((p) => existsSync(p));

  const middleware: Connect.NextHandleFunction = (req, res, next) => {
    if (req.url?.split("?")[0] !== "/config.json") return next();
    const file = pick();
    if (!file) return next();
    res.setHeader("Content-Type", "application/json; charset=utf-8");
    res.setHeader("Cache-Control", "no-store");
    res.end(readFileSync(file));
  };

  return {
    name: "manabi-runtime-config",
    configureServer: (server) => void server.middlewares.use(middleware),
    configurePreviewServer: (server) => void server.middlewares.use(middleware),
  };
}

export default defineConfig({
  base: "/",
  plugins: [runtimeConfig()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
  },
  server: { host: "127.0.0.1", port: 5173, strictPort: true },
  preview: { host: "127.0.0.1", port: 4173, strictPort: true },
  test: {
    environment: "happy-dom",
    include: ["tests/**/*.test.ts"],
    restoreMocks: true,
  },
});
