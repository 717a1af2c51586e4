// Training faults: divergence stops the run with epoch, step and a hint, and never writes a
// checkpoint over a good one; a save killed midway leaves the old checkpoint readable; bad
// checkpoints and bad CSV files are user errors (exit 1, a message, no stack).

import { spawn } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, watch, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { compileSpec } from "../../compiler/compile.ts";
import { checkSpec, loadSpec } from "../../compiler/spec/index.ts";
import { CheckpointError, decodeCheckpoint, encodeCheckpoint, loadCheckpoint, saveCheckpoint, type Checkpoint } from "../../runtime/checkpoint.ts";
import { prepareData } from "../../runtime/data/index.ts";
import type { CompiledModule } from "../../runtime/module.ts";
import { trainSync } from "../../runtime/train.ts";
import { DivergenceError } from "../../runtime/trainer.ts";
import { expectUserError, HOSTILE, netspec, netspecInProcess, ROOT, tempDir } from "./helpers.ts";

const BLOBS = join(HOSTILE, "blobs.yaml");

async function compiled(file: string): Promise<{ mod: CompiledModule; hash: string }> {
  const r = loadSpec(file);
  if (!r.ok) throw new Error(JSON.stringify(r.diagnostics));
  const dir = tempDir("mod");
  const out = join(dir, `${r.spec.name}.ts`);
  writeFileSync(out, compileSpec(r.spec, r.hash, file).code);
  return { mod: (await import(pathToFileURL(out).href)) as CompiledModule, hash: r.hash };
}

const goodCheckpoint = (hash: string, n: number, epoch = 1): Checkpoint => ({
  specHash: hash, params: new Float32Array(n).fill(0.01), state: new Float32Array(0), optimizer: { kind: "sgd", slots: { velocity: new Float32Array(n) } }, epoch, step: epoch, rngState: [1, 2, 3, 4],
});

describe("divergence", () => {
  it("a huge lr stops training with the epoch, step and a hint, and leaves the saved checkpoint alone", async () => {
    const { mod } = await compiled(join(HOSTILE, "huge-lr.yaml"));
    const r = loadSpec(join(HOSTILE, "huge-lr.yaml"));
    if (!r.ok) throw new Error();
    const data = prepareData(r.spec.data!, { baseDir: HOSTILE, seed: 1 });
    const dir = tempDir("diverge");
    const save = join(dir, "ck.bin");
    // A good run first, with a sane lr.
    trainSync(mod, data, { epochs: 2, lr: 0.01, save });
    const before = readFileSync(save);
    const good = loadCheckpoint(save, mod.SPEC_HASH);
    let err: unknown;
    try {
      trainSync(mod, data, { resume: good, save, epochs: 50 });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DivergenceError);
    const d = err as DivergenceError;
    expect(d.epoch).toBeGreaterThan(2);
    expect(d.message).toMatch(/^training diverged at epoch \d+, step \d+: .*(NaN|Infinity).* — try a lower learning rate \(lr is 1e\+30\)$/);
    expect(readFileSync(save).equals(before)).toBe(true);
    expect(readdirSync(dir)).toEqual(["ck.bin"]);
    expect(Array.from(loadCheckpoint(save, mod.SPEC_HASH).params).every(Number.isFinite)).toBe(true);
  });

  it("a loss that goes non-finite on the test set counts as divergence too (no checkpoint of those weights)", async () => {
    const { mod } = await compiled(join(ROOT, "specs/iris.yaml"));
    const r = loadSpec(join(ROOT, "specs/iris.yaml"));
    if (!r.ok) throw new Error();
    const data = prepareData(r.spec.data!, { baseDir: join(ROOT, "specs"), seed: r.spec.seed });
    const dir = tempDir("diverge-test");
    const save = join(dir, "ck.bin");
    trainSync(mod, data, { epochs: 5, save });
    const before = readFileSync(save);
    // With lr 1e30 one step leaves finite but enormous weights: the test loss is NaN first.
    expect(() => trainSync(mod, data, { resume: loadCheckpoint(save, mod.SPEC_HASH), epochs: 6, lr: 1e30, save })).toThrow(
      /^training diverged at epoch 6, step 6: the test loss is NaN — try a lower learning rate/,
    );
    expect(readFileSync(save).equals(before)).toBe(true);
  });

  it("`netspec train` exits 1 with the message, and --save does not overwrite the resumed checkpoint", async () => {
    const dir = tempDir("diverge-cli");
    const first = await netspecInProcess(["train", join(ROOT, "specs/iris.yaml"), "--epochs", "5", "--save", join(dir, "good.ck")]);
    expect(first.status, first.stderr).toBe(0);
    const before = readFileSync(join(dir, "good.ck"));
    const [resumed, spec] = await Promise.all([
      netspec(["train", join(ROOT, "specs/iris.yaml"), "--epochs", "6", "--lr", "1e30", "--resume", "good.ck", "--save", "good.ck"], { cwd: dir }),
      netspec(["train", join(HOSTILE, "huge-lr.yaml"), "--save", "huge.ck"], { cwd: dir }),
    ]);
    expectUserError(resumed, /netspec: error: training diverged at epoch 6, step 6: the test loss is NaN — try a lower learning rate \(lr is 1e\+30\)/);
    expectUserError(spec, /netspec: error: training diverged at epoch \d+, step \d+: .* — try a lower learning rate \(lr is 1e\+30\)/);
    expect(readFileSync(join(dir, "good.ck")).equals(before)).toBe(true);
    expect(readdirSync(dir).sort()).toEqual(["good.ck"]);
  }, 30_000);
});

