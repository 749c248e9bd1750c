"""Exports an AutoCompressor as a model folder: the reader's whole contract (ctxtrain's
export_model_folder: model.onnx, model_embeds.onnx, the int8 variant, export-check.json) plus

- onnx/summarize.onnx: inputs `input_ids` int64 [batch_size, segment_length] and `softprompt`
  float32 [batch_size, softprompt_length, hidden_size] (the summary vectors so far, possibly
  none); output `summary_vectors` float32 [batch_size, κ, hidden_size]. It reads
  [softprompt; segment; κ summary embeddings] at positions 0.. with all-ones masks (rows of one
  call have the same length) and returns the final-norm hidden states of the κ summary slots.
  Its weights live in the shared onnx/model.onnx_data (each distinct tensor stored once), so
  loaders fetch that file with model.onnx (transformers.js' `<file>.onnx_data` naming does not
  apply to this graph);
- int8 twins of all three graphs (`int8_graphs.py`: model_quantized.onnx,
  model_embeds_quantized.onnx, summarize_quantized.onnx) sharing onnx/model_quantized.onnx_data;
- config.json gains `autocompressor` {summary_tokens, segment_tokens, summarize_graph}, and with
  a default dtype ("q8") `"transformers.js_config": {"dtype": "q8"}`, which every graph follows;
- gist-check.json: torch's summary vectors of two segments (the second read after the first's)
  and the log-probs of a question read after both, for checking any runtime; `variants.q8` holds
  the same computed by torch with the int8 weights (float activations) and the bounds the int8
  graphs must meet.

`--int8-only` (the shipped gist-5m: the weight budget has no room for 21 MB of float32) leaves the
float32 graphs, their data file and embed_tokens.json (which locates the float32 table) out of the
folder; export-check.json and gist-check.json keep torch's float32 values as the reference.

Run from training/: /usr/bin/python3 -m gist.export configs/gist-5m.json [--run-dir D] [--out D]
    [--int8-only]
"""

import argparse
import json
from pathlib import Path

import torch
from torch import Tensor, nn

from ctxtrain.bpe import BpeTokenizer
from ctxtrain.export import CHECK_TEXT, DATA_FILE, embedding_location, export_model_folder, write_json
from ctxtrain.external_data import share_external_data
from ctxtrain.onnx_graphs import OPSET
from ctxtrain.paths import MODELS_DIR, RUNS_DIR
from ctxtrain.quantize import quantized_copy
from ctxtrain.special_tokens import ENDOFTEXT_ID

from .autocompressor import AutoCompressor
from .config import load_gist_config
from .int8_graphs import INT8_DATA_FILE, int8_name, write_int8_graphs
from .train import build_model

SUMMARIZE_FILE = "summarize.onnx"
FP32_GRAPHS = ("model.onnx", "model_embeds.onnx", SUMMARIZE_FILE)
CHECK_QUESTION = "\n\nQuestion: What is the pass key?\nAnswer: The pass key is"
CHECK_TOLERANCE = 1e-3
# The int8 graphs against torch running the same int8 weights on float activations: max |diff| of
# a summary-vector component and of a question log-prob (nats), for the graphs as written
# ("tolerance", ONNX Runtime's basic optimizations) and with its fusions ("fused": int8 kernels).
# Measured on the check text with onnxruntime-node (vectors / log-probs, max):
#   activations quantized per run (DynamicQuantizeLinear + MatMulInteger), fused or not:
#     gist-tiny-random (random weights, std 0.2) 0.26 / 0.47; the 5M step-750 base 0.10 / 0.02;
#   weight-only, as written: < 5e-5 on both; fused (MatMulNBits quantizes activations blockwise):
#     gist-tiny-random 0.10 / 0.25; the 5M base 0.033 / 0.010.
# The uint8 rounding of activations compounds through the layers and through the second segment
# reading the first's vectors, hence bounds far above fp32's; these cover both models with margin.
INT8_DYNAMIC_BOUNDS = {
    "tolerance": {"summary_vectors": 0.4, "logprobs": 0.75},
    "fused": {"summary_vectors": 0.4, "logprobs": 0.75},
}
INT8_WEIGHT_ONLY_BOUNDS = {
    "tolerance": {"summary_vectors": 1e-3, "logprobs": 1e-3},
    "fused": {"summary_vectors": 0.2, "logprobs": 0.4},
}


