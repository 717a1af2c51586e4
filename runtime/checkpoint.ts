// Training checkpoints: everything needed to continue a run bit-exactly.
//
// Layout (little-endian):
//   "NSCK" | u32 version | u32 header bytes | JSON header (space-padded to 4 bytes)
//   | the float32 arrays the header lists by name and length, in that order: params, state,
//     optimizer.<slot>…, and with early stopping best.params, best.state
//   | u32 CRC-32 of every byte before it
// The JSON header holds the small things (spec hash, counters, RNG state, history, data
// preprocessing); the float payloads stay binary so weights round-trip exactly.
// Files are written to a temp name, fsynced and renamed, so a crash never leaves half a file.

import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from "node:fs";
import { dirname } from "node:path";

const MAGIC = "NSCK";
export const CHECKPOINT_VERSION = 2;

/** How the data was preprocessed, so prediction can do the same. */
export interface DataMeta {
  readonly classNames: readonly string[] | null;
  readonly mean: readonly number[] | null;
  readonly std: readonly number[] | null;
}

export interface Checkpoint {
  readonly specHash: string;
  readonly params: Float32Array;
  /** The model's state buffers (running statistics, …), laid out as its STATE says. */
  readonly state: Float32Array;
  /** The optimizer's name and its per-parameter slots (sgd: `velocity`; adam: `m`, `v`), same layout as params. */
  readonly optimizer: { readonly kind: string; readonly slots: Readonly<Record<string, Float32Array>> };
  /** Epochs completed. */
  readonly epoch: number;
  /** Optimizer steps completed. */
  readonly step: number;
  /** The shuffle RNG's state after `epoch` epochs. */
  readonly rngState: readonly number[];
  /** Early-stopping bookkeeping: the best monitored loss so far, its weights and state. */
  readonly best?: { readonly epoch: number; readonly loss: number; readonly params: Float32Array; readonly state: Float32Array } | null;
  /** Per-epoch metrics so far (plain JSON), so a resumed run reports the whole history. */
  readonly history?: readonly unknown[];
  readonly data?: DataMeta | null;
}

/** A checkpoint that cannot be used; the message says why and what to do. */
export class CheckpointError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CheckpointError";
  }
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 (IEEE, as in zip/PNG). */
export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function writeFloats(view: DataView, at: number, a: Float32Array): number {
  for (let i = 0; i < a.length; i++) view.setFloat32(at + 4 * i, a[i], true);
  return at + 4 * a.length;
}

function readFloats(view: DataView, at: number, n: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = view.getFloat32(at + 4 * i, true);
  return a;
}

/** The float arrays of a checkpoint, in file order, by name. */
function arraysOf(ck: Checkpoint): [string, Float32Array][] {
  const arrays: [string, Float32Array][] = [["params", ck.params], ["state", ck.state]];
  for (const [slot, a] of Object.entries(ck.optimizer.slots)) arrays.push([`optimizer.${slot}`, a]);
  if (ck.best) arrays.push(["best.params", ck.best.params], ["best.state", ck.best.state]);
  return arrays;
}

export function encodeCheckpoint(ck: Checkpoint): Uint8Array {
  const n = ck.params.length;
  const arrays = arraysOf(ck);
  for (const [name, a] of arrays) {
    const want = name.endsWith("state") ? ck.state.length : n;
    if (a.length !== want) throw new CheckpointError(`checkpoint buffer ${name} has ${a.length} elements, not ${want}`);
  }
  const header = {
    specHash: ck.specHash, paramCount: n, epoch: ck.epoch, step: ck.step,
    rngState: ck.rngState, optimizer: ck.optimizer.kind,
    arrays: arrays.map(([name, a]) => [name, a.length]),
    best: ck.best ? { epoch: ck.best.epoch, loss: ck.best.loss } : null,
    history: ck.history ?? [], data: ck.data ?? null,
  };
  let json = JSON.stringify(header);
  const enc = new TextEncoder();
  while (enc.encode(json).length % 4 !== 0) json += " ";
  const hb = enc.encode(json);
  const floats = arrays.reduce((sum, [, a]) => sum + a.length, 0);
  const bytes = new Uint8Array(12 + hb.length + 4 * floats + 4);
  const view = new DataView(bytes.buffer);
  bytes.set(enc.encode(MAGIC), 0);
  view.setUint32(4, CHECKPOINT_VERSION, true);
  view.setUint32(8, hb.length, true);
  bytes.set(hb, 12);
  let at = 12 + hb.length;
  for (const [, a] of arrays) at = writeFloats(view, at, a);
  view.setUint32(at, crc32(bytes.subarray(0, at)), true);
  return bytes;
}

