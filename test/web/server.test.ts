// The dashboard's server through HTTP: what it says about specs is what the CLI says, a
// server-side run streams its epochs and ends with the test confusion matrix, and every
// bad request gets its status and a clear message while the server keeps running.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { request as rawRequest } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileLoaded, loadAll } from "../../compiler/cli/compile.ts";
import { explain } from "../../compiler/explain.ts";
import type { Dashboard } from "../../web/server/server.ts";
import { toJavaScript } from "../../web/server/training.ts";
import { MAX_BODY_BYTES } from "../../web/server/http.ts";
import { readEvents, request, start } from "./helpers.ts";

const IRIS = readFileSync("specs/iris.yaml", "utf8");
let dash: Dashboard;
let base: string;

beforeAll(async () => {
  dash = await start(["specs", "test/fixtures/bad-specs/many-errors.yaml"]);
  base = dash.url;
});
afterAll(() => dash.close());

describe("netspec serve's API", () => {
  it("listens on 127.0.0.1 only, and lists the served specs", async () => {
    expect((dash.server.address() as { address: string }).address).toBe("127.0.0.1");
    expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const { status, body } = await request(base, "/api/specs");
    expect(status).toBe(200);
    expect(body.specs).toContain("specs/iris.yaml");
    expect(body.specs).toContain("test/fixtures/bad-specs/many-errors.yaml");
    expect((await request(base, "/")).body.text).toContain("<title>");
  });

  it("validates text exactly as `netspec validate` reports the file", async () => {
    const file = "test/fixtures/bad-specs/many-errors.yaml";
    const cli = spawnSync(process.execPath, ["compiler/bin.mjs", "validate", file], { encoding: "utf8" });
    expect(cli.status).toBe(1);
    const { status, body } = await request(base, "/api/validate", { json: { path: file, source: readFileSync(file, "utf8") } });
    expect(status).toBe(200);
    const errors = body.errors as { line: number; col: number; text: string }[];
    expect(errors.length).toBe(4);
    expect(errors.map((e) => `${e.text}\n`).join("")).toBe(cli.stderr);
    expect(errors[0]).toMatchObject({ line: 3, col: 8 });
    // A valid text has no errors.
    expect((await request(base, "/api/validate", { json: { path: "specs/iris.yaml", source: IRIS } })).body).toEqual({ errors: [], warnings: [] });
  });

  it("inspects a spec: the explain table and the drawn graph", async () => {
    const { status, body } = await request(base, "/api/inspect", { json: { path: "specs/iris.yaml" } });
    expect(status).toBe(200);
    expect(body.untrainable).toBeNull();
    // What `netspec explain` prints after its header line (the same calls, in process).
    const [loaded] = loadAll(["specs/iris.yaml"])!;
    expect(body.explain).toBe(explain(loaded!.spec, compileLoaded(loaded!)));
    expect(body.explain).toMatch(/^layer +kind +output +params +FLOPs\/step\n[\s\S]*layers\[0\] +dense 4→6, relu +75×6 +30 /);
    expect(body.svg).toMatch(/^<\?xml[\s\S]*<svg[\s\S]*layers\[0\][\s\S]*<\/svg>\s*$/);
  });

  it("hands the browser the generated module as JavaScript, and the spec's data split", async () => {
    const { status, body } = await request(base, "/api/module", { json: { path: "specs/iris.yaml", source: IRIS } });
    expect(status).toBe(200);
    // The checked-in module of the backend `train --backend auto` picks (wasm for iris), types
    // erased: the very code `compile` writes.
    expect(body.js).toBe(toJavaScript(readFileSync("generated/iris.wasm.ts", "utf8")));
    expect(body.js).not.toMatch(/^\s*import\b/m);
    expect(body.train).toMatchObject({ rows: 75, inputSize: 4, classNames: ["setosa", "versicolor", "virginica"] });
    expect((body.test as { rows: number }).rows).toBe(75);
  });

  it("refuses to train a spec with errors, no loss or no data, with the CLI's words", async () => {
    const broken = await request(base, "/api/module", { json: { path: "specs/iris.yaml", source: IRIS.replace("dense: 3", "dense: -3") } });
    expect(broken.status).toBe(422);
    expect((broken.body.diagnostics as { text: string }[])[0]!.text).toMatch(/^specs\/iris\.yaml:\d+:\d+: error: layers\[1\]\.dense must be a positive integer \(got -3\)/);
    const noLoss = await request(base, "/api/runs", { json: { path: "specs/add_mul.yaml" } });
    expect(noLoss).toMatchObject({ status: 422, body: { error: expect.stringContaining("the spec has no loss, so there is nothing to train") } });
    // The page learns it before anyone presses "train".
    const inspected = await request(base, "/api/inspect", { json: { path: "specs/add_mul.yaml" } });
    expect(inspected.body.untrainable).toBe(noLoss.body.error);
  });

  it("runs training on the server and streams every epoch, then the result", async () => {
    const { status, body } = await request(base, "/api/runs", { json: { path: "specs/iris.yaml" } });
    expect(status).toBe(200);
    const events = await readEvents(base, `/api/runs/${body.id}/events`);
    const epochs = events.filter((e) => e.type === "epochs").flatMap((e) => e.data.epochs as { epoch: number; lr: number }[]);
    const done = events.at(-1)!;
    expect(done.type).toBe("done");
    const summary = done.data.summary as { epochs: number; stopped: string; final: { testAccuracy: number }; confusion: { matrix: number[][] } };
    expect(summary).toMatchObject({ epochs: 3000, stopped: "epochs" });
    expect(epochs.map((e) => e.epoch)).toEqual(Array.from({ length: 3000 }, (_, i) => i + 1));
    expect(epochs[0]!.lr).toBe(0.03);
    expect(summary.final.testAccuracy).toBeGreaterThanOrEqual(0.9);
    expect(summary.confusion.matrix.flat().reduce((a, b) => a + b, 0)).toBe(75);
    // A late watcher gets the whole history at once.
    const again = await readEvents(base, `/api/runs/${body.id}/events`);
    expect(again.map((e) => e.type)).toEqual(["epochs", "done"]);
  });

  it("stops a run between epochs when asked", async () => {
    const long = IRIS.replace(/epochs: \d+/, "epochs: 1000000").replace(/\n\s*stop_below:[^\n]*/, "");
    const { body } = await request(base, "/api/runs", { json: { path: "specs/iris.yaml", source: long } });
    const events = readEvents(base, `/api/runs/${body.id}/events`);
    await new Promise((r) => setTimeout(r, 300));
    expect((await request(base, `/api/runs/${body.id}/stop`, { json: {} })).body).toEqual({ stopping: true });
    const done = (await events).at(-1)!;
    expect(done.type).toBe("done");
    expect((done.data.summary as { stopped: string; epochs: number }).stopped).toBe("aborted");
  });
});

