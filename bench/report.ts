// The benchmark's results as data (what --json prints) and as markdown (bench/results.md).

import type { ChildResult, EngineName } from "./engines/engine.ts";
import { SEQUENCE, type WorkloadName } from "./workloads.ts";

export interface Row extends ChildResult {
  readonly gflops: number;
  /** netspec steps/s ÷ this engine's (1 for netspec itself). */
  readonly netspecSpeedup: number;
  /** max |w − w_netspec| over all weights after the agreement run. */
  readonly maxParamDiff: number;
}

export interface CompileTime {
  readonly workload: WorkloadName;
  /** First compileSpec call in the process (includes JIT warm-up of the compiler). */
  readonly coldMs: number;
  /** Median of the next calls. */
  readonly warmMs: number;
  /** generated/<name>.ts (what the bench runs) equals compileSpec's output now. */
  readonly upToDate: boolean;
}

export interface Target {
  readonly workload: WorkloadName;
  /** Required netspec ÷ (faster tfjs backend). */
  readonly required: number;
  readonly peer: EngineName;
  /** The faster netspec engine (JS or wasm backend), whose steps/s are measured. */
  readonly ours: EngineName;
  readonly measured: number;
  readonly met: boolean;
}

export interface Report {
  readonly date: string;
  readonly machine: {
    readonly cpu: string; readonly cores: number; readonly node: string; readonly platform: string;
    /** 1-minute load average before and after the run: other work on the machine skews the numbers. */
    readonly load: readonly [number, number];
  };
  readonly settings: { readonly seconds: number; readonly reps: number; readonly agreementSteps: number; readonly quick: boolean };
  readonly compile: readonly CompileTime[];
  readonly rows: readonly Row[];
  readonly targets: readonly Target[];
  /** Engines left out on this machine, and why (no gcc: no c rows). */
  readonly skipped: readonly Skipped[];
  readonly cTargets: readonly CTarget[];
  /** The C compiler's version line, when the c engine ran. */
  readonly compilers: readonly string[];
}

/** An engine left out everywhere (workload null) or on one workload, and why. */
export interface Skipped {
  readonly engine: EngineName;
  readonly workload: WorkloadName | null;
  readonly reason: string;
}

/** The issue-13 targets against plain C: best netspec within 2× of C; both cores ≥ C on mnist_mlp. */
export interface CTarget {
  readonly workload: WorkloadName;
  readonly what: string;
  readonly engine: EngineName;
  /** C steps/s ÷ the engine's (≤ required is met). */
  readonly cOver: number;
  readonly required: number;
  readonly met: boolean;
}

/** netspec's own configurations: the single-thread module, its sharded run, and other backends. */
const isNetspec = (e: EngineName): boolean => e.startsWith("netspec");
/** A netspec engine on one core: what is set against tfjs-wasm (threads off) and single-threaded C. */
const oneCore = (e: EngineName): boolean => isNetspec(e) && e !== "netspec-2threads";

export function cTargetsOf(rows: readonly Row[]): CTarget[] {
  return (Object.keys(TARGETS) as WorkloadName[]).flatMap((workload) => {
    const mine = rows.filter((r) => r.workload === workload);
    const c = mine.find((r) => r.engine === "c");
    const best = mine.filter((r) => oneCore(r.engine)).sort((a, b) => b.stepsPerSecond - a.stepsPerSecond)[0];
    if (!c || !best) return [];
    const out: CTarget[] = [];
    const add = (what: string, r: Row, required: number) => {
      const cOver = c.stepsPerSecond / r.stepsPerSecond;
      out.push({ workload, what, engine: r.engine, cOver, required, met: cOver <= required });
    };
    add("best netspec within 2× of C", best, 2);
    const both = mine.find((r) => r.engine === "netspec-2threads");
    if (workload === "mnist_mlp" && both) add("both cores at or above C single-thread", both, 1);
    return out;
  });
}

/** The targets (issues 12 and 13): the faster one-core netspec engine's steps/s ÷ the faster tfjs backend's. */
export const TARGETS: Readonly<Record<WorkloadName, number>> = { iris: 50, mnist_mlp: 3, deep_tanh: 3, mnist_cnn: 1.5 };

