// Fuzzing the front end and the compiler: mutated valid specs (keys dropped, duplicated or
// retyped, random values, random text edits) either check and compile, or fail with
// positioned diagnostics: never an exception, never a partial or temp file in the output.

import { readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { bufferBytes, DEFAULT_MAX_BYTES } from "../../compiler/cli/sizes.ts";
import { compileSpec, planSpec } from "../../compiler/compile.ts";
import { checkSpec } from "../../compiler/spec/index.ts";
import { CSV_TEXT, expectNoStack, expectPositioned, IRIS_TEXT, netspec, netspecInProcess, REGRESSION_TEXT, strayFiles, tempDir } from "./helpers.ts";

const SEED = Number(process.env.NETSPEC_FUZZ_SEED ?? 20_251_122);
const BASES = [IRIS_TEXT, CSV_TEXT, REGRESSION_TEXT];

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const KEYS = ["netspec", "name", "input", "layers", "dense", "maxout", "pieces", "activation", "bias", "init", "weights", "biases",
  "regularize", "loss", "regularizer", "l1", "l2", "optimizer", "sgd", "lr", "momentum", "nesterov", "schedule", "train", "batch",
  "epochs", "shuffle", "stop_below", "early_stopping", "patience", "data", "builtin", "csv", "label", "targets", "test_split",
  "relu", "tanh", "leaky_relu", "alpha", "normal", "std", "uniform", "min", "max", "hinge", "margin", "mse", "iris", "mnist", "step",
  "adam", "adamw", "rmsprop", "adagrad", "beta1", "beta2", "eps", "weight_decay", "rho", "initial_accumulator", "warmup", "clip_norm"];

const scalar: fc.Arbitrary<Json> = fc.oneof(
  fc.constantFrom<Json>(0, -1, 1, 2, 3, 0.5, -0.5, 1e-300, 1e300, 2 ** 53 + 1, 1e6, 1e7, null, true, false, "", "relu", "iris", "x; process.exit(1)", "*/", "${x}", "\u2028"),
  fc.integer({ min: -5, max: 5000 }),
  fc.double({ noNaN: false }),
  fc.string({ maxLength: 8 }),
  fc.constantFrom(...KEYS),
);
const value: fc.Arbitrary<Json> = fc.letrec<{ v: Json }>((tie) => ({
  v: fc.oneof({ depthSize: "small", withCrossShrink: true }, scalar, fc.array(tie("v"), { maxLength: 3 }), fc.dictionary(fc.constantFrom(...KEYS), tie("v"), { maxKeys: 3 })),
})).v;

/** All paths to values in a JSON tree. */
function paths(v: Json, at: (string | number)[] = []): (string | number)[][] {
  const out = [at];
  if (Array.isArray(v)) v.forEach((x, i) => out.push(...paths(x, [...at, i])));
  else if (v && typeof v === "object") for (const [k, x] of Object.entries(v)) out.push(...paths(x, [...at, k]));
  return out;
}

type Edit =
  | { kind: "drop" | "retype" | "set" | "dupkey"; pick: number; v: Json }
  | { kind: "text"; pos: number; del: number; ins: string }
  | { kind: "tweak"; pick: number; n: number };

const edit: fc.Arbitrary<Edit> = fc.oneof(
  // Plausible changes (a number to another of its kind) keep many specs valid, so the
  // compiler sees varied shapes too.
  fc.record({ kind: fc.constant("tweak" as const), pick: fc.nat(), n: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ kind: fc.constantFrom("drop" as const, "retype" as const, "set" as const, "dupkey" as const), pick: fc.nat(), v: value }),
  fc.record({
    kind: fc.constant("text" as const), pos: fc.nat(), del: fc.nat({ max: 6 }),
    ins: fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom(":", "- ", "[", "{", "}", "]", "&a ", "*a", "!", "\t", "\0", "\n", "#", "'", '"', "|", ">", "%", "@", "---\n", "\n  ", "0", "-", ".nan", "1e400")),
  }),
);

