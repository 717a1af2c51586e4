// A structure-aware fuzzer: every spec in specs/, parsed, then 1–3 mutations of its tree
// (delete a key, put a hostile value in place of one, add an unknown key, duplicate a list
// item), serialised back to YAML and run through validate → compile (→ a few training steps
// for small valid models). Random bytes rarely make a spec that is valid but for one field;
// this does, which is where prototype lookups (`loss: toString`) hid. Nothing may throw
// anything but a positioned user error. The same mutations feed the CSV reader and the
// checkpoint loader. Seeded: a failure prints the seed, the case number and the spec.

import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { stringify, parse } from "yaml";
import { bufferBytes, DEFAULT_MAX_BYTES } from "../../compiler/cli/sizes.ts";
import { compileSpec, planSpec } from "../../compiler/compile.ts";
import { activationNames, lossNames } from "../../compiler/ops/registry.ts";
import { checkSpec } from "../../compiler/spec/index.ts";
import {
  CheckpointError, DataError, decodeCheckpoint, DivergenceError, encodeCheckpoint, parseCsv, randomDataset, Rng, Trainer,
  type CompiledModule,
} from "../../runtime/index.ts";
import { expectPositioned } from "./helpers.ts";

const SEED = Number(process.env.NETSPEC_FUZZ_SEED ?? 20_261_124);
const CASES = 3000;
const SPECS = readdirSync("specs").filter((f) => f.endsWith(".yaml")).sort().map((f) => ({ file: f, tree: parse(readFileSync(join("specs", f), "utf8")) as unknown }));

type Tree = unknown;
const HOSTILE: readonly Tree[] = [
  0, -1, 2 ** 53 + 1, NaN, Infinity, -Infinity, 1e-45, "", "__proto__", "constructor", "toString", "hasOwnProperty",
  null, [], {}, ...activationNames.slice(0, 3), ...lossNames.slice(0, 2), "dense", "sgd", "iris",
];
const HOSTILE_KEYS = ["__proto__", "constructor", "toString", "hasOwnProperty", "valueOf", "relu", "dense", "x"];

/** Every place in the tree: [container, key]. */
function places(t: Tree, out: [object, string | number][] = []): [object, string | number][] {
  if (Array.isArray(t)) t.forEach((v, i) => (out.push([t, i]), places(v, out)));
  else if (t && typeof t === "object") for (const k of Object.keys(t)) out.push([t, k]), places((t as Record<string, Tree>)[k], out);
  return out;
}

/** Sets an own property even when the key is `__proto__` (plain assignment would set the prototype). */
const put = (o: object, k: string | number, v: Tree) => Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });

function mutate(tree: Tree, rng: Rng): { tree: Tree; did: string[] } {
  const copy = structuredClone(tree);
  const did: string[] = [];
  const steps = 1 + rng.int(3);
  for (let s = 0; s < steps; s++) {
    const all = places(copy);
    if (all.length === 0) break;
    const [at, key] = all[rng.int(all.length)]!;
    const pick = <T>(xs: readonly T[]): T => xs[rng.int(xs.length)]!;
    switch (rng.int(4)) {
      case 0:
        if (Array.isArray(at)) at.splice(key as number, 1);
        else delete (at as Record<string, Tree>)[key as string];
        did.push(`delete ${key}`);
        break;
      case 1: {
        const v = pick(HOSTILE);
        put(at, key, structuredClone(v));
        did.push(`${key} = ${JSON.stringify(v) ?? String(v)}`);
        break;
      }
      case 2: {
        const target = Array.isArray(at) || !at ? copy : at;
        if (target && typeof target === "object" && !Array.isArray(target)) {
          const k = pick(HOSTILE_KEYS);
          put(target, k, structuredClone(pick(HOSTILE)));
          did.push(`add key ${k}`);
        }
        break;
      }
      default: {
        const list = all.filter(([o]) => Array.isArray(o));
        if (list.length === 0) break;
        const [arr, i] = pick(list) as [Tree[], number];
        arr.splice(i, 0, structuredClone(arr[i]));
        did.push(`duplicate item ${i}`);
      }
    }
  }
  return { tree: copy, did };
}

const dir = mkdtempSync(join(tmpdir(), "netspec-mutate-"));
let imports = 0;
async function importModule(code: string): Promise<CompiledModule> {
  const file = join(dir, `m${++imports}.ts`);
  writeFileSync(file, code);
  return (await import(`${pathToFileURL(file).href}?v=${imports}`)) as CompiledModule;
}