class _SummarizeGraph(nn.Module):
    def __init__(self, model: AutoCompressor):
        super().__init__()
        self.model = model

    def forward(self, input_ids: Tensor, softprompt: Tensor) -> Tensor:
        lm = self.model.lm
        batch = input_ids.shape[0]
        summary = self.model.embed_summary.unsqueeze(0).expand(batch, -1, -1)
        embeds = torch.cat([softprompt, lm.model.embed_tokens(input_ids), summary], dim=1)
        total = embeds.shape[1]
        mask = torch.ones(batch, total, dtype=torch.long)
        positions = torch.arange(total).unsqueeze(0).expand(batch, -1)
        config = lm.config
        # Built from the traced batch size, so the graph keeps a dynamic batch axis.
        empty = [
            (
                torch.zeros(batch, config.num_key_value_heads, 0, config.head_dim),
                torch.zeros(batch, config.num_key_value_heads, 0, config.head_dim),
            )
            for _ in range(config.num_hidden_layers)
        ]
        hidden, _ = lm.hidden_states(embeds, mask, positions, empty)
        return hidden[:, -self.model.summary_tokens :]


def export_summarize_graph(model: AutoCompressor, path: Path) -> None:
    graph = _SummarizeGraph(model).eval()
    ids = torch.randint(0, model.lm.config.vocab_size, (2, 5))
    softprompt = torch.randn(2, 3, model.hidden_size)
    with torch.no_grad():
        torch.onnx.export(
            graph,
            (ids, softprompt),
            str(path),
            input_names=["input_ids", "softprompt"],
            output_names=["summary_vectors"],
            dynamic_axes={
                "input_ids": {0: "batch_size", 1: "segment_length"},
                "softprompt": {0: "batch_size", 1: "softprompt_length"},
                "summary_vectors": {0: "batch_size"},
            },
            opset_version=OPSET,
            do_constant_folding=True,
        )


@torch.no_grad()
def _check_values(model: AutoCompressor, tokenizer: BpeTokenizer) -> dict:
    """Two segments of the check text summarised in turn, then a question read after both
    segments' vectors."""
    ids = [ENDOFTEXT_ID, *tokenizer.encode(CHECK_TEXT)]
    half = len(ids) // 2
    segments = [ids[:half], ids[half:]]
    softprompt = model.empty_softprompt(1)
    vectors = []
    for segment in segments:
        tokens = torch.tensor([segment])
        _, new = model.read_segment(softprompt, tokens, torch.tensor([len(segment)]), summarize=True)
        vectors.append([round(float(v), 7) for v in new.flatten()])
        softprompt = torch.cat([softprompt, new], dim=1)
    question = tokenizer.encode(CHECK_QUESTION)
    hidden, _ = model.read_segment(softprompt, torch.tensor([question]), torch.tensor([len(question)]), summarize=False)
    logp = torch.log_softmax(model.lm.lm_head(hidden[0]).double(), dim=-1)
    return {
        "segments": segments,
        "summary_vectors": vectors,
        "question_ids": question,
        # Entry i: ln p(question_ids[i] | all vectors, question_ids[<i]); nothing predicts entry 0.
        "logprobs": [None] + [float(logp[i - 1, question[i]]) for i in range(1, len(question))],
    }


def int8_twin(model: AutoCompressor) -> AutoCompressor:
    """The AutoCompressor with the int8 round trip of every weight the int8 graphs quantize (the
    reader's matrices and embedding table; the κ summary embeddings stay float32, as in the graph)."""
    twin = AutoCompressor(quantized_copy(model.lm), model.summary_tokens)
    with torch.no_grad():
        twin.embed_summary.copy_(model.embed_summary)
    return twin.eval()


