// User strings reach generated code only as validated identifiers, escaped literals or
// sanitized comments. Hostile names are refused with a position; hostile paths, CSV file
// names and column names are inert: the module still compiles, imports and trains.

import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { compileSpec } from "../../compiler/compile.ts";
import { checkSpec } from "../../compiler/spec/index.ts";
import type { CompiledModule } from "../../runtime/module.ts";
import { CSV_TEXT, expectNoStack, expectPositioned, HOSTILE, IRIS_TEXT, netspec, REGRESSION_TEXT, tempDir } from "./helpers.ts";

const HOSTILE_STRINGS = [
  "x; process.exit(1)",
  "*/ process.exit(1) /*",
  "`${process.exit(1)}`",
  "${globalThis.pwned = 1}",
  "a\u2028process.exit(1)",
  "a\u2029process.exit(1)",
  "a\nprocess.exit(1)",
  "a\r\nprocess.exit(1)",
  '"; process.exit(1); "',
  "'); process.exit(1); ('",
  "\\u0061",
  "a\0b",
  "constructor\u200b",
];
/** JS line terminators: a comment must contain none of them. */
const TERMINATORS = /[\n\r\u2028\u2029]/;
const dir = tempDir("inject");
let imports = 0;

function ok(text: string, file = "spec.yaml") {
  const r = checkSpec(text, file);
  if (!r.ok) throw new Error(JSON.stringify(r.diagnostics));
  return r;
}

async function importModule(code: string): Promise<CompiledModule> {
  const file = join(dir, `m${++imports}.ts`);
  writeFileSync(file, code);
  return (await import(pathToFileURL(file).href)) as CompiledModule;
}

/** The module computes a finite loss: it is whole and does what a module does. */
function behaves(mod: CompiledModule): void {
  const m = mod.createModel();
  m.init(1);
  m.input.fill(0.5);
  m.target.fill(0);
  m.forward();
  expect(Number.isFinite(m.loss())).toBe(true);
  m.backward();
  expect(m.grads.some((g) => g !== 0)).toBe(true);
}

describe("spec names", () => {
  it.each(HOSTILE_STRINGS)("refuses name %j with a positioned error", (name) => {
    const text = IRIS_TEXT.replace("name: iris", `name: ${JSON.stringify(name)}`);
    const r = checkSpec(text, "spec.yaml");
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expectPositioned(r.diagnostics, "spec.yaml");
    const d = r.diagnostics.find((x) => x.message.startsWith("name "));
    expect(d, JSON.stringify(r.diagnostics)).toBeDefined();
    expect(d).toMatchObject({ line: 2, col: 7 });
    expect(d!.message).toMatch(/lowercase identifier/);
  });

  it("refuses names that are not strings, too long or reserved", () => {
    for (const [value, why] of [["[a]", /must be a string/], ["{ a: 1 }", /must be a string/], ["x".repeat(65), /at most 64/], ["function", /reserved/], ["__proto__", /identifier/], ["Iris", /identifier/]] as const) {
      const r = checkSpec(IRIS_TEXT.replace("name: iris", `name: ${value}`), "s.yaml");
      expect(r.ok, value).toBe(false);
      if (!r.ok) expect(r.diagnostics.map((d) => `${d.line}:${d.message}`).join("\n")).toMatch(new RegExp(`^2:.*${why.source}`, "m"));
    }
  });

  it("a validated name appears only as an identifier-safe string and the file name", () => {
    const r = ok(IRIS_TEXT.replace("name: iris", "name: constructor"));
    const { code } = compileSpec(r.spec, r.hash, "spec.yaml");
    expect(code).toContain('export const SPEC_NAME = "constructor";');
  });
});

describe("spec paths in the header", () => {
  const baseline = (() => {
    const r = ok(IRIS_TEXT);
    return compileSpec(r.spec, r.hash, "specs/iris.yaml").code;
  })();

  it.each(HOSTILE_STRINGS.map((s) => `dir ${s}/we*/ird ${s}.yaml`))("keeps path %j inside its comment", async (source) => {
    const r = ok(IRIS_TEXT);
    const { code } = compileSpec(r.spec, r.hash, source);
    const lines = code.split("\n");
    const base = baseline.split("\n");
    // Only the two header lines that name the spec path may differ, and they stay comments.
    expect(lines.length).toBe(base.length);
    expect(code.split(TERMINATORS).length).toBe(baseline.split(TERMINATORS).length);
    const differing = lines.flatMap((l, i) => (l === base[i] ? [] : [i]));
    expect(differing).toEqual([0, 2]);
    for (const i of differing) {
      expect(lines[i]!.startsWith("// ")).toBe(true);
      expect(lines[i]).not.toMatch(TERMINATORS);
      expect(lines[i]).not.toContain("*/");
    }
    behaves(await importModule(code));
  });
});

