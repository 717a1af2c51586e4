// batch_norm: learnable γ (ones) and β (zeros), running mean (zeros) and variance (ones) as
// state, then the optional activation. γ and β are never penalized (Keras' and PyTorch's
// default: no regularizer on them).
import type { OpRef, LayerSpec } from "../../spec/types.ts";
import { passThrough, type LayerDef } from "../layer.ts";

export const BATCH_NORM_DEFAULTS = { momentum: 0.1, eps: 1e-5 } as const;

export const batch_norm: LayerDef<LayerSpec> = {
  name: "batch_norm",
  call: {
    args: ["tensor", "number", "number"],
    optional: 2,
    usage: "batch_norm(input, momentum?, eps?)",
    attrs: ([, momentum, eps], d) => ({
      ...passThrough("batch_norm", d),
      momentum: (momentum as number | undefined) ?? BATCH_NORM_DEFAULTS.momentum,
      eps: (eps as number | undefined) ?? BATCH_NORM_DEFAULTS.eps,
    }),
    check: ([, momentum, eps], input) => {
      if (input.shape[0] === 1) return { arg: -1, message: "batch_norm() needs train.batch ≥ 2: the variance of a batch of one row is 0" };
      if (momentum !== undefined && !((momentum as number) >= 0 && (momentum as number) <= 1)) return { arg: 1, message: `batch_norm(): momentum must be in [0, 1] (got ${momentum})` };
      if (eps !== undefined && !((eps as number) > 0)) return { arg: 2, message: `batch_norm(): eps must be a number > 0 (got ${eps})` };
      return undefined;
    },
  },
  lower: (ctx, [x], l) => {
    const n = ctx.value(x!).shape[1]!;
    const gamma = ctx.param("gamma", ctx.name("gamma"), [n], { kind: "ones" }, 0);
    const beta = ctx.param("beta", ctx.name("beta"), [n], { kind: "zeros" }, 0);
    const mean = ctx.state("running_mean", ctx.name("running_mean"), [n], "f32", 0);
    const variance = ctx.state("running_var", ctx.name("running_var"), [n], "f32", 1);
    const y = ctx.add("batch_norm", [x!, gamma, beta, mean, variance], { momentum: l.momentum!, eps: l.eps! }, ctx.name(l.activation.op === "identity" ? "h" : "bn"));
    return l.activation.op === "identity" ? y : ctx.add(l.activation.op, [y], l.activation.attrs as OpRef["attrs"], ctx.name("h"));
  },
  describe: (l, [x]) => `batch_norm over ${x!.shape[1]} (momentum ${l.momentum}, eps ${l.eps}), ${l.activation.op}`,
};