describe("bad requests: a status and a clear message, and the server keeps running", () => {
  const post = (path: string, json: unknown) => request(base, path, { json });
  const cases: [string, () => Promise<{ status: number; body: Record<string, unknown> }>, number, RegExp][] = [
    ["a path outside the served folders", () => post("/api/validate", { path: "package.json", source: "" }), 403, /package\.json: outside the served folders \(specs, test\/fixtures\/bad-specs\)/],
    ["a path that climbs out", () => post("/api/inspect", { path: "specs/../../../etc/passwd" }), 403, /outside the served folders/],
    ["an absolute path elsewhere", () => request(base, "/api/source?path=%2Fetc%2Fpasswd"), 403, /outside the served folders/],
    ["a file in a served folder that is not a served spec", () => post("/api/validate", { path: "specs/netspec.schema.json" }), 404, /not a served spec/],
    ["a missing spec", () => post("/api/validate", { path: "specs/nope.yaml" }), 404, /specs\/nope\.yaml: not a served spec/],
    ["no path", () => post("/api/validate", { source: IRIS }), 400, /'path' must name a spec/],
    ["a path that is not a string", () => post("/api/validate", { path: ["specs/iris.yaml"] }), 400, /'path' must name a spec/],
    ["a source that is not a string", () => post("/api/validate", { path: "specs/iris.yaml", source: 42 }), 400, /'source' must be a string/],
    ["a body that is not an object", () => post("/api/validate", [1, 2]), 400, /must be a JSON object/],
    ["malformed JSON", () => request(base, "/api/validate", { method: "POST", headers: { "content-type": "application/json" }, body: '{"path": "specs/iris.yaml",' }), 400, /malformed JSON in the request body/],
    ["a body that is not JSON", () => request(base, "/api/validate", { method: "POST", headers: { "content-type": "text/plain" }, body: "hello" }), 415, /application\/json/],
    ["an oversized body", () => post("/api/validate", { path: "specs/iris.yaml", source: "#".repeat(MAX_BODY_BYTES + 1) }), 413, /request body over 1024 KiB/],
    ["an unknown API", () => request(base, "/api/nope"), 404, /no such API: \/api\/nope/],
    ["a wrong method", () => request(base, "/api/validate"), 405, /\/api\/validate takes POST, not GET/],
    ["an unknown run", () => request(base, "/api/runs/999/events"), 404, /no run '999'/],
    ["a page that does not exist", () => request(base, "/nope.js"), 404, /no such page/],
  ];
  it.each(cases)("%s", async (_what, send, status, message) => {
    const r = await send();
    expect(r.status).toBe(status);
    expect(r.body.error).toMatch(message);
    expect((await request(base, "/api/specs")).status).toBe(200);
  });

  it("refuses a CSV outside the served folders, at its position", async () => {
    const source = IRIS.replace(/data:[\s\S]*$/, "data:\n  csv: ../package.json\n  label: name\n");
    const r = await post("/api/module", { path: "specs/iris.yaml", source });
    expect(r.status).toBe(422);
    const line = source.split("\n").findIndex((l) => l.includes("csv:")) + 1;
    expect((r.body.diagnostics as { text: string }[])[0]!.text).toMatch(new RegExp(`^specs/iris\\.yaml:${line}:8: error: data\\.csv '\\.\\./package\\.json' is outside the served folders`));
  });

  it("answers only requests addressed to loopback (no DNS rebinding)", async () => {
    const { port } = dash.server.address() as { port: number };
    const get = (host: string) => new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = rawRequest({ host: "127.0.0.1", port, path: "/api/specs", headers: { host }, timeout: 10_000 }, (res) => {
        let body = "";
        res.on("data", (d) => (body += d)).on("end", () => resolve({ status: res.statusCode!, body }));
      });
      req.on("error", reject).end();
    });
    const evil = await get(`attacker.example:${port}`);
    expect(evil.status).toBe(421);
    expect(JSON.parse(evil.body).error).toBe(`unexpected Host 'attacker.example:${port}': this dashboard answers on 127.0.0.1 only`);
    expect((await get(`localhost:${port}`)).status).toBe(200);
    expect((await get(`127.0.0.1:${port}`)).status).toBe(200);
  });

  it("refuses an oversized body declared up front without reading it", async () => {
    const { port } = dash.server.address() as { port: number };
    const status = await new Promise<number>((resolve, reject) => {
      const req = rawRequest({ host: "127.0.0.1", port, path: "/api/validate", method: "POST", headers: { "content-type": "application/json", "content-length": 50 * MAX_BODY_BYTES }, timeout: 10_000 }, (res) => {
        res.resume();
        resolve(res.statusCode!);
      });
      req.on("error", reject);
      req.write("{");
    });
    expect(status).toBe(413);
    expect((await request(base, "/api/specs")).status).toBe(200);
  });
});
