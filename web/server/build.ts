// The page, built with Vite when the server starts, in memory: `npm ci && npx netspec serve`
// needs no build step, and nothing built is ever written to the work tree or checked in.

import { fileURLToPath } from "node:url";
import { build, type Rolldown } from "vite";

const PAGE = fileURLToPath(new URL("../page", import.meta.url));
const NODE_STUB = fileURLToPath(new URL("../page/node-stub.ts", import.meta.url));

export interface Asset {
  readonly type: string;
  readonly body: Buffer;
}

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".json": "application/json",
};

/** URL path (`/index.html`, `/assets/…`) → file. */
export async function buildPage(): Promise<Map<string, Asset>> {
  const result = await build({
    root: PAGE,
    configFile: false,
    logLevel: "warn",
    // The runtime's data loaders import Node modules the page never calls (data comes from the server).
    resolve: { alias: [{ find: /^node:(fs|path|module|worker_threads)$/, replacement: NODE_STUB }] },
    build: {
      write: false, outDir: "dist", emptyOutDir: false, chunkSizeWarningLimit: 4096, reportCompressedSize: false,
      // Rolldown's note on how long plugins took is for people tuning a build, not for `serve`'s users.
      rolldownOptions: { checks: { bundlerTimings: false } },
    },
  });
  const outputs = (Array.isArray(result) ? result : [result]) as Rolldown.RolldownOutput[];
  const assets = new Map<string, Asset>();
  for (const out of outputs) {
    for (const item of out.output) {
      const body = Buffer.from(item.type === "chunk" ? item.code : item.source);
      const ext = item.fileName.slice(item.fileName.lastIndexOf("."));
      assets.set(`/${item.fileName}`, { type: TYPES[ext] ?? "application/octet-stream", body });
    }
  }
  if (!assets.has("/index.html")) throw new Error("the page build produced no index.html");
  return assets;
}