const count = (x: unknown): boolean => Number.isSafeInteger(x) && (x as number) >= 0;
const list = (x: unknown, item: (v: unknown) => boolean): boolean => Array.isArray(x) && x.every(item);
const orNull = (x: unknown, ok: (v: unknown) => boolean): boolean => x === null || ok(x);
const isNumber = (v: unknown): boolean => typeof v === "number";

/**
 * Every header field has the type the loader relies on: a file can pass its checksum and still
 * have been written by something else (its metadata then reaches predict's class names).
 */
function wellFormed(h: unknown): boolean {
  if (typeof h !== "object" || h === null || Array.isArray(h)) return false;
  const f = h as Record<string, unknown>;
  const data = f.data as Record<string, unknown> | null | undefined;
  const best = f.best as Record<string, unknown> | null | undefined;
  return (
    typeof f.specHash === "string" && count(f.paramCount) && count(f.epoch) && count(f.step) && typeof f.optimizer === "string" &&
    list(f.rngState, isNumber) && list(f.history, () => true) &&
    list(f.arrays, (e) => Array.isArray(e) && e.length === 2 && typeof e[0] === "string" && count(e[1])) &&
    (best === null || best === undefined || (typeof best === "object" && count(best.epoch) && isNumber(best.loss))) &&
    (data === null || data === undefined ||
      (typeof data === "object" && orNull(data.classNames ?? null, (v) => list(v, (s) => typeof s === "string")) &&
        orNull(data.mean ?? null, (v) => list(v, isNumber)) && orNull(data.std ?? null, (v) => list(v, isNumber))))
  );
}

/** Decodes and checks a checkpoint; `file` names it in messages. */
export function decodeCheckpoint(bytes: Uint8Array, file: string): Checkpoint & { readonly paramCount: number } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 4 || new TextDecoder().decode(bytes.subarray(0, 4)) !== MAGIC) {
    throw new CheckpointError(`${file}: not a netspec checkpoint (bad magic bytes)`);
  }
  if (bytes.length < 16) throw new CheckpointError(`${file}: truncated checkpoint (${bytes.length} bytes)`);
  const version = view.getUint32(4, true);
  if (version !== CHECKPOINT_VERSION) {
    throw new CheckpointError(`${file}: checkpoint format v${version}; this netspec reads v${CHECKPOINT_VERSION}`);
  }
  const hlen = view.getUint32(8, true);
  if (12 + hlen + 4 > bytes.length) throw new CheckpointError(`${file}: truncated checkpoint (header cut off)`);
  let header: {
    specHash: string; paramCount: number; epoch: number; step: number; rngState: number[]; optimizer: string;
    arrays: [string, number][]; best: { epoch: number; loss: number } | null; history: unknown[]; data: DataMeta | null;
  };
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + hlen)));
  } catch {
    throw new CheckpointError(`${file}: corrupted checkpoint (unreadable header)`);
  }
  if (!wellFormed(header)) throw new CheckpointError(`${file}: corrupted checkpoint (bad header)`);
  const floats = header.arrays.reduce((sum, [, length]) => sum + length, 0);
  const expected = 12 + hlen + 4 * floats + 4;
  if (bytes.length < expected) {
    throw new CheckpointError(`${file}: truncated checkpoint (${bytes.length} of ${expected} bytes)`);
  }
  const end = expected - 4;
  if (bytes.length !== expected || view.getUint32(end, true) !== crc32(bytes.subarray(0, end))) {
    throw new CheckpointError(`${file}: corrupted checkpoint (checksum mismatch)`);
  }
  const arrays = new Map<string, Float32Array>();
  let at = 12 + hlen;
  for (const [name, length] of header.arrays) {
    arrays.set(name, readFloats(view, at, length));
    at += 4 * length;
  }
  const array = (name: string): Float32Array => {
    const a = arrays.get(name);
    if (!a) throw new CheckpointError(`${file}: corrupted checkpoint (no ${name})`);
    return a;
  };
  const slots = Object.fromEntries([...arrays].filter(([name]) => name.startsWith("optimizer.")).map(([name, a]) => [name.slice(10), a]));
  const best = header.best ? { ...header.best, params: array("best.params"), state: array("best.state") } : null;
  return {
    specHash: header.specHash, paramCount: header.paramCount, params: array("params"), state: array("state"),
    optimizer: { kind: header.optimizer, slots }, epoch: header.epoch, step: header.step, rngState: header.rngState,
    best, history: header.history, data: header.data,
  };
}

