// What the compiler cannot know from a spec alone, measured from the spec's data set: which
// inputs are mostly zeros. Products over such an input gather each row pair's nonzero steps
// first (MNIST pixels are 81% zeros: over twice as fast); on dense data that gather is pure
// overhead (iris: 35% slower), so the choice rests on the data, not on the kind of value.

import { dirname } from "node:path";
import { DataError, loadData, zeroFraction } from "../../runtime/index.ts";
import type { CompileOptions } from "../compile.ts";
import type { Spec } from "../spec/types.ts";

/** At least this fraction of zeros makes an input sparse. */
export const SPARSE_INPUT_ZEROS = 0.5;

/** Compile options from the data the spec names (none when it names none, or it cannot be read). */
export function measureData(spec: Spec, specFile: string): CompileOptions {
  const inputs = spec.graph ? spec.graph.inputs.map((t) => t.name) : ["x"];
  // Data rows feed a single input; a spec with several inputs is fed by the user.
  if (!spec.data || inputs.length !== 1) return {};
  try {
    const ds = loadData(spec.data, { baseDir: dirname(specFile) });
    return zeroFraction(ds) >= SPARSE_INPUT_ZEROS ? { sparseInputs: inputs } : {};
  } catch (e) {
    if (e instanceof DataError) return {}; // train reports unreadable data; compiling does not need it
    throw e;
  }
}