function apply(text: string, edits: readonly Edit[]): string {
  let doc = parse(text) as Json;
  let out = text;
  for (const e of edits) {
    if (e.kind === "text") {
      const at = e.pos % (out.length + 1);
      out = out.slice(0, at) + e.ins + out.slice(at + e.del);
      continue;
    }
    const all = paths(doc).filter((p) => p.length > 0);
    if (e.kind === "tweak") {
      const nums = all.filter((p) => typeof p.reduce<Json>((o, k) => (o as Record<string, Json>)[k as string]!, doc) === "number");
      const p = nums[e.pick % nums.length]!;
      const parent = p.slice(0, -1).reduce<Json>((o, k) => (o as Record<string, Json>)[k as string]!, doc) as Record<string | number, Json>;
      const old = parent[p.at(-1)!] as number;
      parent[p.at(-1)!] = Number.isInteger(old) ? e.n : e.n / 41;
      out = stringify(doc);
      continue;
    }
    const p = all[e.pick % all.length]!;
    const parent = p.slice(0, -1).reduce<Json>((o, k) => (o as Record<string, Json>)[k as string]!, doc) as Record<string | number, Json>;
    const key = p.at(-1)!;
    if (e.kind === "drop") Array.isArray(parent) ? parent.splice(key as number, 1) : delete parent[key];
    else if (e.kind === "retype") parent[key] = typeof parent[key] === "number" ? String(parent[key]) : e.v;
    else if (e.kind === "set") parent[key] = e.v;
    out = stringify(doc);
    if (e.kind === "dupkey" && typeof key === "string") {
      // Repeat the first line that sets this key, right after itself.
      const lines = out.split("\n");
      const i = lines.findIndex((l) => l.trimStart().replace(/^- /, "").startsWith(`${key}:`));
      if (i >= 0) lines.splice(i + 1, 0, lines[i]!.replace(/^(\s*)- /, "$1  "));
      out = lines.join("\n");
    }
    try {
      doc = parse(out) as Json;
    } catch {
      break; // the text no longer parses: further structural edits have nothing to work on
    }
  }
  return out;
}

const mutated = fc.tuple(fc.constantFrom(...BASES), fc.array(edit, { minLength: 1, maxLength: 4 })).map(([base, edits]) => {
  try {
    return apply(base, edits);
  } catch {
    return base; // a structural edit that does not fit this tree: keep the base
  }
});

describe("fuzzing the spec front end and the compiler", () => {
  it("2,000+ mutated specs: checkSpec and compileSpec succeed or give positioned errors", () => {
    let ok = 0, compiled = 0, refused = 0;
    fc.assert(
      fc.property(mutated, (text) => {
        const r = checkSpec(text, "fuzz.yaml");
        if (!r.ok) {
          refused++;
          expectPositioned(r.diagnostics, "fuzz.yaml");
          return;
        }
        ok++;
        if (bufferBytes(planSpec(r.spec)) > DEFAULT_MAX_BYTES) return;
        const { code } = compileSpec(r.spec, r.hash, "fuzz.yaml");
        expect(code).toContain("export function createModel(): Model");
        compiled++;
      }),
      { numRuns: 2000, seed: SEED },
    );
    if (process.env.NETSPEC_FUZZ_STATS) console.log({ ok, compiled, refused });
    // The mutations must exercise both outcomes, or the suite proves little.
    expect(refused).toBeGreaterThan(500);
    expect(ok).toBeGreaterThan(200);
    expect(compiled).toBeGreaterThan(200);
  }, 60_000);

  it("the compile command on 100 mutated specs: exit 0 with whole modules, or exit 1 with nothing written", async () => {
    const dir = tempDir("fuzz-cli");
    const samples = fc.sample(mutated, { numRuns: 100, seed: SEED + 1 });
    let wrote = 0;
    for (const [i, text] of samples.entries()) {
      const spec = join(dir, `s${i}.yaml`);
      const out = join(dir, `out${i}`);
      writeFileSync(spec, text);
      const r = await netspecInProcess(["compile", spec, "-o", out]);
      expectNoStack(r);
      expect(r.stderr).not.toContain("internal error");
      expect([0, 1]).toContain(r.status);
      if (r.status === 0) {
        wrote++;
        expect(readdirSync(out)).toHaveLength(3); // <name>.ts, <name>.wasm.ts, <name>.wat
        expect(strayFiles(out)).toEqual([]);
      } else {
        expect(r.stderr).toMatch(/:\d+:\d+: error: \S/);
        expect(() => readdirSync(out)).toThrow(/ENOENT/);
      }
      rmSync(out, { recursive: true, force: true });
    }
    expect(wrote).toBeGreaterThan(0);
  }, 60_000);

  it("the real CLI on a handful of mutated specs: exit 0 or 1, no stack, no stray files", async () => {
    const dir = tempDir("fuzz-spawn");
    const samples = fc.sample(mutated, { numRuns: 4, seed: SEED + 2 });
    samples.forEach((text, i) => writeFileSync(join(dir, `s${i}.yaml`), text));
    writeFileSync(join(dir, "good.yaml"), IRIS_TEXT);
    const files = [...samples.map((_, i) => `s${i}.yaml`)];
    // One process compiles them one by one, another all at once (all or nothing).
    const [each, all] = await Promise.all([
      netspec(["compile", "good.yaml", "-o", "out-good"], { cwd: dir }),
      netspec(["compile", "good.yaml", ...files, "-o", "out-all"], { cwd: dir }),
    ]);
    expect(each.status).toBe(0);
    expect(strayFiles(join(dir, "out-good"))).toEqual([]);
    expect([0, 1]).toContain(all.status);
    expectNoStack(all);
    if (all.status === 1) expect(() => readdirSync(join(dir, "out-all"))).toThrow(/ENOENT/);
    else expect(strayFiles(join(dir, "out-all"))).toEqual([]);
  }, 30_000);
});
