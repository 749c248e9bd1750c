"""Prepared token files: the corpus splits and the task sets as token ids, encoded once.

    <data dir>/tokens/<split>.npy             uint16 stream, every document preceded by <|endoftext|>
    <data dir>/tokens/tasks/<set>.npz         task rows: prompt and answer ids with their offsets
    <data dir>/tokens/...json (beside each)   SHA-256 of the tokenizer and of the source it encodes

The trainer reads these files (the corpus stream memory-mapped) instead of re-encoding text with
the pure-Python BPE. When the source text is present and its hashes differ from the sidecar, the
file is encoded again; when only the token files are present (a GPU machine they were copied to),
they are used as they are. `training/prepare_tokens.py` writes them all ahead of a run.
"""

import hashlib
import json
from pathlib import Path

import numpy as np

from .bpe import BpeTokenizer
from .data import TaskExample
from .special_tokens import ENDOFTEXT_ID


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _is_current(target: Path, source: Path, tokenizer_file: Path) -> bool:
    """Whether `target` exists and was encoded from `source` by `tokenizer_file`; a target whose
    source is absent is taken as current (prepared elsewhere and copied here)."""
    sidecar = target.with_suffix(".json")
    if not target.exists() or not sidecar.exists():
        return False
    if not source.exists():
        return True
    recorded = json.loads(sidecar.read_text())
    return recorded == {"tokenizer": _sha256(tokenizer_file), "source": _sha256(source)}


def _write_sidecar(target: Path, source: Path, tokenizer_file: Path) -> None:
    sidecar = {"tokenizer": _sha256(tokenizer_file), "source": _sha256(source)}
    target.with_suffix(".json").write_text(json.dumps(sidecar) + "\n")


def corpus_tokens(split: str, tokenizer: BpeTokenizer, tokenizer_file: Path, data_dir: Path) -> np.ndarray:
    """The split's token stream (uint16, memory-mapped), encoding <data dir>/corpus/<split>.jsonl
    first when its token file is missing or stale. Raises FileNotFoundError when neither exists."""
    source = data_dir / "corpus" / f"{split}.jsonl"
    target = data_dir / "tokens" / f"{split}.npy"
    if not _is_current(target, source, tokenizer_file):
        ids: list[int] = []
        with source.open() as lines:
            for line in lines:
                ids.append(ENDOFTEXT_ID)
                ids.extend(tokenizer.encode(json.loads(line)["text"]))
        target.parent.mkdir(parents=True, exist_ok=True)
        np.save(target, np.asarray(ids, dtype=np.uint16))
        _write_sidecar(target, source, tokenizer_file)
    return np.load(target, mmap_mode="r")


def task_tokens(task_file: Path, tokenizer: BpeTokenizer, tokenizer_file: Path, data_dir: Path) -> list[TaskExample]:
    """The task rows of `task_file` (JSONL {"task", "prompt", "answer"} from make-task-data.ts):
    the prompt (context, question and answer prefix) after <|endoftext|>, and the answer the
    reader must produce after it. Encodes the file first when its token file is missing or stale.
    Raises FileNotFoundError when neither exists."""
    target = data_dir / "tokens" / "tasks" / f"{task_file.stem}.npz"
    if not _is_current(target, task_file, tokenizer_file):
        prompts, answers, tasks = [], [], []
        with task_file.open() as lines:
            for line in lines:
                row = json.loads(line)
                prompts.append([ENDOFTEXT_ID, *tokenizer.encode(row["prompt"])])
                answers.append(tokenizer.encode(row["answer"]))
                tasks.append(row["task"])
        target.parent.mkdir(parents=True, exist_ok=True)
        np.savez(
            target,
            prompt_ids=np.asarray([t for p in prompts for t in p], dtype=np.uint16),
            prompt_offsets=np.cumsum([0, *map(len, prompts)]),
            answer_ids=np.asarray([t for a in answers for t in a], dtype=np.uint16),
            answer_offsets=np.cumsum([0, *map(len, answers)]),
            tasks=np.asarray(tasks),
        )
        _write_sidecar(target, task_file, tokenizer_file)
    with np.load(target) as saved:
        p_ids, p_off = saved["prompt_ids"].tolist(), saved["prompt_offsets"].tolist()
        a_ids, a_off = saved["answer_ids"].tolist(), saved["answer_offsets"].tolist()
        return [
            TaskExample(prompt=p_ids[p_off[i] : p_off[i + 1]], answer=a_ids[a_off[i] : a_off[i + 1]], task=str(task))
            for i, task in enumerate(saved["tasks"])
        ]
