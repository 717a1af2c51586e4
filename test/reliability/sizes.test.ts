// Sizes: bad numbers are refused where they are written; a spec whose buffers exceed the cap
// (1 GiB by default, --max-bytes) is refused by validate and compile before any allocation,
// and compile then writes nothing.

import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkSizes, DEFAULT_MAX_BYTES, scratchFloats } from "../../compiler/cli/sizes.ts";
import { planSpec } from "../../compiler/compile.ts";
import { checkSpec } from "../../compiler/spec/index.ts";
import { expectNoStack, expectPositioned, expectUserError, IRIS_TEXT, netspec, netspecInProcess, tempDir } from "./helpers.ts";

const BAD_SIZES = ["0", "-3", "1.5", ".nan", ".NaN", ".inf", "-.inf", "1e300", "9007199254740993", "99999999999999999999999", "'5'", "~", "true", "[]", "{}", "0x0", "-0"];

/** Where each size lives in IRIS_TEXT: the line to replace, its line number, the value's column, its path. */
const SITES = [
  { from: "input: 4", key: "input", line: 3, col: 8, path: "input" },
  { from: "  - dense: 6", key: "  - dense", line: 5, col: 12, path: "layers[0].dense" },
  { from: "  batch: 15", key: "  batch", line: 18, col: 10, path: "train.batch" },
  { from: "  epochs: 3", key: "  epochs", line: 19, col: 11, path: "train.epochs" },
];

/** Passes every per-field rule (params < 50M, activations per layer < 50M) but needs ~1.9 GiB. */
const OVER_CAP = `netspec: 1
name: wide
input: 100
layers:
${"  - dense: 1000\n".repeat(10)}  - dense: 2
loss: softmax_cross_entropy
optimizer:
  sgd: { lr: 0.1 }
train:
  batch: 40000
  epochs: 1
data:
  csv: d.csv
  label: y
`;

describe("bad size values", () => {
  for (const site of SITES) {
    it.each(BAD_SIZES)(`${site.path} = %s is refused at its position`, (v) => {
      const r = checkSpec(IRIS_TEXT.replace(site.from, `${site.key}: ${v}`), "s.yaml");
      expect(r.ok).toBe(false);
      if (r.ok) return;
      expectPositioned(r.diagnostics, "s.yaml");
      const d = r.diagnostics.find((x) => x.message.startsWith(`${site.path} must`));
      expect(d, JSON.stringify(r.diagnostics)).toBeDefined();
      expect([d!.line, d!.col]).toEqual([site.line, site.col]);
    });
  }

  it("maxout pieces, width and layer count are capped too", () => {
    const cases: [string, RegExp][] = [
      [IRIS_TEXT.replace("  - dense: 6\n    activation: relu", "  - maxout: 6\n    pieces: 1e9"), /layers\[0\]\.pieces must be an integer from 2 to 64/],
      [IRIS_TEXT.replace("dense: 6", "dense: 1000001"), /layers\[0\]\.dense must be at most 1000000/],
      [IRIS_TEXT.replace("  - dense: 6\n", "  - dense: 6\n".repeat(1001)), /layers must have at most 1000 layers/],
      [IRIS_TEXT.replace("dense: 6", "dense: 1000000").replace("  - dense: 3", "  - dense: 1000\n  - dense: 3"), /parameters \(at most 50000000\)/],
    ];
    for (const [text, why] of cases) {
      const r = checkSpec(text, "s.yaml");
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expectPositioned(r.diagnostics, "s.yaml");
        expect(r.diagnostics.map((d) => d.message).join("\n")).toMatch(why);
      }
    }
  });
});