describe("checkpoints", () => {
  it("a process killed by SIGKILL in the middle of saves leaves a readable checkpoint", async () => {
    const dir = tempDir("sigkill");
    const file = join(dir, "ck.bin");
    for (const delay of [0, 100, 250]) {
      const child = spawn(process.execPath, ["--import", "tsx", join(HOSTILE, "checkpoint-writer.ts"), file, "3000000"], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
      let stderr = "";
      child.stderr.on("data", (b) => (stderr += b));
      await new Promise<void>((ready, fail) => {
        child.stdout.on("data", (b: Buffer) => b.toString().includes("ready") && ready());
        child.on("exit", () => fail(new Error(`writer exited early: ${stderr}`)));
      });
      const size0 = statSync(file).size;
      await new Promise((r) => setTimeout(r, delay));
      // Kill at the moment the next save touches the folder (creates its temp file, or, were
      // the save not atomic, truncates the checkpoint): the worst instant to die.
      const exited = new Promise((r) => child.on("exit", r));
      const watcher = watch(dir, () => child.kill("SIGKILL"));
      const fallback = setTimeout(() => child.kill("SIGKILL"), 3000);
      await exited;
      watcher.close();
      clearTimeout(fallback);
      // Whatever instant the kill hit, the file is a whole checkpoint: the first small one
      // or one of the big ones (a temp file may be left beside it; it is never read).
      const ck = loadCheckpoint(file, "reliability");
      expect([16, 3_000_000]).toContain(ck.params.length);
      expect(new Set(ck.params).size).toBe(1);
      for (const f of readdirSync(dir)) expect(f === "ck.bin" || /^ck\.bin\.tmp-\d+$/.test(f)).toBe(true);
      expect(size0).toBeGreaterThan(0);
    }
    // A later save still works beside any leftover temp file.
    saveCheckpoint(file, goodCheckpoint("reliability", 8));
    expect(loadCheckpoint(file, "reliability").params.length).toBe(8);
  }, 30_000);

  it("truncated, corrupted, foreign and non-checkpoint files are refused with clear errors", async () => {
    const { mod, hash } = await compiled(BLOBS);
    const dir = tempDir("ck-bad");
    const bytes = encodeCheckpoint(goodCheckpoint(hash, mod.PARAM_COUNT));
    const bad: Record<string, [Uint8Array | null, RegExp]> = {
      "empty.ck": [new Uint8Array(0), /not a netspec checkpoint/],
      "magic.ck": [bytes.subarray(0, 3), /not a netspec checkpoint/],
      "short.ck": [bytes.subarray(0, 10), /truncated checkpoint/],
      "header.ck": [bytes.subarray(0, 40), /truncated checkpoint \(header cut off\)/],
      "payload.ck": [bytes.subarray(0, bytes.length - 4 * mod.PARAM_COUNT), /truncated checkpoint \(\d+ of \d+ bytes\)/],
      "last-byte.ck": [bytes.subarray(0, bytes.length - 1), /truncated checkpoint/],
      "flipped.ck": [(() => { const b = bytes.slice(); b[b.length - 20]! ^= 0x40; return b; })(), /corrupted checkpoint \(checksum mismatch\)/],
      "json.ck": [(() => { const b = bytes.slice(); b[12] = 0x7d; return b; })(), /corrupted checkpoint/],
      "longer.ck": [new Uint8Array([...bytes, 0]), /corrupted checkpoint/],
      "version.ck": [(() => { const b = bytes.slice(); b[4] = 9; return b; })(), /checkpoint format v9/],
      "foreign.ck": [encodeCheckpoint(goodCheckpoint("0".repeat(64), mod.PARAM_COUNT)), /was saved from a different spec/],
      "yaml.ck": [readFileSync(BLOBS), /not a netspec checkpoint/],
    };
    for (const [name, [b]] of Object.entries(bad)) writeFileSync(join(dir, name), b!);
    mkdirSync(join(dir, "folder.ck"));
    bad["folder.ck"] = [null, /cannot read checkpoint: is a directory/];
    bad["missing.ck"] = [null, /checkpoint not found/];
    for (const [name, [, why]] of Object.entries(bad)) {
      const file = join(dir, name);
      let err: unknown;
      try {
        loadCheckpoint(file, { specHash: hash, paramCount: mod.PARAM_COUNT });
      } catch (e) {
        err = e;
      }
      expect(err, name).toBeInstanceOf(CheckpointError);
      expect((err as Error).message).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: `));
      expect((err as Error).message, name).toMatch(why);
    }
    // Another model's checkpoint with the same hash but another size.
    writeFileSync(join(dir, "size.ck"), encodeCheckpoint(goodCheckpoint(hash, 3)));
    expect(() => loadCheckpoint(join(dir, "size.ck"), { specHash: hash, paramCount: mod.PARAM_COUNT })).toThrow(/has 3 parameters; the model has \d+/);

    // Through the CLI: predict and train --resume, exit 1, one line, no stack.
    const csv = join(HOSTILE, "blobs.csv");
    const inProc = async (args: string[]) => netspecInProcess(args.map((a) => (a.endsWith(".ck") ? join(dir, a) : a)));
    const runs = await Promise.all([
      netspec(["predict", BLOBS, "--weights", "payload.ck", "--data", csv], { cwd: dir }),
      netspec(["train", BLOBS, "--resume", "flipped.ck", "--epochs", "1", "--save", "flipped.ck"], { cwd: dir }),
    ]);
    expectUserError(runs[0]!, /^netspec: error: payload\.ck: truncated checkpoint \(\d+ of \d+ bytes\)\n$/);
    expectUserError(runs[1]!, /^netspec: error: flipped\.ck: corrupted checkpoint \(checksum mismatch\)\n$/);
    expectUserError(await inProc(["predict", BLOBS, "--weights", "folder.ck", "--data", csv]), /^netspec: error: .*folder\.ck: cannot read checkpoint: is a directory\n$/);
    expectUserError(await inProc(["train", BLOBS, "--resume", "foreign.ck", "--epochs", "1"]), /^netspec: error: .*foreign\.ck: was saved from a different spec/);
    expectUserError(await inProc(["predict", BLOBS, "--weights", "yaml.ck", "--data", csv]), /^netspec: error: .*yaml\.ck: not a netspec checkpoint/);
    expect(readFileSync(join(dir, "flipped.ck")).equals(Buffer.from(bad["flipped.ck"]![0]!))).toBe(true);
  }, 30_000);

  it("random byte damage to a checkpoint is always a CheckpointError, never a crash", () => {
    const bytes = encodeCheckpoint({ ...goodCheckpoint("h", 64), best: { epoch: 1, loss: 0.5, params: new Float32Array(64), state: new Float32Array(0) } });
    let s = 12345;
    const rnd = (n: number) => ((s = (s * 1103515245 + 12345) >>> 0) % n);
    for (let i = 0; i < 2000; i++) {
      const b = bytes.slice(0, rnd(4) === 0 ? rnd(bytes.length) : bytes.length);
      for (let k = 1 + rnd(3); k > 0 && b.length; k--) b[rnd(b.length)] = rnd(256);
      try {
        const ck = decodeCheckpoint(b, "x.ck");
        expect(ck.params.length).toBe(64); // only an undamaged file decodes
      } catch (e) {
        expect(e).toBeInstanceOf(CheckpointError);
      }
    }
  });
});

describe("bad CSV data through `netspec train --data`", () => {
  it("each gives a line-numbered error, exit 1, no stack", async () => {
    const dir = tempDir("csv");
    const cases: [string, string, RegExp][] = [
      ["short.csv", "x,y,species\n1,2,red\n3,4\n", /short\.csv:3: expected 3 cells \(as in the header\), found 2/],
      ["long.csv", "x,y,species\n1,2,red\n3,4,green,9\n", /long\.csv:3: expected 3 cells/],
      ["missing.csv", "x,species\n1,red\n2,green\n", /missing\.csv:1: 1 feature column\(s\) \(x\) but the model expects 2 input\(s\)/],
      ["nolabel.csv", "x,y,kind\n1,2,red\n", /nolabel\.csv:1: no column named "species"/],
      ["nan.csv", "x,y,species\n1,2,red\n1,NaN,green\n", /nan\.csv:3: column "y": "NaN" is not a finite number/],
      ["empty-cell.csv", "x,y,species\n1,2,red\n,2,green\n", /empty-cell\.csv:3: empty cell in column "x"/],
      ["empty.csv", "", /empty\.csv:1: the file is empty/],
      ["header.csv", "x,y,species\n", /header\.csv:2: no data rows after the header/],
      ["huge-line.csv", `x,y,species\n1,2,red\n${"7".repeat(2 << 20)},1,red\n`, /huge-line\.csv:3: line is longer than \d+ characters/],
      ["quote.csv", 'x,y,species\n1,2,red\n3,4,"green\n5,6,red\n', /quote\.csv:3: unterminated quoted field/],
      ["binary.csv", `x,y,species\n1,2,red\n\0\u0001\u00ff"\u0002,3\n`, /binary\.csv:3: /],
      ["classes.csv", "x,y,species\n1,2,a\n3,4,b\n5,6,c\n7,8,d\n1,1,a\n", /classes\.csv \(train\): 4 classes but the model has 3 output\(s\)/],
    ];
    for (const [f, text] of cases) writeFileSync(join(dir, f), text, "latin1");
    copyFileSync(join(HOSTILE, "blobs.csv"), join(dir, "blobs.csv"));
    // In process for every file (absolute paths: the working folder is not changed), and a
    // few in real processes too.
    const results: Awaited<ReturnType<typeof netspec>>[] = [];
    for (const [f] of cases) results.push(await netspecInProcess(["train", BLOBS, "--data", join(dir, f), "--epochs", "1"]));
    cases.forEach(([, , why], i) => expectUserError(results[i]!, why));
    const picked = ["short.csv", "huge-line.csv", "nan.csv"];
    const spawned = await Promise.all(picked.map((f) => netspec(["train", BLOBS, "--data", f, "--epochs", "1"], { cwd: dir })));
    picked.forEach((f, i) => expectUserError(spawned[i]!, cases.find((c) => c[0] === f)![2]));
    for (const r of results) expect(r.stderr.split("\n").filter((l) => l.startsWith("netspec: error:"))).toHaveLength(1);
    // Unknown labels at prediction time: the model only knows the classes it was trained on.
    const trained = await netspecInProcess(["train", BLOBS, "--epochs", "1", "--save", join(dir, "ok.ck")]);
    expect(trained.status, trained.stderr).toBe(0);
    writeFileSync(join(dir, "unknown.csv"), "x,y,species\n1,2,red\n3,4,purple\n");
    const p = await netspecInProcess(["predict", BLOBS, "--weights", join(dir, "ok.ck"), "--data", join(dir, "unknown.csv")]);
    expectUserError(p, /unknown\.csv:3: unknown label "purple" \(the model knows: /);
    expect(existsSync(join(dir, "ok.ck"))).toBe(true);
  }, 60_000);
});

describe("spec check of the fixtures", () => {
  it("the hostile fixtures that should be valid are", () => {
    for (const f of ["blobs.yaml", "huge-lr.yaml"]) expect(checkSpec(readFileSync(join(HOSTILE, f), "utf8"), f).ok).toBe(true);
  });
});