describe("structure-aware fuzzing of the shipped specs", () => {
  it(`${CASES} mutated specs: valid, or refused with positioned errors; valid ones compile; small ones train`, async () => {
    const rng = new Rng(SEED);
    const stats = { refused: 0, valid: 0, compiled: 0, trained: 0 };
    for (let n = 0; n < CASES; n++) {
      const base = SPECS[n % SPECS.length]!;
      const { tree, did } = mutate(base.tree, rng);
      const text = stringify(tree);
      const where = `case ${n} (seed ${SEED}) from specs/${base.file}: ${did.join("; ")}\n${text}`;
      try {
        const r = checkSpec(text, "mutant.yaml");
        if (!r.ok) {
          stats.refused++;
          expectPositioned(r.diagnostics, "mutant.yaml");
          continue;
        }
        stats.valid++;
        // Compiling takes ~20-100 ms (the emitter): every 8th valid case, and the small ones train.
        if (stats.valid % 8 !== 0 || bufferBytes(planSpec(r.spec)) > DEFAULT_MAX_BYTES) continue;
        const compiled = compileSpec(r.spec, r.hash, "mutant.yaml");
        stats.compiled++;
        if (!r.spec.loss || bufferBytes(planSpec(r.spec)) > 4 * 2 ** 20 || stats.trained >= 25) continue;
        const mod = await importModule(compiled.code);
        if (mod.INPUTS.length !== 1) continue;
        const rows = mod.BATCH * 2;
        const data = randomDataset(rows, n, { inputSize: mod.INPUT_SIZE, outputSize: mod.OUTPUT_SIZE, target: mod.TARGET ?? "vector" });
        try {
          const trainer = new Trainer(mod, { train: data, test: null }, { ...mod.TRAINING, epochs: 1 });
          trainer.runEpoch();
          stats.trained++;
        } catch (e) {
          if (!(e instanceof DataError || e instanceof DivergenceError)) throw e;
        }
      } catch (e) {
        throw new Error(`${(e as Error).message}\n--- ${where}`, { cause: e });
      }
    }
    if (process.env.NETSPEC_FUZZ_STATS) console.log(stats);
    expect(stats.refused).toBeGreaterThan(CASES / 4);
    expect(stats.valid).toBeGreaterThan(CASES / 10);
    expect(stats.compiled).toBeGreaterThan(20);
    expect(stats.trained).toBeGreaterThan(5);
  }, 60_000);
});

describe("the same mutations on data and checkpoints", () => {
  const iris = ["sepal_length,sepal_width,petal_length,petal_width,label", "5.1,3.5,1.4,0.2,setosa", "7.0,3.2,4.7,1.4,versicolor", "6.3,3.3,6.0,2.5,virginica"];

  it("the CSV reader: mutated iris rows parse or fail with a line-numbered DataError", () => {
    const rng = new Rng(SEED + 1);
    const cells = ["", "__proto__", "constructor", "toString", "NaN", "Infinity", "1e400", "-0", "\"", "\"a,b\"", ",", "label", "9".repeat(400)];
    for (let n = 0; n < 1000; n++) {
      const lines = iris.map((l) => l.split(","));
      for (let s = 0; s < 1 + rng.int(3); s++) {
        const line = lines[rng.int(lines.length)]!;
        const i = rng.int(line.length + 1);
        if (rng.int(3) === 0) line.splice(i, 1);
        else line.splice(i, rng.int(2), cells[rng.int(cells.length)]!);
      }
      const text = lines.map((l) => l.join(",")).join("\n");
      try {
        const ds = parseCsv(text, { file: "rows.csv", label: "label", targets: null, inputSize: 4, labelOptional: true });
        expect(ds.features.every((v) => Number.isFinite(v)), text).toBe(true);
        for (const name of ds.classNames ?? []) expect(typeof name).toBe("string");
      } catch (e) {
        if (!(e instanceof DataError)) throw new Error(`case ${n}: ${(e as Error).message}\n${text}`, { cause: e });
        expect(e.message, text).toMatch(/^rows\.csv(:\d+)?: /);
      }
    }
  });

  it("the checkpoint loader: flipped bytes and truncation are a CheckpointError, never a crash", () => {
    const rng = new Rng(SEED + 2);
    const good = encodeCheckpoint({
      specHash: "h", params: Float32Array.from({ length: 12 }, (_, i) => i / 7), state: new Float32Array(2),
      optimizer: { kind: "sgd", slots: { velocity: new Float32Array(12) } }, epoch: 3, step: 9, rngState: [1, 2, 3, 4],
      best: null, history: [], data: { classNames: ["__proto__", "constructor"], mean: null, std: null },
    });
    expect(decodeCheckpoint(good, "ok.ck").data?.classNames).toEqual(["__proto__", "constructor"]);
    // Well-formed bytes and checksum, foreign metadata: refused, not passed on to predict.
    const foreign = encodeCheckpoint({ ...decodeCheckpoint(good, "ok.ck"), data: { classNames: { length: 2 } as unknown as string[], mean: null, std: null } });
    expect(() => decodeCheckpoint(foreign, "foreign.ck")).toThrow(/foreign\.ck: corrupted checkpoint \(bad header\)/);
    for (let n = 0; n < 1000; n++) {
      const bytes = good.slice(0, rng.int(3) === 0 ? rng.int(good.length) : good.length);
      for (let s = 0; s < 1 + rng.int(3); s++) if (bytes.length) bytes[rng.int(bytes.length)]! ^= 1 << rng.int(8);
      try {
        const ck = decodeCheckpoint(bytes, "bad.ck");
        expect(ck.params.length).toBe(12); // a flip the checksum cannot see is at least well-formed
      } catch (e) {
        if (!(e instanceof CheckpointError)) throw new Error(`case ${n}: ${(e as Error).message}`, { cause: e });
      }
    }
  });
});
