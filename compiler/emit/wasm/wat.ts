// The WebAssembly text of a module's kernels: one commented function per kernel, named after
// its spec layer, over one memory that holds every buffer. This text is checked in next to
// the module (generated/<name>.wat) and is exactly what is assembled into it.

import { CodeBlockWriter } from "ts-morph";
import type { ArenaAllocation } from "../module.ts";
import type { Kernel } from "./kernels.ts";
import type { MemoryLayout } from "./memory.ts";

export function writeWat(header: readonly string[], arenas: readonly ArenaAllocation[], memory: MemoryLayout & { readonly pages: number }, kernels: readonly Kernel[]): string {
  const w = new CodeBlockWriter({ indentNumberOfSpaces: 2 });
  for (const line of header) w.writeLine(`;; ${line}`);
  w.write("(module").indent(() => {
    const scratch = Math.max(0, ...kernels.map((k) => k.scratchBytes));
    w.writeLine(`;; Every buffer of the plan, at these byte addresses: ${arenas.map((a) => `${a.name} @${memory.base[a.name]}`).join(", ")}.`);
    if (scratch) w.writeLine(`;; The kernels' scratch (each kernel's, during its call only): ${scratch} bytes @${memory.scratch}.`);
    w.writeLine(`;; Its size is fixed (${memory.pages} × 64 KiB): it never grows, so the module's typed-array views stay valid.`);
    w.writeLine(`(memory (export "memory") ${memory.pages} ${memory.pages})`);
    for (const k of kernels) {
      w.blankLine();
      for (const c of k.comments) w.writeLine(`;; ${c}`);
      w.write(`(func $${k.name} (export "${k.name}")`).indent(() => {
        w.writeLine(k.locals.map((l) => `(local ${l})`).join(" "));
        for (const line of k.body.trimEnd().split("\n")) w.writeLine(line);
      });
      w.writeLine(")");
    }
  });
  w.writeLine(")");
  return w.toString();
}