describe("every user string that could reach the module", () => {
  it("csv path, label and target names reach no line of code except comments", async () => {
    const MARK = "ZQ*/`${process.exit(9)}`\u2028\"'";
    for (const base of [CSV_TEXT, REGRESSION_TEXT]) {
      const text = base
        .replace(/csv: .*/, `csv: ${JSON.stringify(`${MARK}.csv`)}`)
        .replace(/label: .*/, `label: ${JSON.stringify(`${MARK}label`)}`)
        .replace(/targets: .*/, `targets: ${JSON.stringify([`${MARK}1`, `${MARK}2`])}`);
      const r = ok(text, `${MARK}.yaml`);
      const { code } = compileSpec(r.spec, r.hash, `${MARK}.yaml`);
      const hits = code.split(/\n/).filter((l) => l.includes("ZQ"));
      expect(hits.length).toBeGreaterThan(0); // the header names the spec file
      for (const l of hits) expect(l.trimStart().startsWith("//"), l).toBe(true);
      expect(code).not.toContain(MARK);
      behaves(await importModule(code));
    }
  });

  it("TRAINING is plain JSON of numbers, booleans and known names, and round-trips exactly", async () => {
    const text = IRIS_TEXT.replace("sgd: { lr: 0.05, momentum: 0.9 }", "sgd: { lr: 1.0e+300, momentum: 0.999999999999, nesterov: true, schedule: { cosine: { min_lr: 5e-324 } } }")
      .replace("epochs: 3", "epochs: 10000000\n  stop_below: 1e-300\n  shuffle: false\n  early_stopping: { patience: 7, restore_best: false }")
      .replace("seed: 1", "seed: 4294967295");
    const r = ok(text);
    const mod = await importModule(compileSpec(r.spec, r.hash, "spec.yaml").code);
    expect(mod.TRAINING).toMatchObject({
      optimizer: { kind: "sgd", momentum: 0.999999999999, nesterov: true }, lr: 1e300, epochs: 10_000_000, stop_below: 1e-300, shuffle: false, seed: 4294967295,
      early_stopping: { patience: 7, restore_best: false },
    });
    const strings: string[] = [];
    const walk = (v: unknown): void => {
      if (typeof v === "string") strings.push(v);
      else if (v && typeof v === "object") Object.values(v).forEach(walk);
    };
    walk(mod.TRAINING);
    for (const s of strings) expect(s).toMatch(/^[a-z_]+$/);
    expect(mod.SPEC_HASH).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe("through the CLI", () => {
  it("compile -o with a hostile spec path writes a module that imports and behaves; train reads a hostile CSV", async () => {
    const work = tempDir("cli-inject");
    const sub = join(work, "d */ ${process.exit(3)} `x`");
    mkdirSync(sub, { recursive: true }); // "*/" in a path: a folder "d *" and a sub-folder
    const specName = "sp\u2028ec */ $(touch pwned) \"q'.yaml";
    mkdirSync(dirname(join(sub, specName)), { recursive: true });
    writeFileSync(join(sub, specName), IRIS_TEXT);
    // A CSV whose file name and column names are hostile; the spec names them.
    const csvName = "da'ta \"*\" ${x} `y`\u2029.csv"; // a file name cannot hold "/"
    const csv = readFileSync(join(HOSTILE, "blobs.csv"), "utf8").replace("x,y,species", '"x ""*/""","${y}`","la""\u2028bel */"');
    writeFileSync(join(sub, csvName), csv);
    copyFileSync(join(HOSTILE, "blobs.csv"), join(sub, "plain.csv"));
    writeFileSync(join(sub, "blobs.yaml"), CSV_TEXT.replace("csv: blobs.csv", `csv: ${JSON.stringify(csvName)}`).replace("label: species", `label: ${JSON.stringify(`la"\u2028bel */`)}`));
    const [compiled, trained] = await Promise.all([
      netspec(["compile", join(sub, specName), "-o", join(work, "out")], { cwd: work }),
      netspec(["train", join(sub, "blobs.yaml"), "--epochs", "1", "--json"], { cwd: work }),
    ]);
    expect(compiled.status, compiled.stderr).toBe(0);
    expectNoStack(compiled);
    const code = readFileSync(join(work, "out", "iris.ts"), "utf8");
    const shown = 'd * / ${process.exit(3)} `x`/sp ec * / $(touch pwned) "q\'.yaml';
    expect(code.split("\n")[0]!.startsWith("// Generated by netspec ")).toBe(true);
    expect(code.split("\n")[0]!.endsWith(` from ${shown} (spec "iris"). DO NOT EDIT.`)).toBe(true);
    expect(code.split("\n")[2]).toBe(`// Regenerate with: npx netspec compile ${shown}`);
    behaves(await importModule(code));
    expect(trained.status, trained.stderr).toBe(0);
    expectNoStack(trained);
    expect(JSON.parse(trained.stdout.trim().split("\n").at(-1)!)).toMatchObject({ epochs: 1, stopped: "epochs" });
  }, 30_000);
});
