"""Writes a complete model folder (Hugging Face / transformers.js layout):

    config.json, generation_config.json, tokenizer.json, tokenizer_config.json,
    special_tokens_map.json, embed_tokens.json, export-check.json,
    onnx/model.onnx, onnx/model_embeds.onnx, onnx/model.onnx_data,
    onnx/model_quantized.onnx (int8 weights, activations quantized per run; self-contained)
"""

import json
import math
import shutil
import tempfile
from pathlib import Path

import onnx
import torch

from .bpe import BpeTokenizer
from .external_data import share_external_data
from .int8_twin import write_int8_twin
from .lm_head import gemm_lm_head
from .model import LlamaLM
from .onnx_graphs import export_graph
from .paths import TOKENIZER_DIR
from .quantize import quantized_copy
from .special_tokens import ENDOFTEXT_ID, PAD_ID

TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json")
DATA_FILE = "model.onnx_data"
QUANTIZED_FILE = "model_quantized.onnx"

# The golden text: prose, digits (one token each), punctuation, an e-mail-like line and non-ASCII.
CHECK_TEXT = (
    "The pass key is 40297. Remember it. In 1851, the Pequod sailed from Nantucket; "
    "Ishmael wrote: \u201cCall me Ishmael.\u201d Prices rose 3.5% \u2014 caf\u00e9, na\u00efve, \u00a340."
)
# Max |log-prob difference| allowed between ONNX Runtime (fp32, CPU) and torch for CHECK_TEXT.
CHECK_TOLERANCE = 1e-3
# The int8 graph quantizes the projections' activations to uint8 (one scale per tensor, per run),
# so it cannot match torch's float arithmetic on the same int8 weights to CHECK_TOLERANCE, with or
# without ONNX Runtime's fusions (which change it by < 1e-3). Measured on the check text, max and
# mean nats: ctxpress-5m 0.117 and 0.022 (the weight-only graph it replaced: 0.03 max against fp32;
# held-out perplexity +0.08%, models/ctxpress-5m/README.md); the random-weight tiny-random 0.225
# and 0.059. These bounds cover both with some margin: unfused max, and fused max and mean.
DYNAMIC_INT8_TOLERANCE = 0.3
FUSED_INT8_BOUNDS = {"max": 0.5, "mean": 0.1}
# A weight-only int8 graph (int8_activations=False) computes what torch computes on the same
# int8 weights; ONNX Runtime's fusion into MatMulNBits quantizes activations blockwise, hence
# looser bounds with fusions.
WEIGHT_ONLY_FUSED_BOUNDS = {"max": 0.5, "mean": 0.05}


def token_logprobs(lm: LlamaLM, ids: list[int]) -> list[float | None]:
    """Entry i is ln p(ids[i] | ids[<i]); entry 0 has no context and is None."""
    with torch.no_grad():
        logits = lm(torch.tensor([ids]))[0]
    logp = torch.log_softmax(logits.double(), dim=-1)
    return [None] + [float(logp[i - 1, ids[i]]) for i in range(1, len(ids))]


def embedding_location(graph_path: Path, offsets: dict[str, tuple[int, int]], shape: list[int]) -> dict:
    """Where the token-embedding table lies in the shared data file (the Gather on input_ids)."""
    graph = onnx.load(str(graph_path), load_external_data=False).graph
    gather = next(n for n in graph.node if n.op_type == "Gather" and n.input[1] == "input_ids")
    offset, length = offsets[gather.input[0]]
    if length != 4 * math.prod(shape):
        raise RuntimeError(f"embedding table has {length} bytes, expected float32 {shape}")
    return {"file": f"onnx/{DATA_FILE}", "offset": offset, "dtype": "float32", "shape": shape, "byteOrder": "little"}


def export_model_folder(
    lm: LlamaLM,
    out_dir: Path,
    tokenizer_dir: Path = TOKENIZER_DIR,
    default_dtype: str | None = None,
    int8_activations: bool = True,
) -> dict:
    """Exports `lm` into `out_dir` (replacing its ONNX files); returns the export-check record.

    `default_dtype` ("q8"): the variant loaders pick when the caller names none, written to
    config.json as transformers.js' `"dtype": {"model": ...}` (ctxpress and transformers.js honour it).
    `int8_activations` False keeps the int8 graph weight-only (see RunConfig.int8_activations).
    """
    lm = lm.eval()
    config = lm.config
    onnx_dir = out_dir / "onnx"
    onnx_dir.mkdir(parents=True, exist_ok=True)
    for stale in onnx_dir.glob("model*"):
        stale.unlink()
    with tempfile.TemporaryDirectory() as tmp:
        for name, takes_embeds in (("model.onnx", False), ("model_embeds.onnx", True)):
            export_graph(lm, Path(tmp) / name, takes_embeds)
            shutil.move(str(Path(tmp) / name), onnx_dir / name)
    graphs = [onnx_dir / "model.onnx", onnx_dir / "model_embeds.onnx"]
    offsets = share_external_data(graphs, DATA_FILE)
    write_int8_twin(graphs[0], onnx_dir / QUANTIZED_FILE, int8_activations)
    # After quantizing (quantize.py recognises the LM head by its Einsum): the fp32 graphs get the
    # LM-head Gemm too; they have no int8 table or DequantizeLinear for the other rewrites.
    for path in graphs:
        model = onnx.load(str(path), load_external_data=False)
        gemm_lm_head(model.graph)
        onnx.save(model, str(path))

    for name in TOKENIZER_FILES:
        shutil.copyfile(tokenizer_dir / name, out_dir / name)
    hf_config = config.hf_config()
    # model.onnx reads its weights from model.onnx_data; variants (fp16, int8) are self-contained.
    hf_config["transformers.js_config"] = {"use_external_data_format": {"model.onnx": 1}}
    if default_dtype is not None:
        hf_config["transformers.js_config"]["dtype"] = {"model": default_dtype}
    write_json(out_dir / "config.json", hf_config)
    write_json(
        out_dir / "generation_config.json",
        {"bos_token_id": ENDOFTEXT_ID, "eos_token_id": ENDOFTEXT_ID, "pad_token_id": PAD_ID, "do_sample": False},
    )
    write_json(
        out_dir / "embed_tokens.json",
        embedding_location(graphs[0], offsets, [config.vocab_size, config.hidden_size]),
    )

    tokenizer = BpeTokenizer.from_file(out_dir / "tokenizer.json")
    ids = [ENDOFTEXT_ID, *tokenizer.encode(CHECK_TEXT)]
    check = {
        "format": 1,
        "text": CHECK_TEXT,
        "input_ids": ids,
        "logprobs": token_logprobs(lm, ids),
        "tolerance": CHECK_TOLERANCE,
        # The int8 graph is checked against torch running the same int8 weights (float
        # activations, hence the looser tolerance); how much the quantization itself costs is
        # measured by training/evaluate.ts (see the model card).
        "variants": {
            QUANTIZED_FILE: {
                "tolerance": DYNAMIC_INT8_TOLERANCE if int8_activations else CHECK_TOLERANCE,
                "logprobs": token_logprobs(quantized_copy(lm), ids),
                "fused": FUSED_INT8_BOUNDS if int8_activations else WEIGHT_ONLY_FUSED_BOUNDS,
            }
        },
        "computed_by": f"torch {torch.__version__} float32 CPU (training/ctxtrain/export.py)",
    }
    write_json(out_dir / "export-check.json", check)
    return check


def write_json(path: Path, value: dict) -> None:
    path.write_text(json.dumps(value, indent=2, ensure_ascii=False) + "\n")
