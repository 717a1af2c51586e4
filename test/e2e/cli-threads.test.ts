// `train --threads N` through the real command line: a sharded run that agrees with one
// thread, the refusal of a batch N does not divide, a bad flag, and explain's default.
import { spawnSync } from "node:child_process";
import { availableParallelism } from "node:os";
import { describe, expect, it } from "vitest";

const netspec = (...args: string[]) => spawnSync(process.execPath, ["compiler/bin.mjs", ...args], { encoding: "utf8", timeout: 120_000 });
const lastJson = (stdout: string) => JSON.parse(stdout.trim().split("\n").at(-1)!);

describe("netspec train --threads", () => {
  it("trains iris on 3 threads (75 rows = 3 × 25) to the one-thread result, to float32 rounding", () => {
    const runs = ["1", "3"].map((n) => netspec("train", "specs/iris.yaml", "--epochs", "30", "--threads", n, "--json"));
    for (const r of runs) expect(r.status, r.stderr).toBe(0);
    const [one, three] = runs.map((r) => lastJson(r.stdout));
    expect(one.threads).toBe(1);
    expect(three.threads).toBe(3);
    expect(three.steps).toBe(one.steps);
    expect(Math.abs(three.loss - one.loss) / one.loss).toBeLessThan(1e-5);
    expect(three.testAccuracy).toBe(one.testAccuracy);
  });

  it("refuses a batch the thread count does not divide, with the reason, and trains nothing", () => {
    const r = netspec("train", "specs/iris.yaml", "--threads", "2", "--epochs", "1");
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(
      "netspec: error: specs/iris.yaml: --threads 2: train.batch 75 is not divisible by 2 threads: each thread needs the same number of rows (try --threads 1, or a batch that 2 divides)\n",
    );
    expect(r.stdout).toBe("");
    const bad = netspec("train", "specs/iris.yaml", "--threads", "0");
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain("--threads must be a whole number ≥ 1 (got '0')");
  });

  it("explain says which thread count train uses by default, and why", () => {
    const r = netspec("explain", "specs/iris.yaml");
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/\ntrain threads: 1 on the wasm backend \(20 kFLOP\/step, 386 FLOP per parameter: too little work to split .*; --threads N overrides\)\n$/);
    // The default depends on the cores (2 on the machines this runs on).
    const cnn = netspec("explain", "specs/mnist_cnn.yaml");
    if (availableParallelism() >= 2) expect(cnn.stdout).toMatch(/\ntrain threads: 2 on the wasm backend \(55\.8 MFLOP\/step over 2 threads is 27\.9 MFLOP a thread, 9313 FLOP per parameter .*\)\n$/);
    else expect(cnn.stdout).toMatch(/\ntrain threads: 1 on the wasm backend \(this machine has 1 core; --threads N overrides\)\n$/);
  });
});
