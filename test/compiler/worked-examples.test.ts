// The worked examples of backpropagation through their generated modules: set the inputs
// and parameters, run forward and backward, read the output, ∂f/∂params and ∂f/∂inputs.
import { describe, expect, it } from "vitest";
import * as addMul from "../../generated/add_mul.ts";
import * as price from "../../generated/price.ts";
import * as sigmoidNeuron from "../../generated/sigmoid_neuron.ts";
import type { CompiledModule } from "../../runtime/module.ts";
import { gradGoldens } from "../fixtures/grad-golden.ts";

const modules: Record<string, CompiledModule> = {
  "specs/add_mul.yaml": addMul,
  "specs/price.yaml": price,
  "specs/sigmoid_neuron.yaml": sigmoidNeuron,
};

/** `x=-2,y=5` and `w=2,-3,-3` → name → values (a comma before `name=` starts the next one). */
const point = (args: readonly string[]) =>
  Object.fromEntries(args.flatMap((a) => a.split(/,(?=[A-Za-z_]\w*=)/)).map((kv) => {
    const [name, values] = kv.split("=") as [string, string];
    return [name, values.split(",").map(Number)];
  }));

describe("the worked examples, through the generated modules", () => {
  it.each(gradGoldens)("$spec", (golden) => {
    const mod = modules[golden.spec]!;
    const model = mod.createModel();
    model.init(0);
    for (const [name, values] of Object.entries(point(golden.at))) {
      const param = mod.PARAMS.find((p) => p.name === name);
      if (param) model.params.set(values, param.offset);
      else model.inputs[name]!.set(values);
    }
    model.forward();
    expect(model.loss()).toBeCloseTo(golden.value, Math.min(golden.digits, 5));
    model.backward();
    for (const [name, expected] of Object.entries(golden.grads)) {
      const param = mod.PARAMS.find((p) => p.name === name);
      const grad = param ? model.grads.subarray(param.offset, param.offset + param.size) : model.inputGrads[name];
      if (grad === undefined) continue; // a node: its gradient is not kept in the module
      expect([...grad].length).toBe(expected.length);
      expected.forEach((g, i) => expect(grad[i]).toBeCloseTo(g, Math.min(golden.digits, 4)));
    }
    // Inputs keep their gradients only when the spec has no loss, as here.
    expect(Object.keys(model.inputGrads).sort()).toEqual(mod.INPUTS.map((p) => p.name).sort());
  });
});
