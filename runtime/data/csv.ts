// CSV datasets: a header row, then one sample per record. The label column (classification)
// or the target columns (regression) are named in the spec; every other column is a feature.
//
// Class indices are the SORTED unique labels (like sklearn's LabelEncoder), so they do not
// depend on row order: numerically when every label looks like a number ("2" < "10"),
// otherwise by code unit. When the caller passes `classNames` (prediction with a trained
// model), labels map onto that list and an unknown label is an error.
//
// Quoting follows RFC 4180: a quoted field may hold commas, newlines and doubled quotes.
// Blank lines are skipped. Errors name the file and the record's first line.

import { readFileSync, statSync } from "node:fs";
import { DataError, type Dataset } from "./dataset.ts";

export interface CsvOptions {
  /** Shown in messages and used as the dataset name. */
  readonly file: string;
  /** Classification: the label column. */
  readonly label?: string | null;
  /** Regression: the target columns. */
  readonly targets?: readonly string[] | null;
  /** When true, a missing label/target column is allowed (prediction input). */
  readonly labelOptional?: boolean;
  /** The class list of a trained model; labels outside it are errors. */
  readonly classNames?: readonly string[] | null;
  /** The model's input size; a different feature count is an error. */
  readonly inputSize?: number | null;
}

/** One record is capped so a binary or runaway file fails fast with a clear message. */
export const MAX_LINE_CHARS = 1 << 20;
const MAX_FILE_BYTES = 1 << 30;
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

interface CsvRecord {
  readonly line: number;
  readonly cells: string[];
}

/** Splits text into records (RFC 4180 quotes), remembering each record's first line. */
export function parseRecords(text: string, file: string): CsvRecord[] {
  const out: CsvRecord[] = [];
  const n = text.length;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0; // skip a UTF-8 BOM
  let line = 1;
  while (i < n) {
    const start = line, startPos = i;
    const cells: string[] = [];
    let blank = true;
    // One record: cells until an unquoted newline or the end of the text.
    for (;;) {
      let cell: string;
      let j = i;
      while (j < n && (text[j] === " " || text[j] === "\t")) j++;
      if (text[j] === '"') {
        // Quoted cell: "" is an escaped quote; newlines inside belong to the cell.
        blank = false;
        let k = j + 1;
        cell = "";
        for (;;) {
          const q = text.indexOf('"', k);
          if (q < 0) throw new DataError(`${file}:${start}: unterminated quoted field`);
          cell += text.slice(k, q);
          if (text[q + 1] === '"') { cell += '"'; k = q + 2; } else { k = q + 1; break; }
        }
        for (let m = j; m < k; m++) if (text[m] === "\n") line++;
        while (k < n && (text[k] === " " || text[k] === "\t")) k++;
        if (k < n && text[k] !== "," && text[k] !== "\n" && text[k] !== "\r") {
          throw new DataError(`${file}:${line}: unexpected text after a closing quote`);
        }
        i = k;
      } else {
        let k = i;
        while (k < n) {
          const c = text.charCodeAt(k);
          if (c === 44 || c === 10 || c === 13) break; // , \n \r
          if (c === 34) throw new DataError(`${file}:${line}: a quote may only start a field`);
          k++;
        }
        cell = text.slice(i, k);
        if (cell.trim() !== "" || cells.length > 0) blank = false;
        i = k;
      }
      cells.push(cell);
      if (i - startPos > MAX_LINE_CHARS) {
        throw new DataError(`${file}:${start}: line is longer than ${MAX_LINE_CHARS} characters (is this a CSV file?)`);
      }
      if (i < n && text.charCodeAt(i) === 44) { i++; blank = false; continue; }
      break;
    }
    // End of record: consume one newline (\n, \r\n or \r).
    if (i < n) {
      if (text[i] === "\r" && text[i + 1] === "\n") i++;
      i++;
      line++;
    }
    if (!blank) out.push({ line: start, cells });
  }
  return out;
}

