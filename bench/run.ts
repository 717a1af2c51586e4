// `npm run bench`: netspec vs TensorFlow.js (cpu and wasm backends) on the example specs.
//
//   npm run bench                     full run: 5 reps × 2 s per engine and workload, writes bench/results.md
//   npm run bench -- --quick          smoke run: 2 reps × 0.3 s (results.md is still written, marked quick)
//   npm run bench -- --json           also print the report as JSON on the last stdout line
//   npm run bench -- --only=iris,deep_tanh   a subset of the workloads
//   BENCH_SECONDS=1 BENCH_REPS=3 npm run bench   override duration and repetitions
//
// Each (workload, engine) pair runs in its own child process (bench/child.ts), one at a time,
// so measurements never overlap and each has its own JIT state and peak memory. Progress goes
// to stderr; stdout carries only the JSON (with --json).

import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join, relative } from "node:path";
import { compileSpec } from "../compiler/compile.ts";
import { measureData } from "../compiler/cli/evidence.ts";
import { loadSpec } from "../compiler/spec/index.ts";
import { gccVersion } from "./engines/c.ts";
import { ENGINES, type ChildResult } from "./engines/engine.ts";
import { cTargetsOf, targetsOf, toMarkdown, type CompileTime, type Report, type Row, type Skipped } from "./report.ts";
import { ROOT, SEQUENCE, WORKLOADS, specFile, type WorkloadName } from "./workloads.ts";

interface Options {
  readonly quick: boolean;
  readonly json: boolean;
  readonly seconds: number;
  readonly reps: number;
  readonly workloads: readonly WorkloadName[];
}

function parseOptions(argv: readonly string[]): Options {
  const quick = argv.includes("--quick");
  const flag = (name: string) => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  const seconds = Number(flag("seconds") ?? process.env.BENCH_SECONDS ?? (quick ? 0.3 : 2));
  const reps = Number(flag("reps") ?? process.env.BENCH_REPS ?? (quick ? 2 : 5));
  const only = flag("only")?.split(",") ?? [...WORKLOADS];
  const workloads = WORKLOADS.filter((w) => only.includes(w));
  const unknown = argv.filter((a) => !["--quick", "--json"].includes(a) && !/^--(seconds|reps|only)=/.test(a));
  if (unknown.length || !(seconds > 0) || !(Number.isInteger(reps) && reps >= 1) || workloads.length === 0) {
    throw new Error(`usage: npm run bench -- [--quick] [--json] [--seconds=S] [--reps=N] [--only=${WORKLOADS.join(",")}]`);
  }
  return { quick, json: argv.includes("--json"), seconds, reps, workloads };
}

const log = (msg: string): void => void process.stderr.write(`${msg}\n`);

/** compileSpec time: the first call (cold JIT) and the median of the next five. */
function compileTime(workload: WorkloadName): CompileTime {
  const file = specFile(workload);
  const loaded = loadSpec(file);
  if (!loaded.ok) throw new Error(`${file}: does not validate`);
  const options = measureData(loaded.spec, file);
  const once = (): number => {
    const t0 = performance.now();
    compileSpec(loaded.spec, loaded.hash, relative(ROOT, file), options);
    return performance.now() - t0;
  };
  const coldMs = once();
  const warm = Array.from({ length: 5 }, once).sort((a, b) => a - b);
  // The children import generated/<name>.ts: say whether it is what the compiler emits today.
  const { code } = compileSpec(loaded.spec, loaded.hash, relative(ROOT, file), options);
  const upToDate = code === readFileSync(join(ROOT, "generated", `${workload}.ts`), "utf8");
  if (!upToDate) log(`bench: warning: generated/${workload}.ts differs from what compileSpec emits now (run npx netspec compile)`);
  return { workload, coldMs, warmMs: warm[2], upToDate };
}

