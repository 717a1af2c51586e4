import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  CheckpointError, crc32, loadCheckpoint, saveCheckpoint, type Checkpoint,
} from "../../runtime/checkpoint.ts";

const dir = mkdtempSync(join(tmpdir(), "netspec-ck-"));
const sample = (best = true): Checkpoint => ({
  specHash: "abc123",
  params: Float32Array.from([1.5, -2.25, 3e-8, Math.PI, -0]),
  state: Float32Array.from([0.25, 4]),
  optimizer: { kind: "sgd", slots: { velocity: Float32Array.from([0.1, 0.2, 0.3, 0.4, 0.5]) } },
  epoch: 7, step: 140, rngState: [1, -2, 3, 2147483647],
  best: best ? { epoch: 5, loss: 0.123456789, params: Float32Array.from([9, 8, 7, 6, 5]), state: Float32Array.from([1, 2]) } : null,
  history: [{ epoch: 1, loss: 0.5 }],
  data: { classNames: ["a", "b"], mean: [0.1], std: [1.7] },
});

function ckError(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(CheckpointError);
    return (e as Error).message;
  }
  throw new Error("expected a CheckpointError");
}

describe("checkpoints", () => {
  it("crc32 matches the standard check value", () => {
    expect(crc32(new TextEncoder().encode("123456789"))).toBe(0xcbf43926);
  });

  it("round-trips every field bit-exactly", () => {
    for (const best of [true, false]) {
      const file = join(dir, `rt-${best}.nsck`);
      const ck = sample(best);
      saveCheckpoint(file, ck);
      const back = loadCheckpoint(file, "abc123");
      expect(back.params).toEqual(ck.params);
      expect(Object.is(back.params[4], -0)).toBe(true);
      expect(back.state).toEqual(ck.state);
      expect(back.optimizer).toEqual(ck.optimizer);
      expect([back.epoch, back.step, back.rngState]).toEqual([7, 140, [1, -2, 3, 2147483647]]);
      expect(back.best ?? null).toEqual(ck.best);
      expect(back.history).toEqual(ck.history);
      expect(back.data).toEqual(ck.data);
      expect(readFileSync(file).subarray(0, 4).toString()).toBe("NSCK");
    }
  });

  it("writes atomically and leaves no temp file", () => {
    const file = join(dir, "atomic.nsck");
    saveCheckpoint(file, sample());
    saveCheckpoint(file, { ...sample(), epoch: 8 });
    expect(loadCheckpoint(file, null).epoch).toBe(8);
    expect(readdirSync(dir).filter((f) => f.includes(".tmp-"))).toEqual([]);
    // A failed write (missing directory) reports cleanly and leaves nothing behind.
    expect(ckError(() => saveCheckpoint(join(dir, "no/such/dir.nsck"), sample()))).toMatch(/cannot write checkpoint/);
  });

  it("rejects a missing file, a foreign file, truncation and corruption", () => {
    const file = join(dir, "good.nsck");
    saveCheckpoint(file, sample());
    const bytes = readFileSync(file);
    expect(ckError(() => loadCheckpoint(join(dir, "missing.nsck"), null))).toMatch(/missing\.nsck: checkpoint not found$/);

    const foreign = join(dir, "foreign.nsck");
    writeFileSync(foreign, "hello world, not a checkpoint");
    expect(ckError(() => loadCheckpoint(foreign, null))).toMatch(/not a netspec checkpoint/);
    writeFileSync(foreign, "");
    expect(ckError(() => loadCheckpoint(foreign, null))).toMatch(/not a netspec checkpoint/);

    const cut = join(dir, "cut.nsck");
    for (const n of [10, 40, bytes.length - 9, bytes.length - 1]) {
      writeFileSync(cut, bytes.subarray(0, n));
      expect(ckError(() => loadCheckpoint(cut, null))).toMatch(/truncated checkpoint|corrupted/);
    }
    writeFileSync(cut, bytes.subarray(0, bytes.length - 9));
    expect(ckError(() => loadCheckpoint(cut, null))).toMatch(/truncated checkpoint \(\d+ of \d+ bytes\)/);

    const bad = join(dir, "flipped.nsck");
    const flipped = Buffer.from(bytes);
    flipped[flipped.length - 20] ^= 0x01; // inside a float payload
    writeFileSync(bad, flipped);
    expect(ckError(() => loadCheckpoint(bad, null))).toBe(`${bad}: corrupted checkpoint (checksum mismatch)`);
  });

  it("rejects a checkpoint of another spec or another parameter count", () => {
    const file = join(dir, "other.nsck");
    saveCheckpoint(file, sample());
    expect(ckError(() => loadCheckpoint(file, "def456"))).toBe(
      `${file}: was saved from a different spec (hash abc123); this spec is def456`,
    );
    expect(ckError(() => loadCheckpoint(file, { specHash: "abc123", paramCount: 6 }))).toBe(
      `${file}: has 5 parameters; the model has 6`,
    );
  });
});
