// Shared by the reliability suites: the CLI as a child process (async, so several run at
// once) and in process (cheap enough for fuzzing), temp folders, and the common assertions.

import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Command } from "commander";
import { afterAll, expect } from "vitest";
import { registerCompile } from "../../compiler/cli/compile.ts";
import { registerPredict } from "../../compiler/cli/predict.ts";
import { registerTrain } from "../../compiler/cli/train.ts";
import { registerValidate } from "../../compiler/cli/validate.ts";
import type { Diagnostic } from "../../compiler/spec/index.ts";

export const ROOT = resolve(import.meta.dirname, "../..");
export const HOSTILE = join(ROOT, "test/fixtures/hostile");
const BIN = join(ROOT, "compiler/bin.mjs");

export interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** `netspec …` in a child process; resolves with its exit code and output. */
export function netspec(args: readonly string[], opts: { cwd?: string } = {}): Promise<Run> {
  return new Promise((done) => {
    execFile(process.execPath, [BIN, ...args], { cwd: opts.cwd ?? ROOT, encoding: "utf8", maxBuffer: 1 << 26 }, (err, stdout, stderr) => {
      const status = err ? (typeof err.code === "number" ? err.code : null) : 0;
      done({ status, stdout, stderr });
    });
  });
}

/** `netspec …` in this process (relative paths from the working folder), output captured. */
export async function netspecInProcess(args: readonly string[]): Promise<Run> {
  const program = new Command("netspec").option("--debug").exitOverride();
  registerValidate(program);
  registerCompile(program);
  registerTrain(program);
  registerPredict(program);
  const out: string[] = [], err: string[] = [];
  const [w1, w2, code0] = [process.stdout.write, process.stderr.write, process.exitCode];
  process.stdout.write = ((s: string) => (out.push(String(s)), true)) as typeof process.stdout.write;
  process.stderr.write = ((s: string) => (err.push(String(s)), true)) as typeof process.stderr.write;
  process.exitCode = 0;
  try {
    await program.parseAsync([...args], { from: "user" });
    return { status: Number(process.exitCode ?? 0), stdout: out.join(""), stderr: err.join("") };
  } finally {
    process.stdout.write = w1;
    process.stderr.write = w2;
    process.exitCode = code0;
  }
}

const made: string[] = [];
/** A fresh folder under the OS temp folder, removed when the test file is done. */
export const tempDir = (tag: string): string => {
  const dir = mkdtempSync(join(tmpdir(), `netspec-rel-${tag}-`));
  made.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** No user mistake ever shows a stack trace. */
export function expectNoStack(r: Run): void {
  expect(r.stderr).not.toMatch(/^\s+at /m);
  expect(r.stdout).not.toMatch(/^\s+at /m);
}

/** A user error: exit 1, a message on stderr, no stack. */
export function expectUserError(r: Run, message: RegExp | string): void {
  expect(r.status, r.stderr).toBe(1);
  if (typeof message === "string") expect(r.stderr).toContain(message);
  else expect(r.stderr).toMatch(message);
  expectNoStack(r);
}

/** Every diagnostic has a real position and a message. */
export function expectPositioned(ds: readonly Diagnostic[], file: string): void {
  expect(ds.length).toBeGreaterThan(0);
  for (const d of ds) {
    expect(d.file).toBe(file);
    expect(Number.isInteger(d.line) && d.line >= 1, JSON.stringify(d)).toBe(true);
    expect(Number.isInteger(d.col) && d.col >= 1, JSON.stringify(d)).toBe(true);
    expect(typeof d.message === "string" && d.message.trim().length > 0, JSON.stringify(d)).toBe(true);
  }
}

/** Files in a folder that are not finished modules (temp files, partial writes). */
/** Anything but whole modules: <name>.ts, and the wasm backend's <name>.wasm.ts and <name>.wat. */
export const strayFiles = (dir: string): string[] => readdirSync(dir).filter((f) => !/^[a-z][a-z0-9_]*(\.ts|\.wasm\.ts|\.wat)$/.test(f));

/** A valid spec as YAML text; `over` replaces top-level lines by key. */
export const IRIS_TEXT = `netspec: 1
name: iris
input: 4
layers:
  - dense: 6
    activation: relu
  - dense: 3
loss: softmax_cross_entropy
regularizer:
  l2: 0.001
init:
  weights: { normal: { std: 0.1 } }
  biases: zeros
  seed: 1
optimizer:
  sgd: { lr: 0.05, momentum: 0.9 }
train:
  batch: 15
  epochs: 3
data:
  builtin: iris
  test_split: 0.5
  stratified: true
`;

export const CSV_TEXT = `netspec: 1
name: blobs
input: 2
layers:
  - maxout: 4
    pieces: 2
  - dense: 3
    activation: identity
loss: { hinge: { margin: 1 } }
optimizer:
  sgd: { lr: 0.1, schedule: { step: { every: 2, factor: 0.5 } } }
train:
  batch: 4
  epochs: 2
  stop_below: 0.001
data:
  csv: blobs.csv
  label: species
  test_split: 0.25
`;

export const REGRESSION_TEXT = `netspec: 1
name: linear
input: 3
layers:
  - dense: 5
    activation: { leaky_relu: { alpha: 0.1 } }
  - dense: 2
loss: mse
optimizer:
  sgd: { lr: 0.01, nesterov: true, momentum: 0.5 }
train:
  batch: 8
  epochs: 2
  early_stopping: { patience: 3 }
data:
  csv: linear.csv
  targets: [y1, y2]
  standardize: true
`;
