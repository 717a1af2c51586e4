// The dashboard's server: the built page, and a small JSON API over the CLI's own functions
// (validate, explain, draw, train). It listens on loopback only unless told otherwise.
//
//   GET  /api/specs                 the served specs
//   GET  /api/schema                the spec's JSON Schema (`netspec schema`)
//   GET  /api/source?path=P         a spec's text
//   POST /api/validate {path, source}  `validate` on the text: every diagnostic, positioned
//   POST /api/inspect  {path, source}  the `explain` table and the `draw` SVG (or the errors)
//   POST /api/module   {path, source}  the generated module as JavaScript, and its data
//   POST /api/runs     {path, source}  start a server-side run → {id}
//   GET  /api/runs/ID/events        its epochs and result, as server-sent events
//   POST /api/runs/ID/stop          abort it (between epochs)

import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { toDot } from "../../compiler/draw/dot.ts";
import { renderSvg } from "../../compiler/draw/render.ts";
import { explain } from "../../compiler/explain.ts";
import { lower } from "../../compiler/lower.ts";
import { specJsonSchema } from "../../compiler/spec/index.ts";
import { encodeDataset } from "../shared/wire.ts";
import type { Asset } from "./build.ts";
import { HttpError, optionalString, readJson, sendError, sendJson } from "./http.ts";
import { Runs } from "./runs.ts";
import { compileLoaded, loadText, resolveSpec, validateText, type Served } from "./specs.ts";
import { NotTrainable, ready, untrainable } from "./training.ts";

export interface DashboardOptions {
  readonly served: Served;
  readonly page: ReadonlyMap<string, Asset>;
  readonly host?: string;
  /** 0: any free port. */
  readonly port?: number;
}

export interface Dashboard {
  readonly url: string;
  readonly server: Server;
  /** Aborts every run, waits for each to end, then closes the server. */
  close(): Promise<void>;
}

