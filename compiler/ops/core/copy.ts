// A copy of a tensor: when one gradient value belongs to two parameters (a + b), each
// parameter's gradient needs its own slot in `grads`.
import type { OpDef } from "../op.ts";
import { forEach } from "../loops.ts";

export const copy: OpDef = {
  name: "copy",
  shape: ([x]) => ({ shape: x!.shape, dtype: x!.dtype, batched: x!.batched }),
  eval: ([x]) => x!.data.slice(),
  emit: ({ w, ins: [x], out, ref, rows }) => forEach(w, out.batched ? rows : null, out.shape, (i) => w.writeLine(`${ref(out)}[${i}] = ${ref(x!)}[${i}];`)),
  describe: (_n, [x], out) => `${out.name} = ${x!.name}`,
  flops: () => 0,
};
