// The data section of a spec, normalized: what the runtime loads. It lives here, on the
// runtime side, because the runtime imports nothing from the compiler; the compiler's
// normalized Spec refers to it.

export type DataSpec = (
  | { readonly kind: "builtin"; readonly builtin: "iris" | "mnist" }
  /** Standard-normal inputs (and targets, or uniform labels), generated from a seed. */
  | { readonly kind: "random"; readonly rows: number; readonly seed: number }
  | {
      readonly kind: "csv";
      readonly csv: string;
      /** Classification: the column holding the class label. */
      readonly label: string | null;
      /** Regression: the columns holding the targets. */
      readonly targets: readonly string[] | null;
    }
) & {
  readonly test_split: number;
  readonly stratified: boolean;
  readonly standardize: boolean;
  /** builtin mnist only: how many of the package's digits to use (max 10000). */
  readonly limit: number | null;
};
