// The worked examples' graphs, from their specs in specs/ (what the tests of grad and draw use).
import type { TrainGraph } from "../../compiler/ir/types.ts";
import { differentiate } from "../../compiler/cli/point.ts";
import { loadSpec } from "../../compiler/spec/index.ts";

function specGraph(file: string): TrainGraph {
  const loaded = loadSpec(file);
  if (!loaded.ok) throw new Error(`${file} should be valid`);
  return differentiate(loaded.spec);
}

/** f = (x + y)·z */
export const addMul = (): TrainGraph => specGraph("specs/add_mul.yaml");
