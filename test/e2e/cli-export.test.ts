// `netspec export` through the real command line: train, export, and run the file with ONNX
// Runtime next to `netspec predict`; and every refusal leaves nothing behind.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import ort from "onnxruntime-node";
import { describe, expect, it } from "vitest";
import * as iris from "../../generated/iris.ts";

const dir = mkdtempSync(join(tmpdir(), "netspec-export-"));
const cli = (node: string[], args: string[]) => spawnSync(process.execPath, [...node, ...args], { encoding: "utf8", timeout: 120_000 });
const netspec = (...args: string[]) => cli(["compiler/bin.mjs"], args);
const ckpt = join(dir, "maxout.ckpt");
const rows = [[5.1, 3.5, 1.4, 0.2], [6.4, 3.2, 4.5, 1.5], [6.3, 3.3, 6.0, 2.5], [4.9, 2.4, 3.3, 1.0], [7.7, 2.6, 6.9, 2.3]];

/** Nothing but `keep` in the output folder: no model, no temp file. */
const expectOnly = (keep: string[]) => expect(readdirSync(dir).sort()).toEqual(keep.sort());

describe("netspec export", () => {
  it("trains iris_maxout (standardized, maxout, hinge), exports it, and ONNX Runtime gives what netspec predict prints for raw CSV rows", async () => {
    const t = netspec("train", "specs/iris_maxout.yaml", "--epochs", "20", "--save", ckpt, "--json");
    expect(t.status, t.stderr).toBe(0);
    const model = join(dir, "maxout.onnx");
    const e = netspec("export", "specs/iris_maxout.yaml", "--weights", ckpt, "-o", model);
    expect(e.status, e.stderr).toBe(0);
    expect(e.stdout).toBe(`wrote ${model} (onnx, iris_maxout)\n`);
    expect(e.stderr).toBe("");

    const csv = join(dir, "rows.csv");
    writeFileSync(csv, `a,b,c,d\n${rows.map((r) => r.join(",")).join("\n")}\n`);
    const p = netspec("predict", "specs/iris_maxout.yaml", "--weights", ckpt, "--data", csv, "--json");
    expect(p.status, p.stderr).toBe(0);
    const predicted = p.stdout.trim().split("\n").map((l) => JSON.parse(l) as { scores: number[] });

    const session = await ort.InferenceSession.create(model);
    const out = await session.run({ x: new ort.Tensor("float32", Float32Array.from(rows.flat()), [rows.length, 4]) });
    const scores = out.y!.data as Float32Array;
    predicted.forEach((row, r) => row.scores.forEach((s, k) => {
      const scale = Math.max(...row.scores.map(Math.abs));
      expect(Math.abs(scores[r * 3 + k]! - s), `row ${r} class ${k}`).toBeLessThanOrEqual(1e-5 * scale);
    }));
    expectOnly(["maxout.ckpt", "maxout.onnx", "rows.csv"]);
  }, 60_000);

  it("refuses an op with no ONNX rule: exit 1, the op and its spec node named, nothing written", () => {
    const out = join(dir, "refused.onnx");
    const r = cli(["--import", "tsx", "--import", "./test/fixtures/export/without-relu-rule.ts", "compiler/cli/main.ts"], ["export", "specs/iris.yaml", "-o", out]);
    expect(r.status, r.stderr).toBe(1);
    expect(r.stderr).toContain("netspec: error: specs/iris.yaml: cannot export to ONNX: no ONNX export rule for op 'relu' (in layers[0])");
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(existsSync(out)).toBe(false);
    expectOnly(["maxout.ckpt", "maxout.onnx", "rows.csv"]);
  });

  it("refuses a checkpoint of another spec: exit 1, nothing written", () => {
    const out = join(dir, "wrong.onnx");
    const r = netspec("export", "specs/iris.yaml", "--weights", ckpt, "-o", out);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^netspec: error: ${ckpt.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: was saved from a different spec`));
    expectOnly(["maxout.ckpt", "maxout.onnx", "rows.csv"]);
  });

  it("--format json (from the .json name) with no --weights: the spec's initial weights, with a note saying so", () => {
    const out = join(dir, "iris.json");
    const r = netspec("export", "specs/iris.yaml", "-o", out);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe("netspec: note: no --weights given: exporting specs/iris.yaml with the spec's initialisers (seed 1), untrained\n");
    const doc = JSON.parse(readFileSync(out, "utf8")) as { spec: string; weights: string; params: { path: string; shape: number[]; values: number[][] | number[] }[] };
    expect(doc.spec).toBe("iris");
    expect(doc.weights).toBe("the spec's initialisers (seed 1)");
    const model = iris.createModel();
    model.init(1);
    expect(doc.params.map((p) => [p.path, p.shape])).toEqual(iris.PARAMS.map((p) => [p.path, p.shape]));
    iris.PARAMS.forEach((p, k) => expect(Float32Array.from((doc.params[k]!.values as unknown[]).flat() as number[])).toEqual(model.params.subarray(p.offset, p.offset + p.size)));
  });
});
