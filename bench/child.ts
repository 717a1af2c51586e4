// One engine on one workload, in a process of its own (so JIT state, tfjs's global engine and
// peak memory belong to this measurement alone). Prints one JSON line: a ChildResult.
//
//   node --import tsx bench/child.ts <netspec|tfjs-cpu|tfjs-wasm> <workload> <seconds> <reps> <params-out>
//
// Order of work: (1) the agreement run — exactly SEQUENCE steps from the initial weights over
// the fixed batch sequence, then the loss on batch 0, the test metric and the final weights;
// (2) a warm-up; (3) `reps` timed repetitions of ≥ `seconds`, each from the initial weights.

import { writeFileSync } from "node:fs";
import { SEQUENCE, WORKLOADS, loadWasmModule, loadWorkload, specFile, testMetric, type Workload } from "./workloads.ts";
import { ENGINES, type ChildResult, type Engine, type EngineName } from "./engines/engine.ts";
import { createNetspecEngine } from "./engines/netspec.ts";

/** An engine, or why this workload cannot run on it (printed as {"skipped": why}). */
async function createEngine(name: Exclude<EngineName, "c">, w: Workload): Promise<{ engine: Engine; note: string } | { skipped: string }> {
  if (name === "netspec") return { engine: createNetspecEngine(w), note: "" };
  if (name === "netspec-wasm") return { engine: createNetspecEngine(w, await loadWasmModule(w)), note: "wasm SIMD kernels" };
  if (name === "netspec-2threads") {
    // The model `train --threads 2` trains: shard modules of the backend auto picks, compiled for batch/2, one worker.
    const { resolveRun, startThreads, threadsRefusal } = await import("../compiler/cli/threads.ts");
    const { planSpec } = await import("../compiler/compile.ts");
    const { measureData } = await import("../compiler/cli/evidence.ts");
    const file = specFile(w.name);
    const loaded = { file, spec: w.spec, hash: w.mod.SPEC_HASH, planned: planSpec(w.spec, measureData(w.spec, file)) };
    const refusal = threadsRefusal(loaded, 2);
    if (refusal) return { skipped: refusal.replace(/^.*?--threads 2: /, "") };
    const { backend } = resolveRun(loaded, "auto", 2);
    const mod = backend === "wasm" ? await loadWasmModule(w) : w.mod;
    return { engine: createNetspecEngine(w, mod, await startThreads(loaded, mod, 2, backend)), note: `${backend} shards` };
  }
  // tfjs is imported only in its own children: netspec's numbers are not taken with it loaded.
  const { createTfjsEngine, initBackend } = await import("./engines/tfjs.ts");
  const cpu = name === "tfjs-cpu";
  const info = await initBackend(cpu ? "cpu" : "wasm");
  // Each backend's faster way to write matMul + bias (see engines/tfjs.ts).
  const note = cpu ? "fused.matMul" : `matMul+add; simd ${info.simd ? "on" : "off"}, threads ${info.threads ? "on" : "off"}`;
  if (w.image) {
    const { createTfjsConvEngine } = await import("./engines/tfjs-conv.ts");
    return { engine: createTfjsConvEngine(w), note: `conv2d+add, maxPool${cpu ? "" : `; dW as conv2d; simd ${info.simd ? "on" : "off"}, threads ${info.threads ? "on" : "off"}`}` };
  }
  return { engine: createTfjsEngine(w, cpu), note };
}

/** Steps until `seconds` have passed, checking the clock every `block` steps. */
function timed(engine: Engine, seconds: number, block: number, from: number): { steps: number; secs: number } {
  let steps = 0, i = from;
  const t0 = performance.now(), end = t0 + seconds * 1000;
  let now = t0;
  while (now < end) {
    for (let k = 0; k < block; k++) {
      engine.step(i);
      i = i + 1 === SEQUENCE ? 0 : i + 1;
    }
    steps += block;
    now = performance.now();
  }
  return { steps, secs: (now - t0) / 1000 };
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b), m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

async function main(): Promise<void> {
  const [engineArg, workloadArg, secondsArg, repsArg, paramsOut] = process.argv.slice(2);
  const engineName = ENGINES.find((e) => e === engineArg);
  const workloadName = WORKLOADS.find((n) => n === workloadArg);
  const seconds = Number(secondsArg), reps = Number(repsArg);
  if (!engineName || !workloadName || !(seconds > 0) || !(reps >= 1) || !paramsOut) {
    throw new Error(`usage: child.ts <${ENGINES.join("|")}> <${WORKLOADS.join("|")}> <seconds> <reps> <params-out>`);
  }
  const w = await loadWorkload(workloadName);
  // Image networks: the C reference writes dense layers only, and tfjs-cpu's 200-step agreement
  // run alone takes over 13 minutes on mnist_cnn (its conv kernels are plain JS loops).
  const imageSkip = w.image && { c: "the C reference covers dense networks only", "tfjs-cpu": "over 13 minutes for the 200-step check alone; tfjs-wasm is the faster backend" }[engineName as string];
  if (imageSkip) return void process.stdout.write(JSON.stringify({ skipped: imageSkip }) + "\n");
  if (engineName === "c") {
    // The C program runs the whole protocol below itself (engines/c.ts).
    const { runCEngine } = await import("./engines/c.ts");
    process.stdout.write(JSON.stringify(runCEngine(w, seconds, reps, paramsOut)) + "\n");
    return;
  }
  const created = await createEngine(engineName, w);
  if ("skipped" in created) return void process.stdout.write(JSON.stringify(created) + "\n");
  const { engine, note } = created;

  // (1) Agreement run: the same SEQUENCE steps from the same start in every engine.
  for (let i = 0; i < SEQUENCE; i++) engine.step(i);
  const finalLoss = engine.lossOn(0);
  const metric = testMetric(w, engine.predict(w.test.x, w.test.rows));
  writeFileSync(paramsOut, engine.params());

  // (2) Warm-up: JIT (netspec) and allocator pools (tfjs) settle; also sizes the clock-check
  // block to about 1 ms, so reading the clock costs nothing measurable at 100k steps/s.
  engine.reset();
  const probe = timed(engine, Math.min(0.5, seconds), 1, 0);
  const block = Math.max(1, Math.floor(probe.steps / probe.secs / 1000));
  timed(engine, Math.min(1, seconds), block, 0);

  // (3) Timed repetitions, each from the initial weights.
  // CPU time over wall time of the timed part: well below 1 means the process was waiting for
  // a core (other work on the machine), so its steps/s understate the engine (> 1: GC threads).
  const cpu0 = process.cpuUsage(), wall0 = performance.now();
  const rates: number[] = [];
  for (let r = 0; r < reps; r++) {
    engine.reset();
    const { steps, secs } = timed(engine, seconds, block, 0);
    rates.push(steps / secs);
  }

  const cpu = process.cpuUsage(cpu0);
  const cpuShare = (cpu.user + cpu.system) / 1000 / (performance.now() - wall0);

  const result: ChildResult = {
    engine: engineName, workload: workloadName, reps: rates, stepsPerSecond: median(rates),
    flopsPerStep: w.flopsPerStep, finalLoss, testMetric: metric, metricName: w.test.labels ? "accuracy" : "mse", checksum: w.checksum,
    maxRssMB: process.resourceUsage().maxRSS / 1024, cpuShare, note,
  };
  process.stdout.write(JSON.stringify(result) + "\n");
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
  process.exit(1);
});