export async function startDashboard({ served, page, host = "127.0.0.1", port = 0 }: DashboardOptions): Promise<Dashboard> {
  const runs = new Runs();
  const api = routes(served, runs);
  const hostOk = hostCheck(host);
  const server = createServer((req, res) => {
    if (!hostOk(req.headers.host)) return sendError(res, new HttpError(421, `unexpected Host '${req.headers.host ?? ""}': this dashboard answers on ${host} only`));
    void handle(req, res, api, page);
  });
  // An idle keep-alive socket must not hold the server open at shutdown.
  server.keepAliveTimeout = 2000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => (server.off("error", reject), resolve()));
  });
  const { port: bound } = server.address() as AddressInfo;
  const shownHost = host.includes(":") ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${bound}/`,
    server,
    async close() {
      await runs.stopAll();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]", "::1"]);

/**
 * On loopback, only requests addressed to loopback: a web page whose name an attacker
 * re-points at 127.0.0.1 (DNS rebinding) sends its own Host and is refused. (Another site's
 * page cannot call the API at all: it takes application/json, which needs a CORS preflight
 * that this server never grants.) Served elsewhere on request, any Host is accepted.
 */
function hostCheck(host: string): (header: string | undefined) => boolean {
  if (!LOOPBACK.has(host)) return () => true;
  return (header) => {
    if (!header) return false;
    const name = header.startsWith("[") ? header.slice(0, header.indexOf("]") + 1) : header.split(":")[0]!;
    return LOOPBACK.has(name.toLowerCase());
  };
}

type Handler = (req: IncomingMessage, res: ServerResponse, url: URL, match: RegExpMatchArray) => Promise<unknown> | unknown;
interface Route {
  readonly method: "GET" | "POST";
  readonly path: RegExp;
  readonly handler: Handler;
}

function routes(served: Served, runs: Runs): Route[] {
  const specOf = async (req: IncomingMessage) => {
    const body = await readJson(req);
    const file = resolveSpec(served, Object.hasOwn(body, "path") ? body.path : undefined);
    // No source: the file as it is on disk.
    const source = optionalString(body, "source") ?? readFileSync(served.specs.get(file)!, "utf8");
    return { file, source };
  };
  return [
    { method: "GET", path: /^\/api\/specs$/, handler: () => ({ specs: [...served.specs.keys()] }) },
    { method: "GET", path: /^\/api\/schema$/, handler: () => specJsonSchema() },
    {
      method: "GET", path: /^\/api\/source$/,
      handler: (_req, _res, url) => {
        const file = resolveSpec(served, url.searchParams.get("path") ?? undefined);
        return { path: file, source: readFileSync(served.specs.get(file)!, "utf8") };
      },
    },
    { method: "POST", path: /^\/api\/validate$/, handler: async (req) => {
      const { file, source } = await specOf(req);
      return validateText(file, source);
    } },
    { method: "POST", path: /^\/api\/inspect$/, handler: async (req) => {
      const { file, source } = await specOf(req);
      const result = loadText(served, file, source);
      if ("errors" in result) return { errors: result.errors, explain: null, svg: null };
      const { spec } = result.loaded;
      const svg = await renderSvg(toDot(lower(spec), { title: spec.name }));
      return { errors: [], warnings: result.warnings, name: spec.name, untrainable: untrainable(spec, file), explain: explain(spec, compileLoaded(result.loaded)), svg };
    } },
    { method: "POST", path: /^\/api\/module$/, handler: async (req) => {
      const { file, source } = await specOf(req);
      const r = await ready(served, file, source);
      return { path: file, name: r.spec.name, js: r.js, train: encodeDataset(r.data.train), test: r.data.test && encodeDataset(r.data.test) };
    } },
    { method: "POST", path: /^\/api\/runs$/, handler: async (req) => {
      const { file, source } = await specOf(req);
      return runs.start(await ready(served, file, source));
    } },
    { method: "GET", path: /^\/api\/runs\/([^/]+)\/events$/, handler: (_req, res, _url, m) => runs.watch(m[1]!, res) },
    { method: "POST", path: /^\/api\/runs\/([^/]+)\/stop$/, handler: (_req, _res, _url, m) => runs.stop(m[1]!) },
  ];
}

async function handle(req: IncomingMessage, res: ServerResponse, api: readonly Route[], page: ReadonlyMap<string, Asset>): Promise<void> {
  try {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (!url.pathname.startsWith("/api/")) return servePage(req, res, url, page);
    const matching = api.filter((r) => r.path.test(url.pathname));
    if (!matching.length) throw new HttpError(404, `no such API: ${url.pathname}`);
    const route = matching.find((r) => r.method === req.method);
    if (!route) throw new HttpError(405, `${url.pathname} takes ${matching.map((r) => r.method).join(" or ")}, not ${req.method}`);
    const value = await route.handler(req, res, url, url.pathname.match(route.path)!);
    if (!res.headersSent && value !== undefined) sendJson(res, 200, value);
  } catch (e) {
    if (e instanceof NotTrainable) return sendJson(res, e.status, { error: e.message, diagnostics: e.diagnostics });
    if (e instanceof HttpError) return sendError(res, e, e.status === 413);
    // A bug in netspec: say so, keep serving.
    process.stderr.write(`netspec serve: internal error on ${req.method} ${req.url}: ${(e as Error).stack ?? e}\n`);
    sendError(res, new HttpError(500, `internal error: ${(e as Error).message}`));
  }
}

function servePage(req: IncomingMessage, res: ServerResponse, url: URL, page: ReadonlyMap<string, Asset>): void {
  if (req.method !== "GET" && req.method !== "HEAD") throw new HttpError(405, `the page takes GET, not ${req.method}`);
  const asset = page.get(url.pathname === "/" ? "/index.html" : url.pathname);
  if (!asset) throw new HttpError(404, `no such page: ${url.pathname}`);
  res.writeHead(200, { "content-type": asset.type, "content-length": asset.body.length, "x-content-type-options": "nosniff" });
  res.end(req.method === "HEAD" ? undefined : asset.body);
}
