// An OnnxGraph as the bytes of a standard ONNX ModelProto, with onnx-proto (the ONNX schema
// compiled by protobufjs). Weights go into raw_data: little-endian, as the format specifies.

import onnxProto, { type onnx as proto } from "onnx-proto";
import { BATCH_DIM, OPSET, type OnnxGraph, type OnnxPort, type OnnxTensor } from "./onnx-graph.ts";
import type { OnnxAttr } from "./rule.ts";

const { onnx } = onnxProto;

/** The IR version that goes with opset 17 (ONNX 1.12). */
const IR_VERSION = 8;

export interface ModelInfo {
  readonly producerVersion: string;
  readonly doc: string;
  /** Key/value pairs for the model's metadata_props (class names, spec hash, …). */
  readonly metadata: Readonly<Record<string, string>>;
}

function rawData(t: OnnxTensor): Uint8Array {
  const bytes = new Uint8Array(t.values.length * (t.type === "float" ? 4 : 8));
  const view = new DataView(bytes.buffer);
  t.values.forEach((x, i) => (t.type === "float" ? view.setFloat32(4 * i, x, true) : view.setBigInt64(8 * i, BigInt(x), true)));
  return bytes;
}

const tensor = (t: OnnxTensor): proto.ITensorProto => ({
  name: t.name,
  dataType: t.type === "float" ? onnx.TensorProto.DataType.FLOAT : onnx.TensorProto.DataType.INT64,
  dims: [...t.dims],
  rawData: rawData(t),
});

function attribute(name: string, a: OnnxAttr): proto.IAttributeProto {
  const type = onnx.AttributeProto.AttributeType;
  if ("float" in a) return { name, type: type.FLOAT, f: a.float };
  if ("int" in a) return { name, type: type.INT, i: a.int };
  return { name, type: type.INTS, ints: [...a.ints] };
}

const valueInfo = (p: OnnxPort): proto.IValueInfoProto => ({
  name: p.name,
  type: {
    tensorType: {
      elemType: onnx.TensorProto.DataType.FLOAT,
      shape: { dim: p.dims.map((d) => (d === BATCH_DIM ? { dimParam: d } : { dimValue: d })) },
    },
  },
});

export function encodeOnnx(g: OnnxGraph, info: ModelInfo): Uint8Array {
  const model = onnx.ModelProto.fromObject({
    irVersion: IR_VERSION,
    opsetImport: [{ domain: "", version: OPSET }],
    producerName: "netspec",
    producerVersion: info.producerVersion,
    docString: info.doc,
    metadataProps: Object.entries(info.metadata).map(([key, value]) => ({ key, value })),
    graph: {
      name: g.name,
      node: g.nodes.map((n) => ({
        name: n.name,
        opType: n.opType,
        input: [...n.inputs],
        output: [...n.outputs],
        attribute: Object.entries(n.attrs).map(([k, a]) => attribute(k, a)),
      })),
      initializer: g.initializers.map(tensor),
      input: g.inputs.map(valueInfo),
      output: g.outputs.map(valueInfo),
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

/** Reads an encoded model back (for tests and tools): the plain-object form of the ModelProto. */
export function decodeOnnx(bytes: Uint8Array): proto.IModelProto {
  return onnx.ModelProto.decode(bytes);
}
