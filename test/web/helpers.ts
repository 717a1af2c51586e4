// Starting the dashboard's server in the test process, on 127.0.0.1 and an ephemeral port,
// and calling it with bounded requests.

import { servedSpecs } from "../../web/server/specs.ts";
import { startDashboard, type Dashboard } from "../../web/server/server.ts";
import type { Asset } from "../../web/server/build.ts";

/** A stand-in page for API tests (the real one takes seconds to build; the browser tests build it). */
export const FAKE_PAGE = new Map<string, Asset>([["/index.html", { type: "text/html; charset=utf-8", body: Buffer.from("<!doctype html><title>t</title>") }]]);

export async function start(specs: string[] = ["specs"], page: ReadonlyMap<string, Asset> = FAKE_PAGE): Promise<Dashboard> {
  return startDashboard({ served: servedSpecs(specs), page, port: 0 });
}

/** One request with a deadline: a hung server fails the test instead of stalling it. */
export async function request(base: string, path: string, init: RequestInit & { json?: unknown } = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  const { json, ...rest } = init;
  const res = await fetch(new URL(path, base), {
    ...rest,
    ...(json !== undefined ? { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(json) } : {}),
    signal: AbortSignal.timeout(20_000),
  });
  const text = await res.text();
  return { status: res.status, body: text.startsWith("{") ? (JSON.parse(text) as Record<string, unknown>) : { text } };
}

/** A server-sent event stream read to its end (the server closes it when the run ends), with a deadline. */
export async function readEvents(base: string, path: string, ms = 30_000): Promise<{ type: string; data: Record<string, unknown> }[]> {
  const res = await fetch(new URL(path, base), { signal: AbortSignal.timeout(ms) });
  if (res.headers.get("content-type") !== "text/event-stream") throw new Error(`not an event stream: ${res.status} ${await res.text()}`);
  const text = await res.text();
  return text
    .split("\n\n")
    .filter((block) => block.startsWith("event: "))
    .map((block) => {
      const [head, data] = block.split("\n");
      return { type: head!.slice("event: ".length), data: JSON.parse(data!.slice("data: ".length)) as Record<string, unknown> };
    });
}
