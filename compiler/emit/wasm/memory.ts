// The wasm backend's linear memory: every arena of the buffer plan at a fixed byte address in
// one WebAssembly.Memory, so kernels address tensors by literal offsets and the TypeScript side
// reads the same bytes through typed-array views. Arenas start on 16-byte boundaries; slots
// inside them keep the plan's offsets (unaligned v128 loads are allowed, and cost the same on
// x86 unless they cross a cache line).

import type { Value } from "../../ir/types.ts";
import type { ArenaName, BufferPlan } from "../../plan.ts";
import type { ArenaAllocation } from "../module.ts";

/** Bytes after the last arena: partial vectors read up to 3 floats past a tensor's end. */
const PADDING = 16;
const PAGE = 65536;

/** `bytes` rounded up to a 16-byte boundary, where every arena and scratch buffer starts. */
export const align16 = (bytes: number): number => Math.ceil(bytes / 16) * 16;

export interface MemoryLayout {
  /** Byte address of each arena. */
  readonly base: Readonly<Record<ArenaName, number>>;
  /**
   * Byte address of the kernels' scratch region, after the arenas: what one kernel gathers
   * during its call (im2col's patches), dead when it returns, so all kernels share it.
   */
  readonly scratch: number;
  /** Byte address of a value's first element (values that have a slot). */
  readonly addr: (v: Value) => number;
}

export function layoutMemory(plan: BufferPlan, arenas: readonly ArenaAllocation[]): MemoryLayout {
  const base = {} as Record<ArenaName, number>;
  let bytes = 0;
  for (const a of arenas) {
    base[a.name] = bytes;
    bytes += align16(4 * a.length);
  }
  const addr = (v: Value) => {
    const slot = plan.slots[v.id];
    if (!slot) throw new Error(`internal: ${v.name} has no slot in the buffer plan`);
    return base[slot.arena] + 4 * slot.offset;
  };
  return { base, scratch: bytes, addr };
}

/** Size of the memory in 64 KiB pages for `bytes` of buffers (fixed: it never grows, so views stay valid). */
export const memoryPages = (bytes: number): number => Math.max(1, Math.ceil((bytes + PADDING) / PAGE));