export function targetsOf(rows: readonly Row[]): Target[] {
  return (Object.keys(TARGETS) as WorkloadName[]).flatMap((workload) => {
    const mine = rows.filter((r) => r.workload === workload);
    // The faster netspec backend on one core (JS or wasm) against the faster tfjs backend (single-threaded too).
    const ours = mine.filter((r) => oneCore(r.engine)).sort((a, b) => b.stepsPerSecond - a.stepsPerSecond)[0];
    const peers = mine.filter((r) => r.engine.startsWith("tfjs")).sort((a, b) => b.stepsPerSecond - a.stepsPerSecond);
    if (!ours || peers.length === 0) return [];
    const measured = ours.stepsPerSecond / peers[0].stepsPerSecond;
    return [{ workload, required: TARGETS[workload], peer: peers[0].engine, ours: ours.engine, measured, met: measured >= TARGETS[workload] }];
  });
}

const num = (x: number, digits = 3): string => {
  if (!Number.isFinite(x)) return String(x);
  if (x >= 1000) return Math.round(x).toLocaleString("en-US");
  return x.toPrecision(digits);
};
const exp = (x: number): string => (x === 0 ? "0" : x.toExponential(1));

export function toMarkdown(r: Report): string {
  const s = r.settings;
  const lines = [
    "# netspec vs TensorFlow.js: training throughput",
    "",
    `Generated by \`npm run bench${s.quick ? " -- --quick" : ""}\` on ${r.date}.`,
    "",
    `Machine: ${r.machine.cpu}, ${r.machine.cores} cores, Node ${r.machine.node} (${r.machine.platform}); ` +
      `1-min load average ${r.machine.load[0].toFixed(2)} before, ${r.machine.load[1].toFixed(2)} after (the bench itself adds ~1)` +
      (r.machine.load[0] > 0.5 || r.machine.load[1] > 1.5 ? ": other work was running, expect ±20% noise." : "."),
    `Each engine runs in its own child process, one after another. Timing: warm-up, then ${s.reps} repetitions of ≥ ${s.seconds} s,`,
    "each from the initial weights; steps/s is the median (spread = slowest–fastest repetition).",
    "",
    "| workload | engine | steps/s | spread | GFLOP/s | netspec ÷ engine | loss after " + s.agreementSteps + " steps | test acc / mse | max \\|Δw\\| vs netspec | peak RSS MB | CPU share |",
    "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ...r.rows.map((row) => {
      const spread = `${num(Math.min(...row.reps))}–${num(Math.max(...row.reps))}`;
      const speedup = row.engine === "netspec" ? "—" : `${row.netspecSpeedup.toFixed(row.netspecSpeedup < 1 ? 3 : 1)}×`;
      const metric = row.metricName === "mse" ? `mse ${row.testMetric.toPrecision(5)}` : `${(100 * row.testMetric).toFixed(1)}%`;
      const engine = row.note ? `${row.engine} (${row.note})` : row.engine;
      return `| ${row.workload} | ${engine} | ${num(row.stepsPerSecond)} | ${spread} | ${row.gflops.toFixed(2)} | ${speedup} | ` +
        `${row.finalLoss.toPrecision(6)} | ${metric} | ${exp(row.maxParamDiff)} | ${Math.round(row.maxRssMB)} | ${row.cpuShare.toFixed(2)} |`;
    }),
    "",
    "## Targets (the faster netspec backend ÷ the faster tfjs backend, both on one core)",
    "",
    "tfjs-wasm runs single-threaded here, so netspec-2threads is not counted; it is set against C below.",
    "",
    "| workload | required | faster netspec | faster tfjs backend | measured | met? |",
    "|---|---:|---|---|---:|---|",
    ...r.targets.map((t) => `| ${t.workload} | ≥ ${t.required}× | ${t.ours} | ${t.peer} | ${t.measured.toFixed(1)}× | ${t.met ? "yes" : "**no**"} |`),
    "",
    "## Against plain C (C steps/s ÷ netspec's; the C program is the same step, single-threaded)",
    "",
    ...(r.skipped.length ? [...r.skipped.map((k) => `- ${k.workload ? `${k.workload}: ` : ""}engine \`${k.engine}\` skipped: ${k.reason}.`), ""] : []),
    "| workload | target | netspec engine | C ÷ engine | required | met? |",
    "|---|---|---|---:|---:|---|",
    ...r.cTargets.map((t) => `| ${t.workload} | ${t.what} | ${t.engine} | ${t.cOver.toFixed(2)}× | ≤ ${t.required}× | ${t.met ? "yes" : "**no**"} |`),
    "",
    "## Compile time (loadSpec is not included; compileSpec only)",
    "",
    "| workload | first call ms | median of next 5 ms | generated/*.ts up to date |",
    "|---|---:|---:|---|",
    ...r.compile.map((c) => `| ${c.workload} | ${c.coldMs.toFixed(1)} | ${c.warmMs.toFixed(1)} | ${c.upToDate ? "yes" : "**no**"} |`),
    "",
    "## What is measured",
    "",
    "- **Same work.** Every engine trains the spec's network and loss (softmax cross-entropy as a",
    "  mean over the batch, mse as a mean over batch and outputs) plus 0.5·λ·ΣW² on weights only,",
    "  with the spec's optimizer — plain SGD, or SGD with the spec's momentum (mnist_mlp and",
    "  deep_tanh: 0.9; tf.train.momentum in tfjs, the runtime's sgd rule (runtime/optimizers/sgd.ts) in netspec; the two",
    "  formulations give the same iterates) — from netspec's `model.init(seed)` weights, over the same",
    `  fixed sequence of ${SEQUENCE} batches (drawn like the runtime's trainer: per-epoch seeded shuffle), cycled.`,
    "  The data checksum every child reports is checked equal. The loss, test metric and final weights",
    `  after exactly ${s.agreementSteps} steps show it is the same computation (differences are float32 rounding:`,
    "  netspec accumulates in float64 and rounds on store).",
    "- **netspec step**: copy the batch into `model.input`/`model.target`, `forward()`, `loss()`,",
    "  `backward()`, the sgd rule's step — what the runtime's trainer does, minus its per-step accuracy count.",
    "- **tfjs step**: one `optimizer.minimize(f, false, vars)` over pre-made batch tensors, prod mode.",
    "  The cpu backend uses `tf.fused.matMul` with bias; the wasm backend `tf.matMul` + `tf.add`,",
    "  each backend's faster form here. wasm runs single-threaded (see its note).",
    "- **netspec-2threads**: the same step through the runtime's threaded model (`train --threads 2`):",
    "  each half of the batch on its own thread (the main thread and one worker), gradients averaged in",
    "  a fixed order. Skipped where 2 does not divide the batch (iris: 75 rows). Its CPU share is near 2.",
    "- **c**: the same step written as a fixed-shape C program by `bench/c/generate.ts` (textbook",
    "  loops over row-major weights, float32, no BLAS), built with " + (r.compilers[0] ?? "gcc") + " `-O3 -march=native -ffast-math`,",
    "  and timed by the program itself with the same protocol (agreement run, warm-up, repetitions).",
    "- **FLOPs per step** are what `netspec explain` counts: every op of a training step (forward,",
    "  loss, backward), each as its op file counts it; the matrix products are almost all of it.",
    "- **Peak RSS** is the child's `process.resourceUsage().maxRSS`: Node + tsx + data (+ tfjs).",
    "- **CPU share** is the child's CPU time ÷ wall time over the timed repetitions. The engines'",
    "  own work is single-threaded (but netspec-2threads'), so below ~0.9 means other work on the machine took the core part",
    "  of the time (steps/s, and ratios against it, understate that engine); above 1 is V8's helper",
    "  threads (garbage collection of tfjs's per-step tensors), which also use the machine's 2nd core.",
    "  A share near 1 does not rule out contention: a neighbour on the other core still shares caches",
    "  and memory bandwidth (and the core itself, if the two are hyperthreads). Compare runs, not digits.",
    "",
  ];
  return lines.join("\n");
}