function compareLabels(a: string, b: string, numeric: boolean): number {
  if (numeric) return Number(a) - Number(b);
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Parses CSV text into a dataset; see the file comment for the rules. */
export function parseCsv(text: string, opts: CsvOptions): Dataset {
  const file = opts.file;
  const records = parseRecords(text, file);
  if (records.length === 0) throw new DataError(`${file}:1: the file is empty (expected a header row and data)`);
  const header = records[0].cells.map((h) => h.trim());
  const hl = records[0].line;
  if (header.every((h) => NUMBER.test(h))) {
    throw new DataError(`${file}:${hl}: missing header row: the first line looks like data; add a line of column names`);
  }
  const seen = new Map<string, number>();
  header.forEach((h, c) => {
    if (h === "") throw new DataError(`${file}:${hl}: column ${c + 1} has an empty name`);
    if (seen.has(h)) throw new DataError(`${file}:${hl}: duplicate column name "${h}"`);
    seen.set(h, c);
  });
  const need = (name: string): number | null => {
    const c = seen.get(name);
    if (c !== undefined) return c;
    if (opts.labelOptional) return null;
    throw new DataError(`${file}:${hl}: no column named "${name}" (columns: ${header.join(", ")})`);
  };
  const labelCol = opts.label ? need(opts.label) : null;
  const targetCols = opts.targets ? opts.targets.map(need) : null;
  const hasTargets = targetCols !== null && targetCols.every((c) => c !== null);
  const skip = new Set<number>([labelCol ?? -1, ...(targetCols ?? []).map((c) => c ?? -1)]);
  // Even when a target column is absent for prediction, the others are not features.
  const featCols = header.map((_, c) => c).filter((c) => !skip.has(c));
  if (featCols.length === 0) throw new DataError(`${file}:${hl}: no feature columns left after the label/targets`);
  if (opts.inputSize != null && featCols.length !== opts.inputSize) {
    throw new DataError(
      `${file}:${hl}: ${featCols.length} feature column(s) (${featCols.map((c) => header[c]).join(", ")}) but the model expects ${opts.inputSize} input(s)`,
    );
  }

  const data = records.slice(1);
  if (data.length === 0) throw new DataError(`${file}:${hl + 1}: no data rows after the header`);
  const rows = data.length, nf = featCols.length;
  const features = new Float32Array(rows * nf);
  const nt = hasTargets ? targetCols.length : 0;
  const targets = hasTargets ? new Float32Array(rows * nt) : null;
  const rawLabels: string[] = [];
  const num = (rec: CsvRecord, c: number): number => {
    const s = rec.cells[c].trim();
    if (s === "") throw new DataError(`${file}:${rec.line}: empty cell in column "${header[c]}"`);
    if (!NUMBER.test(s)) {
      const why = /^[+-]?(nan|inf(inity)?)$/i.test(s) ? "is not a finite number" : "is not a number";
      throw new DataError(`${file}:${rec.line}: column "${header[c]}": ${JSON.stringify(s)} ${why}`);
    }
    const v = Number(s);
    if (!Number.isFinite(v) || Math.abs(v) > 3.4e38) {
      throw new DataError(`${file}:${rec.line}: column "${header[c]}": ${s} is out of float32 range`);
    }
    return v;
  };
  for (let r = 0; r < rows; r++) {
    const rec = data[r];
    if (rec.cells.length !== header.length) {
      throw new DataError(`${file}:${rec.line}: expected ${header.length} cells (as in the header), found ${rec.cells.length}`);
    }
    for (let j = 0; j < nf; j++) features[r * nf + j] = num(rec, featCols[j]);
    if (targets && targetCols) for (let j = 0; j < nt; j++) targets[r * nt + j] = num(rec, targetCols[j] as number);
    if (labelCol !== null) {
      const s = rec.cells[labelCol].trim();
      if (s === "") throw new DataError(`${file}:${rec.line}: empty label in column "${header[labelCol]}"`);
      rawLabels.push(s);
    }
  }

  let labels: Int32Array | null = null;
  let classNames: string[] | null = null;
  if (labelCol !== null) {
    if (opts.classNames) {
      classNames = [...opts.classNames];
    } else {
      const uniq = [...new Set(rawLabels)];
      const numeric = uniq.every((s) => NUMBER.test(s));
      classNames = uniq.sort((a, b) => compareLabels(a, b, numeric));
    }
    const index = new Map(classNames.map((c, i) => [c, i]));
    labels = new Int32Array(rows);
    for (let r = 0; r < rows; r++) {
      const k = index.get(rawLabels[r]);
      if (k === undefined) {
        throw new DataError(
          `${file}:${data[r].line}: unknown label ${JSON.stringify(rawLabels[r])} (the model knows: ${classNames.join(", ")})`,
        );
      }
      labels[r] = k;
    }
  }
  return {
    name: file, features, rows, inputSize: nf, labels, targets,
    targetSize: nt, classNames,
  };
}

/** Reads and parses a CSV file; `display` is the name used in messages. */
export function loadCsv(path: string, opts: Omit<CsvOptions, "file"> & { display?: string }): Dataset {
  const file = opts.display ?? path;
  let size: number;
  try {
    size = statSync(path).size;
  } catch {
    throw new DataError(`${file}: cannot read the data file (not found)`);
  }
  if (size > MAX_FILE_BYTES) throw new DataError(`${file}: the file is larger than 1 GiB`);
  return parseCsv(readFileSync(path, "utf8"), { ...opts, file });
}