def gist_check(model: AutoCompressor, tokenizer: BpeTokenizer, int8_activations: bool = True) -> dict:
    """Golden values of the float32 graphs, and (variants.q8) of the int8 graphs."""
    values = _check_values(model, tokenizer)
    int8 = _check_values(int8_twin(model), tokenizer)
    return {
        "format": 1,
        "summary_tokens": model.summary_tokens,
        "hidden_size": model.hidden_size,
        **values,
        "tolerance": CHECK_TOLERANCE,
        "variants": {
            "q8": {
                "summary_vectors": int8["summary_vectors"],
                "logprobs": int8["logprobs"],
                "int8_activations": int8_activations,
                **(INT8_DYNAMIC_BOUNDS if int8_activations else INT8_WEIGHT_ONLY_BOUNDS),
            }
        },
        "computed_by": f"torch {torch.__version__} float32 CPU (training/gist/export.py)",
    }


def export_gist_folder(
    model: AutoCompressor,
    out: Path,
    segment_tokens: int,
    default_dtype: str | None = None,
    int8_activations: bool = True,
    int8_only: bool = False,
) -> dict:
    """Writes the folder (see the module docstring); returns the gist-check record.
    `default_dtype` "q8" makes every graph load as int8 unless the caller names a dtype."""
    model = model.eval()
    export_model_folder(model.lm, out, int8_activations=int8_activations)
    onnx_dir = out / "onnx"
    for stale in [*onnx_dir.glob("summarize*"), onnx_dir / INT8_DATA_FILE]:
        stale.unlink(missing_ok=True)
    export_summarize_graph(model, onnx_dir / SUMMARIZE_FILE)
    graphs = [onnx_dir / name for name in FP32_GRAPHS]
    offsets = share_external_data(graphs, DATA_FILE)
    config = model.lm.config
    write_json(out / "embed_tokens.json", embedding_location(graphs[0], offsets, [config.vocab_size, config.hidden_size]))
    write_int8_graphs(onnx_dir, ["model_embeds.onnx", SUMMARIZE_FILE], int8_activations)

    hf_config = json.loads((out / "config.json").read_text())
    js_config = hf_config["transformers.js_config"]
    js_config["use_external_data_format"] = {int8_name("model.onnx"): 1}
    if not int8_only:
        js_config["use_external_data_format"]["model.onnx"] = 1
    if default_dtype is not None:
        # One dtype for every graph: the reader's and the summarize graph's must match, since the
        # reader reads vectors the summarize graph wrote.
        js_config["dtype"] = default_dtype
    hf_config["autocompressor"] = {
        "summary_tokens": model.summary_tokens,
        "segment_tokens": segment_tokens,
        "summarize_graph": f"onnx/{SUMMARIZE_FILE}",
        "accumulate_summary": True,
    }
    write_json(out / "config.json", hf_config)
    check = gist_check(model, BpeTokenizer.from_file(out / "tokenizer.json"), int8_activations)
    write_json(out / "gist-check.json", check)
    if int8_only:
        for name in [*FP32_GRAPHS, DATA_FILE]:
            (onnx_dir / name).unlink()
        (out / "embed_tokens.json").unlink()
    return check


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("config", type=Path)
    parser.add_argument("--run-dir", type=Path, default=None, help="default training/.runs/<name>")
    parser.add_argument("--out", type=Path, default=None, help="default models/<name>")
    parser.add_argument("--int8-only", action="store_true", help="leave the float32 graphs out (shipped gist-5m)")
    args = parser.parse_args()
    config = load_gist_config(args.config)
    state = torch.load((args.run_dir or RUNS_DIR / config.name) / "checkpoint.pt")
    model = build_model(config, load_base=False)
    model.load_state_dict(state["model"])
    out = args.out or MODELS_DIR / config.name
    export_gist_folder(
        model,
        out,
        config.segment_tokens,
        default_dtype=config.export_dtype,
        int8_activations=config.int8_activations,
        int8_only=args.int8_only,
    )
    print(f"exported step {state['step']} of {config.name} to {out}")


if __name__ == "__main__":
    main()
