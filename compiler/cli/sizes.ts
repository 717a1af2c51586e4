// The size cap: a spec whose buffers would exceed it is refused before any code is written
// or any buffer allocated. Sizes come from the buffer plan (numbers only, nothing allocated).

import { LineCounter, parseDocument } from "yaml";
import { autodiff } from "../autodiff.ts";
import { fuse } from "../fuse.ts";
import { lower } from "../lower.ts";
import { plan } from "../plan.ts";
import type { Diagnostic } from "../spec/index.ts";
import type { Spec } from "../spec/types.ts";

/** 1 GiB of float32 buffers. */
export const DEFAULT_MAX_BYTES = 2 ** 30;

/** The bytes of every buffer the compiled module would allocate (the plan of the fused graph). */
export function bufferBytes(spec: Spec): number {
  const arenas = plan(fuse(autodiff(lower(spec)))).arenas;
  return Object.values(arenas).reduce((a, b) => a + b, 0) * 4;
}

export function checkSizes(spec: Spec, file: string, source: string, maxBytes: number): Diagnostic[] {
  const bytes = bufferBytes(spec);
  if (bytes <= maxBytes) return [];
  // Point at the batch size: with the widths, it is what sets the size of every buffer.
  const lineCounter = new LineCounter();
  const node = parseDocument(source, { lineCounter }).getIn(["train", "batch"], true) as { range?: [number] } | undefined;
  const pos = lineCounter.linePos(node?.range?.[0] ?? 0);
  const mib = (n: number) => `${(n / 2 ** 20).toFixed(n < 2 ** 20 ? 3 : 0)} MiB`;
  return [
    {
      file,
      line: pos.line,
      col: pos.col,
      message: `the model's buffers would take ${mib(bytes)}, over the ${mib(maxBytes)} cap; use smaller layers or batch, or raise the cap with --max-bytes`,
    },
  ];
}
