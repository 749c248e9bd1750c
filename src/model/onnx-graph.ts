/**
 * Tiny ONNX models built in memory: a hand-encoded protobuf ModelProto holding a few nodes over
 * symbolic-shape inputs. Enough for helper graphs (target log-probs, a MatMul peak probe) without
 * a protobuf library or committed binaries.
 */

const WIRE_VARINT = 0;
const WIRE_BYTES = 2;
const ATTR_INT = 2;

/** TensorProto.DataType values used here. */
export const ElementType = { float32: 1, int64: 7, float16: 10 } as const;

export interface GraphNode {
  readonly op: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  /** Integer attributes (non-negative). */
  readonly attributes?: Readonly<Record<string, number>>;
}

export interface GraphValue {
  readonly name: string;
  readonly type: keyof typeof ElementType;
  /** Symbolic dimension names, or fixed sizes. */
  readonly dims: readonly (string | number)[];
}

const utf8 = new TextEncoder();

function varint(value: number): number[] {
  const out: number[] = [];
  let v = value;
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return out;
}

function intField(field: number, value: number): number[] {
  return [...varint((field << 3) | WIRE_VARINT), ...varint(value)];
}

function bytesField(field: number, payload: number[] | string): number[] {
  const bytes = typeof payload === "string" ? [...utf8.encode(payload)] : payload;
  return [...varint((field << 3) | WIRE_BYTES), ...varint(bytes.length), ...bytes];
}

/** ValueInfoProto: name, TypeProto.tensor_type { elem_type, shape { dim* } }. */
function valueInfo(value: GraphValue): number[] {
  const shape = value.dims.flatMap((dim) =>
    bytesField(1, typeof dim === "number" ? intField(1, dim) : bytesField(2, dim)),
  );
  const tensorType = [...intField(1, ElementType[value.type]), ...bytesField(2, shape)];
  return [...bytesField(1, value.name), ...bytesField(2, bytesField(1, tensorType))];
}

/** NodeProto with integer attributes (AttributeProto: name, i, type INT). */
function nodeProto(node: GraphNode, index: number): number[] {
  return [
    ...node.inputs.flatMap((i) => bytesField(1, i)),
    ...node.outputs.flatMap((o) => bytesField(2, o)),
    ...bytesField(3, `${node.op}_${index}`),
    ...bytesField(4, node.op),
    ...Object.entries(node.attributes ?? {}).flatMap(([name, value]) =>
      bytesField(5, [...bytesField(1, name), ...intField(3, value), ...intField(20, ATTR_INT)]),
    ),
  ];
}

/** A serialised ModelProto (IR version 7, default domain at `opset`). */
export function onnxModel(graph: {
  readonly name: string;
  readonly nodes: readonly GraphNode[];
  readonly inputs: readonly GraphValue[];
  readonly outputs: readonly GraphValue[];
  readonly opset: number;
}): Uint8Array {
  const body = [
    ...graph.nodes.flatMap((node, i) => bytesField(1, nodeProto(node, i))),
    ...bytesField(2, graph.name),
    ...graph.inputs.flatMap((input) => bytesField(11, valueInfo(input))),
    ...graph.outputs.flatMap((output) => bytesField(12, valueInfo(output))),
  ];
  return Uint8Array.from([
    ...intField(1, 7),
    ...bytesField(7, body),
    ...bytesField(8, [...bytesField(1, ""), ...intField(2, graph.opset)]),
  ]);
}
