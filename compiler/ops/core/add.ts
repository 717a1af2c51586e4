// a + b of equal shapes: sums gradient contributions where a value fans out, and loss terms.
import type { OpDef } from "../op.ts";
import { forEach } from "../loops.ts";

export const add: OpDef = {
  name: "add",
  shape: ([a, b]) =>
    a!.shape.join() === b!.shape.join() ? { shape: a!.shape, dtype: "f32" } : `cannot add [${a!.shape}] and [${b!.shape}]`,
  eval: ([a, b]) => a!.data.map((v, i) => v + b!.data[i]!),
  emit: ({ w, ins: [a, b], out, ref, rows }) => {
    forEach(w, out.batched ? rows : null, out.shape, (i) =>
      w.writeLine(`${ref(out)}[${i}] = ${ref(a!)}[${i}] + ${ref(b!)}[${i}];`),
    );
  },
  scalar: ([a, b]) => `${a} + ${b}`,
  grad: (_g, _node, dy) => [dy, dy],
  describe: (_n, [a, b], out) => `${out.name} = ${a!.name} + ${b!.name}`,
  flops: (_ins, out) => out.shape.reduce((x, y) => x * y, 1),
};