describe("the buffer cap", () => {
  it("is checked from the plan alone: no buffer is allocated", () => {
    const r = checkSpec(OVER_CAP, "wide.yaml");
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const before = process.memoryUsage();
    const cpu0 = process.cpuUsage();
    const planned = planSpec(r.spec);
    const ds = checkSizes(planned, "wide.yaml", r.at(["train", "batch"]), DEFAULT_MAX_BYTES);
    // CPU time (a busy machine must not trip it): checking a plan allocates and computes nothing big.
    const cpu = process.cpuUsage(cpu0);
    expect((cpu.user + cpu.system) / 1000).toBeLessThan(2000);
    const after = process.memoryUsage();
    expect(after.arrayBuffers - before.arrayBuffers).toBeLessThan(64 << 20);
    expect(ds).toEqual([
      {
        file: "wide.yaml", line: 20, col: 10,
        message: "the model's buffers would take 1764 MiB, over the 1024 MiB cap; use smaller layers or batch, or raise the cap with --max-bytes",
      },
    ]);
    expect(checkSizes(planned, "wide.yaml", r.at(["train", "batch"]), 4 * DEFAULT_MAX_BYTES)).toEqual([]);
  });

  it("counts the convolutions' scratch, which bounds what either backend allocates", () => {
    const file = "specs/mnist_cnn.yaml";
    const r = checkSpec(readFileSync(file, "utf8"), file);
    if (!r.ok) throw new Error("mnist_cnn.yaml does not check");
    const planned = planSpec(r.spec);
    const arenas = Object.values(planned.plan.arenas).reduce((a, b) => a + b, 0);
    const scratch = scratchFloats(planned.graph);
    // The JS module's scratch declarations, and the wasm kernels' shared region (its .wat says how large).
    const declared = readFileSync("generated/mnist_cnn.ts", "utf8").split("// Kernel scratch:")[1]!;
    const js = [...declared.matchAll(/^\s*const \w+ = new Float32Array\((\d+)\);$/gm)].map((m) => Number(m[1]));
    const wasm = Number(/The kernels' scratch .*: (\d+) bytes/.exec(readFileSync("generated/mnist_cnn.wat", "utf8"))![1]) / 4;
    expect(js.length).toBeGreaterThan(0);
    expect(js.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(scratch);
    expect(wasm).toBeLessThanOrEqual(scratch);
    expect(scratch).toBe(32 * 24 * 24 * 25 + 32 * 8 * 8 * 200 + 16 * 200); // patches (conv 1), dpatches and Wᵀ (conv 2)
    // Under the cap by its arenas alone, over it with the scratch.
    const cap = 4 * arenas + 1e6;
    expect(checkSizes(planned, file, r.at(["train", "batch"]), cap)[0]!.message).toMatch(/^the model's buffers would take 5 MiB, over the \d+ MiB cap/);
  });

  it("validate and compile refuse it (in process): exit 1, positioned, nothing written", async () => {
    const dir = tempDir("sizes");
    const spec = join(dir, "wide.yaml");
    writeFileSync(spec, OVER_CAP);
    const out = join(dir, "out");
    const v = await netspecInProcess(["validate", spec]);
    expectUserError(v, /wide\.yaml:20:10: error: the model's buffers would take 1764 MiB, over the 1024 MiB cap/);
    expect(v.stdout).toBe("");
    const c = await netspecInProcess(["compile", spec, "-o", out]);
    expectUserError(c, /wide\.yaml:20:10: error: the model's buffers would take 1764 MiB/);
    expect(existsSync(out)).toBe(false);
    // --max-bytes lowers (or raises) the cap, for both commands.
    const iris = join(dir, "iris.yaml");
    writeFileSync(iris, IRIS_TEXT);
    for (const cmd of ["validate", "compile"]) {
      const r = await netspecInProcess([cmd, iris, "--max-bytes", "1000", ...(cmd === "compile" ? ["-o", out] : [])]);
      expectUserError(r, /iris\.yaml:18:10: error: the model's buffers would take 0\.\d+ MiB, over the 0\.001 MiB cap/);
      for (const bad of ["0", "-5", "abc", "NaN"]) {
        expectUserError(await netspecInProcess([cmd, iris, "--max-bytes", bad]), `--max-bytes must be a positive number (got '${bad}')`);
      }
    }
    expect(existsSync(out)).toBe(false);
    const big = await netspecInProcess(["validate", spec, "--max-bytes", String(4 * DEFAULT_MAX_BYTES)]);
    expect(big.status).toBe(0);
  });

  it("validate and compile refuse it (real processes)", async () => {
    const dir = tempDir("sizes-cli");
    writeFileSync(join(dir, "wide.yaml"), OVER_CAP);
    const [v, c] = await Promise.all([
      netspec(["validate", "wide.yaml"], { cwd: dir }),
      netspec(["compile", "wide.yaml", "-o", "out"], { cwd: dir }),
    ]);
    for (const r of [v, c]) {
      expectUserError(r, "wide.yaml:20:10: error: the model's buffers would take 1764 MiB, over the 1024 MiB cap");
      expect(r.stderr).toContain(" 20 |   batch: 40000\n    |          ^");
      expectNoStack(r);
    }
    expect(readdirSync(dir)).toEqual(["wide.yaml"]);
  }, 30_000);
});
