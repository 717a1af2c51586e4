// The C reference engine: bench/c/generate.ts writes the workload's training step as a
// fixed-shape C program, gcc builds it (-O3 -march=native -ffast-math: auto-vectorized, AVX2 +
// FMA on this machine), and the program runs the child's protocol itself — stepping it from
// JavaScript one call at a time would measure the call, not the step. Its inputs (the initial
// weights, the batch sequence, the test rows) are the Workload's bytes, written to a file.

import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cSource } from "../c/generate.ts";
import { testMetric, type Workload } from "../workloads.ts";
import type { ChildResult } from "./engine.ts";

export const GCC_FLAGS = ["-O3", "-march=native", "-ffast-math"] as const;

/** gcc's version line, or null when there is no gcc on the PATH. */
export function gccVersion(): string | null {
  const r = spawnSync("gcc", ["--version"], { encoding: "utf8" });
  return r.status === 0 ? r.stdout.split("\n")[0]!.trim() : null;
}

const floats = (file: string): Float32Array => {
  const buf = readFileSync(file);
  return new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
};

/** Builds and runs the C program; its final weights go to paramsOut like every engine's. */
export function runCEngine(w: Workload, seconds: number, reps: number, paramsOut: string): ChildResult {
  const gcc = gccVersion();
  if (!gcc) throw new Error("gcc not found (the c engine is skipped by run.ts when it is)");
  const dir = mkdtempSync(join(tmpdir(), "netspec-bench-c-"));
  try {
    const src = join(dir, `${w.name}.c`), exe = join(dir, w.name), data = join(dir, "data.bin"), testOut = join(dir, "test.f32");
    writeFileSync(src, cSource(w));
    const cc = spawnSync("gcc", [...GCC_FLAGS, "-o", exe, src, "-lm"], { encoding: "utf8" });
    if (cc.status !== 0) throw new Error(`gcc failed on the generated C for ${w.name}:\n${cc.stderr}`);
    const bytes = (a: Float32Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
    writeFileSync(data, Buffer.concat([w.init, w.x, w.y, w.test.x].map(bytes)));
    const run = spawnSync(exe, [data, String(seconds), String(reps), paramsOut, testOut], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
    const last = run.stdout.trim().split("\n").at(-1) ?? "";
    if (run.status !== 0 || !last.startsWith("{")) throw new Error(`the C program for ${w.name} failed (exit ${run.status})`);
    const out = JSON.parse(last) as { finalLoss: number; cpuShare: number; maxRssMB: number; reps: number[] };
    const sorted = [...out.reps].sort((a, b) => a - b), m = sorted.length >> 1;
    return {
      engine: "c", workload: w.name, reps: out.reps,
      stepsPerSecond: sorted.length % 2 ? sorted[m]! : (sorted[m - 1]! + sorted[m]!) / 2,
      flopsPerStep: w.flopsPerStep, finalLoss: out.finalLoss, testMetric: testMetric(w, floats(testOut)),
      metricName: w.test.labels ? "accuracy" : "mse", checksum: w.checksum,
      maxRssMB: out.maxRssMB, cpuShare: out.cpuShare, note: `gcc ${GCC_FLAGS.join(" ")}`,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
