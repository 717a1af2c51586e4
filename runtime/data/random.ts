// `data: { random: { rows, seed } }`: a data set with nothing to learn, for timing and for
// the material's numpy network: standard-normal inputs; standard-normal targets for a
// vector loss, or labels uniform over the outputs for a class loss.

import { Rng, mixSeed } from "../rng.ts";
import type { Dataset } from "./dataset.ts";

export interface RandomShape {
  readonly inputSize: number;
  readonly outputSize: number;
  readonly target: "class" | "vector";
}

export function randomDataset(rows: number, seed: number, shape: RandomShape): Dataset {
  const rng = new Rng(mixSeed(seed, 3));
  const features = Float32Array.from({ length: rows * shape.inputSize }, () => rng.normal());
  const isClass = shape.target === "class";
  return {
    name: `random (${rows} rows, seed ${seed})`,
    features,
    rows,
    inputSize: shape.inputSize,
    labels: isClass ? Int32Array.from({ length: rows }, () => rng.int(shape.outputSize)) : null,
    targets: isClass ? null : Float32Array.from({ length: rows * shape.outputSize }, () => rng.normal()),
    targetSize: isClass ? 0 : shape.outputSize,
    classNames: isClass ? Array.from({ length: shape.outputSize }, (_, k) => String(k)) : null,
  };
}
