"""Writes a dynamic-int8 variant of a folder's weight-only int8 graph (issue 15 item 3, an
experiment): every DequantizeLinear(int8 weight, per-column scale) -> MatMul becomes the pattern
ONNX Runtime fuses into DynamicQuantizeMatMul (activations quantized to uint8 per run, u8 x s8
integer matmul, VNNI where the CPU has it):

    DynamicQuantizeLinear(X) -> MatMulInteger(Xq, W, Xzp, Wzp) -> Cast(float) -> Mul(Xs * Ws)

The weights, scales and zero points are the q8 file's own; the embedding lookup and the LM head
stay as they are. The output (onnx/model_int8.onnx, loaded with dtype "int8") is not committed.

    /usr/bin/python3 training/dynamic_int8.py models/ctxpress-5m
"""

import argparse
from pathlib import Path

import onnx
from onnx import TensorProto, helper


def dynamic_int8(graph: onnx.GraphProto) -> int:
    """Rewrites the graph in place; returns how many matmuls it changed."""
    initializers = {init.name: init for init in graph.initializer}
    consumers: dict[str, list[onnx.NodeProto]] = {}
    for node in graph.node:
        for name in node.input:
            consumers.setdefault(name, []).append(node)

    def int8_weight(node: onnx.NodeProto) -> bool:
        if node.op_type != "DequantizeLinear" or len(node.input) != 3:
            return False
        weight = initializers.get(node.input[0])
        users = consumers.get(node.output[0], [])
        return (
            weight is not None
            and weight.data_type == TensorProto.INT8
            and len(weight.dims) == 2
            and len(users) > 0
            and all(u.op_type == "MatMul" and u.input[1] == node.output[0] for u in users)
        )

    # Dequantized weight name -> (int8 weight, scale, zero point).
    weights = {n.output[0]: tuple(n.input) for n in graph.node if int8_weight(n)}
    nodes: list[onnx.NodeProto] = []
    for node in graph.node:
        if node.op_type == "DequantizeLinear" and node.output[0] in weights:
            continue
        if node.op_type != "MatMul" or node.input[1] not in weights:
            nodes.append(node)
            continue
        # Emitted where the MatMul was, so its activation input is already computed.
        weight, scale, zero_point = weights[node.input[1]]
        x, out = node.input[0], node.output[0]
        nodes += [
            helper.make_node("DynamicQuantizeLinear", [x], [f"{out}_xq", f"{out}_xs", f"{out}_xzp"]),
            helper.make_node(
                "MatMulInteger", [f"{out}_xq", weight, f"{out}_xzp", zero_point], [f"{out}_int32"]
            ),
            helper.make_node("Cast", [f"{out}_int32"], [f"{out}_float"], to=TensorProto.FLOAT),
            helper.make_node("Mul", [f"{out}_xs", scale], [f"{out}_scale"]),
            helper.make_node("Mul", [f"{out}_float", f"{out}_scale"], [out]),
        ]
    rewritten = sum(1 for n in graph.node if n.op_type == "MatMul" and n.input[1] in weights)
    del graph.node[:]
    graph.node.extend(nodes)
    return rewritten


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path)
    args = parser.parse_args()
    source = args.folder / "onnx" / "model_quantized.onnx"
    model = onnx.load(str(source))
    count = dynamic_int8(model.graph)
    # Opset 11+ has DynamicQuantizeLinear and MatMulInteger; the export's opset is newer.
    onnx.checker.check_model(model)
    target = args.folder / "onnx" / "model_int8.onnx"
    onnx.save(model, str(target))
    print(f"{target}: {count} MatMul -> DynamicQuantizeLinear + MatMulInteger")


if __name__ == "__main__":
    main()