/** Runs one child and parses the JSON on the last line of its stdout. */
function runChild(engine: string, workload: WorkloadName, o: Options, paramsOut: string): ChildResult | { skipped: string } {
  const args = ["--import", "tsx", join(ROOT, "bench", "child.ts"), engine, workload, String(o.seconds), String(o.reps), paramsOut];
  const child = spawnSync(process.execPath, args, { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], maxBuffer: 1 << 24 });
  const last = child.stdout.trim().split("\n").at(-1) ?? "";
  if (child.status !== 0 || !last.startsWith("{")) throw new Error(`bench child ${engine} ${workload} failed (exit ${child.status})`);
  return JSON.parse(last) as ChildResult | { skipped: string };
}

const readParams = (file: string): Float32Array => {
  const buf = readFileSync(file);
  return new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
};

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

function main(): void {
  const o = parseOptions(process.argv.slice(2));
  const started = performance.now();
  const loadBefore = loadavg()[0];
  const compile = o.workloads.map(compileTime);
  const dir = mkdtempSync(join(tmpdir(), "netspec-bench-"));
  const rows: Row[] = [];
  // Engines this machine cannot run are left out of the table, with a note saying why.
  const skipped: Skipped[] = [];
  const gcc = gccVersion();
  if (!gcc) skipped.push({ engine: "c", workload: null, reason: "gcc not found on the PATH" });
  const engines = ENGINES.filter((e) => !skipped.some((s) => s.engine === e));
  for (const s of skipped) log(`bench: engine ${s.engine} skipped: ${s.reason}`);
  try {
    for (const workload of o.workloads) {
      const results = engines.flatMap((engine) => {
        log(`bench: ${workload} on ${engine} …`);
        const r = runChild(engine, workload, o, join(dir, `${workload}.${engine}.f32`));
        if ("skipped" in r) {
          log(`bench:   skipped: ${r.skipped}`);
          skipped.push({ engine, workload, reason: r.skipped });
          return [];
        }
        log(`bench:   ${Math.round(r.stepsPerSecond).toLocaleString("en-US")} steps/s, loss after ${SEQUENCE} steps ${r.finalLoss.toPrecision(6)}`);
        return r;
      });
      const ours = results[0]; // ENGINES[0] is netspec
      const ourParams = readParams(join(dir, `${workload}.netspec.f32`));
      for (const r of results) {
        if (r.checksum !== ours.checksum) throw new Error(`${workload}: ${r.engine} trained on different data (checksum ${r.checksum} ≠ ${ours.checksum})`);
        rows.push({
          ...r,
          gflops: (r.stepsPerSecond * r.flopsPerStep) / 1e9,
          netspecSpeedup: ours.stepsPerSecond / r.stepsPerSecond,
          maxParamDiff: maxAbsDiff(readParams(join(dir, `${workload}.${r.engine}.f32`)), ourParams),
        });
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  const report: Report = {
    date: new Date().toISOString(),
    machine: { cpu: cpus()[0]?.model ?? "unknown", cores: cpus().length, node: process.version, platform: `${process.platform}-${process.arch}`, load: [loadBefore, loadavg()[0]] },
    settings: { seconds: o.seconds, reps: o.reps, agreementSteps: SEQUENCE, quick: o.quick },
    compile, rows, targets: targetsOf(rows), skipped, cTargets: cTargetsOf(rows), compilers: gcc ? [gcc] : [],
  };
  const out = join(ROOT, "bench", "results.md");
  writeFileSync(out, toMarkdown(report));
  log(`bench: wrote ${relative(process.cwd(), out)} in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  for (const t of report.targets) log(`bench: ${t.workload}: netspec ${t.measured.toFixed(1)}× ${t.peer} (target ≥ ${t.required}×) ${t.met ? "met" : "NOT met"}`);
  if (o.json) process.stdout.write(JSON.stringify(report) + "\n");
}

try {
  main();
} catch (e) {
  log(`bench: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 1;
}