/** Writes atomically: temp file in the same directory, fsync, rename (then fsync the dir). */
export function saveCheckpoint(file: string, ck: Checkpoint): void {
  const bytes = encodeCheckpoint(ck);
  const tmp = `${file}.tmp-${process.pid}`;
  try {
    const fd = openSync(tmp, "w");
    try {
      writeSync(fd, bytes);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
  } catch (e) {
    // Cleanup is best effort: in a path that cannot be written, removing can fail too (ENOTDIR).
    try { rmSync(tmp, { force: true }); } catch { /* ignore */ }
    throw new CheckpointError(`${file}: cannot write checkpoint: ${(e as Error).message}`);
  }
  try {
    // Makes the rename itself durable; not possible on every platform, so best effort.
    const dfd = openSync(dirname(file), "r");
    try { fsyncSync(dfd); } finally { closeSync(dfd); }
  } catch { /* ignore */ }
}

export interface ExpectedModel {
  readonly specHash: string;
  readonly paramCount?: number;
  /** The spec's optimizer (TRAINING.optimizer.kind): a checkpoint of another is refused, naming both. */
  readonly optimizer?: string;
}

/** Reads a checkpoint and checks it belongs to `expected` (a module's SPEC_HASH/PARAM_COUNT). */
export function loadCheckpoint(file: string, expected: string | ExpectedModel | null): Checkpoint {
  if (!existsSync(file)) throw new CheckpointError(`${file}: checkpoint not found`);
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === "EISDIR" ? "is a directory" : code === "EACCES" ? "permission denied" : (e as Error).message;
    throw new CheckpointError(`${file}: cannot read checkpoint: ${why}`);
  }
  const ck = decodeCheckpoint(bytes, file);
  const exp: ExpectedModel | null = typeof expected === "string" ? { specHash: expected } : expected;
  // Before the spec hash: another optimizer is another spec too, and this says what changed.
  if (exp?.optimizer !== undefined && ck.optimizer.kind !== exp.optimizer) {
    throw new CheckpointError(`${file}: checkpoint was saved with ${ck.optimizer.kind}, but the spec's optimizer is ${exp.optimizer}`);
  }
  if (exp && ck.specHash !== exp.specHash) {
    throw new CheckpointError(
      `${file}: was saved from a different spec (hash ${ck.specHash}); this spec is ${exp.specHash}`,
    );
  }
  if (exp?.paramCount !== undefined && ck.paramCount !== exp.paramCount) {
    throw new CheckpointError(`${file}: has ${ck.paramCount} parameters; the model has ${exp.paramCount}`);
  }
  return ck;
}
