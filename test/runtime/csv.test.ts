import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DataError, loadCsv, MAX_LINE_CHARS, parseCsv } from "../../runtime/data/index.ts";

const DATA = join(import.meta.dirname, "../fixtures/data");
const cls = (text: string, extra: object = {}) => parseCsv(text, { file: "d.csv", label: "y", ...extra });

/** The DataError message thrown by `f`. */
function err(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(DataError);
    return (e as Error).message;
  }
  throw new Error("expected a DataError");
}

describe("CSV parsing", () => {
  it("reads a classification file: features, sorted class names", () => {
    const ds = loadCsv(join(DATA, "blobs.csv"), { label: "species", display: "blobs.csv" });
    expect(ds.rows).toBe(60);
    expect(ds.inputSize).toBe(2);
    expect(ds.classNames).toEqual(["blue", "green", "red"]);
    expect(ds.labels?.slice(0, 3)).toEqual(Int32Array.from([2, 1, 0]));
    expect(ds.features[0]).toBeCloseTo(-0.154, 6);
    expect(ds.targets).toBeNull();
    expect(ds.name).toBe("blobs.csv");
  });

  it("reads a regression file with target columns", () => {
    const ds = loadCsv(join(DATA, "linear.csv"), { targets: ["y1", "y2"] });
    expect(ds.rows).toBe(40);
    expect(ds.inputSize).toBe(3);
    expect(ds.targetSize).toBe(2);
    expect(ds.labels).toBeNull();
    expect(ds.targets?.[0]).toBeCloseTo(0.272, 6);
  });

  it("handles RFC 4180 quotes, CRLF, blank lines and surrounding spaces", () => {
    const ds = loadCsv(join(DATA, "quoted.csv"), { label: "label" });
    expect(ds.rows).toBe(3);
    expect(Array.from(ds.features)).toEqual([1.5, 2, 3, 4.25, -0.01, 7].map(Math.fround));
    expect(ds.classNames).toEqual(['class "a"', "multi\nline", "plain"]);
    // The record after a two-line record starts on line 4.
    const bad = 'a,y\n1,"x\ny"\nfoo,z\n';
    expect(err(() => cls(bad))).toBe('d.csv:4: column "a": "foo" is not a number');
  });

  it("sorts numeric-looking labels numerically", () => {
    const ds = cls("a,y\n1,10\n2,9\n3,2\n4,10\n");
    expect(ds.classNames).toEqual(["2", "9", "10"]);
    expect(Array.from(ds.labels ?? [])).toEqual([2, 1, 0, 2]);
  });

  it("maps labels onto a given class list and rejects unknown ones", () => {
    const ds = cls("a,y\n1,b\n2,a\n", { classNames: ["b", "a", "c"] });
    expect(Array.from(ds.labels ?? [])).toEqual([0, 1]);
    expect(err(() => cls("a,y\n1,b\n2,zebra\n", { classNames: ["a", "b"] }))).toBe(
      'd.csv:3: unknown label "zebra" (the model knows: a, b)',
    );
  });

  it("allows a missing label column when asked (prediction input)", () => {
    const ds = cls("a,b\n1,2\n", { labelOptional: true });
    expect(ds.inputSize).toBe(2);
    expect(ds.labels).toBeNull();
  });

  it.each([
    ["empty file", "", "d.csv:1: the file is empty"],
    ["only blank lines", "\n\n  \n", "d.csv:1: the file is empty"],
    ["missing header", "1,2\n3,4\n", "d.csv:1: missing header row"],
    ["header only", "a,y\n", "d.csv:2: no data rows"],
    ["ragged row", "a,b,y\n1,2,x\n1,x\n", "d.csv:3: expected 3 cells (as in the header), found 2"],
    ["too many cells", "a,y\n1,x\n\n1,2,x\n", "d.csv:4: expected 2 cells (as in the header), found 3"],
    ["non-numeric cell", "a,y\n1,x\nabc,x\n", 'd.csv:3: column "a": "abc" is not a number'],
    ["NaN cell", "a,y\n1,x\nNaN,x\n", 'd.csv:3: column "a": "NaN" is not a finite number'],
    ["Infinity cell", "a,y\n-Infinity,x\n", 'd.csv:2: column "a": "-Infinity" is not a finite number'],
    ["empty cell", "a,b,y\n1,,x\n", 'd.csv:2: empty cell in column "b"'],
    ["float32 overflow", "a,y\n1e39,x\n", "out of float32 range"],
    ["empty label", "a,y\n1,x\n2, \n", 'd.csv:3: empty label in column "y"'],
    ["missing label column", "a,b\n1,2\n", 'd.csv:1: no column named "y" (columns: a, b)'],
    ["duplicate column", "a,a,y\n1,2,x\n", 'd.csv:1: duplicate column name "a"'],
    ["empty column name", "a,,y\n1,2,x\n", "d.csv:1: column 2 has an empty name"],
    ["unterminated quote", 'a,y\n1,x\n2,"oops\n', "d.csv:3: unterminated quoted field"],
    ["text after a quote", 'a,y\n1,"x"z\n', "d.csv:2: unexpected text after a closing quote"],
    ["quote inside a field", 'a,y\n1,x"z\n', "d.csv:2: a quote may only start a field"],
    ["only the label", "y\nx\n", "d.csv:1: no feature columns"],
  ])("reports %s with its line", (_name, text, message) => {
    expect(err(() => cls(text))).toContain(message);
  });

  it("reports a missing target column and a wrong feature count", () => {
    const t = (text: string, o: object) => parseCsv(text, { file: "r.csv", targets: ["t"], ...o });
    expect(err(() => t("a,b\n1,2\n", {}))).toBe('r.csv:1: no column named "t" (columns: a, b)');
    expect(err(() => t("a,b,t\n1,2,3\n", { inputSize: 4 }))).toBe(
      "r.csv:1: 2 feature column(s) (a, b) but the model expects 4 input(s)",
    );
  });

  it("caps very long lines", () => {
    const long = "a,y\n1,x\n" + "9".repeat(MAX_LINE_CHARS + 10) + ",x\n";
    expect(err(() => cls(long))).toMatch(/^d\.csv:3: line is longer than 1048576 characters/);
    const many = "a,y\n" + "1,".repeat(MAX_LINE_CHARS) + "x\n";
    expect(err(() => cls(many))).toMatch(/^d\.csv:2: line is longer/);
  });

  it("reports a missing file", () => {
    expect(err(() => loadCsv(join(DATA, "nope.csv"), { label: "y", display: "nope.csv" }))).toBe(
      "nope.csv: cannot read the data file (not found)",
    );
  });
});
