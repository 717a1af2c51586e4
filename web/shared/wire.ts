// Datasets on the wire between the server and the page: typed arrays as base64 of their
// bytes (little-endian, as every browser and Node here store them), the rest as JSON.
// Runtime types only, and no Node APIs: both sides import this file.

import type { Dataset } from "../../runtime/index.ts";

export interface WireDataset {
  readonly name: string;
  readonly rows: number;
  readonly inputSize: number;
  readonly targetSize: number;
  readonly classNames: readonly string[] | null;
  readonly features: string;
  readonly labels: string | null;
  readonly targets: string | null;
}

// Node's Buffer where there is one (the server encodes, and MNIST is 30 MB); atob/btoa otherwise.
const NodeBuffer = (globalThis as { Buffer?: typeof Buffer }).Buffer;

function toBase64(a: Float32Array | Int32Array): string {
  const bytes = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  if (NodeBuffer) return NodeBuffer.from(bytes).toString("base64");
  let text = "";
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}

function fromBase64(text: string): ArrayBuffer {
  const bin = atob(text);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return bytes.buffer;
}

export function encodeDataset(ds: Dataset): WireDataset {
  return {
    name: ds.name, rows: ds.rows, inputSize: ds.inputSize, targetSize: ds.targetSize, classNames: ds.classNames,
    features: toBase64(ds.features), labels: ds.labels && toBase64(ds.labels), targets: ds.targets && toBase64(ds.targets),
  };
}

export function decodeDataset(w: WireDataset): Dataset {
  return {
    name: w.name, rows: w.rows, inputSize: w.inputSize, targetSize: w.targetSize, classNames: w.classNames,
    features: new Float32Array(fromBase64(w.features)),
    labels: w.labels === null ? null : new Int32Array(fromBase64(w.labels)),
    targets: w.targets === null ? null : new Float32Array(fromBase64(w.targets)),
  };
}
