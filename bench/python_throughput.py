"""The Python side of bench/cli-throughput.mjs: classify a JSONL file the way `labelwise classify` does.

    .venv/bin/python bench/python_throughput.py --backend ort --model public/models/hoc-minilm-lame \
        --data data/hoc/dev.jsonl --threads 2 --out /tmp/scores.jsonl
    .venv/bin/python bench/python_throughput.py --backend torch --run runs/hoc-la --model ... --data ...

Same work as the CLI: the model folder's tokenizer.json (Rust `tokenizers`), the same windows
(train/evaluate.py), one window per run, max (multi_label) or mean (single_label) over windows,
sigmoid or softmax, thresholds from model.json. `ort` runs the model folder's graph (int8 by default)
on onnxruntime and, as the CLI does, scores a document again with model.json's borderline graph where a
probability lies within its margin of a threshold; `torch` runs the training checkpoint eagerly (fp32).
Prints timings as JSON; with --out, writes {"id", "scores"} per line for the parity check.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def windows(n_content: int, length: int, stride: int) -> list[tuple[int, int]]:
    """As train/evaluate.py and src/core/windows.ts: [start, end) content-token ranges."""
    size = length - 2
    if n_content <= size:
        return [(0, n_content)]
    starts = list(range(0, n_content - size, stride)) + [n_content - size]
    return [(s, s + size) for s in dict.fromkeys(starts)]


def ort_runner(model_dir: Path, manifest: dict, precision: str, threads: int):
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    session = ort.InferenceSession(
        str(model_dir / manifest["files"][precision]), options, providers=["CPUExecutionProvider"]
    )

    def run(ids: np.ndarray) -> np.ndarray:
        return session.run(["logits"], {"input_ids": ids, "attention_mask": np.ones_like(ids)})[0][0]

    return run


def torch_runner(run_dir: Path, manifest: dict, threads: int):
    import torch

    from train.export import Exported, load_run

    torch.set_num_threads(threads)
    model, checkpoint = load_run(run_dir)
    trained = [label["name"] for label in checkpoint["labels"]]
    if trained != [label["name"] for label in manifest["labels"]]:
        raise SystemExit(f"{run_dir}/checkpoint.pt: its labels are not those of the model folder's model.json")
    module = Exported(model, checkpoint["label_embeddings"]).eval()

    def run(ids: np.ndarray) -> np.ndarray:
        with torch.inference_mode():
            tensor = torch.from_numpy(ids)
            return module(tensor, torch.ones_like(tensor))[0][0].numpy()

    return run


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backend", choices=["ort", "torch"], required=True)
    parser.add_argument("--model", required=True, help="model folder (model.json, tokenizer.json, graphs)")
    parser.add_argument("--data", required=True, help="JSONL with id and text; '-' reads stdin")
    parser.add_argument("--run", help="training run directory with checkpoint.pt (--backend torch)")
    parser.add_argument("--precision", default="int8")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--out", help="write {id, scores} per document here")
    args = parser.parse_args()

    started = time.perf_counter()
    from tokenizers import Tokenizer

    model_dir = Path(args.model)
    manifest = json.loads((model_dir / "model.json").read_text())
    tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    tokenizer.no_truncation()
    tokenizer.no_padding()
    cls_id, sep_id = tokenizer.token_to_id("[CLS]"), tokenizer.token_to_id("[SEP]")
    if args.backend == "ort":
        run = ort_runner(model_dir, manifest, args.precision, args.threads)
    else:
        if not args.run:
            parser.error("--backend torch needs --run")
        run = torch_runner(Path(args.run), manifest, args.threads)
    names = [label["name"] for label in manifest["labels"]]
    thresholds = np.array([label["threshold"] for label in manifest["labels"]])
    multi_label = manifest["task"] == "multi_label"
    length, stride = manifest["window"]["length"], manifest["window"]["stride"]
    borderline = manifest.get("borderline") if args.backend == "ort" else None
    if borderline and borderline["precision"] == args.precision:
        borderline = None
    second = None  # the borderline graph's runner, opened on the first document that needs it

    def probabilities(run, ids: list[int]) -> np.ndarray:
        logits = np.stack(
            [
                run(np.array([[cls_id, *ids[start:end], sep_id]], dtype=np.int64))
                for start, end in windows(len(ids), length, stride)
            ]
        )
        if multi_label:
            return 1 / (1 + np.exp(-logits.max(0).astype(np.float64)))
        mean = logits.mean(0).astype(np.float64)
        probs = np.exp(mean - mean.max())
        return probs / probs.sum()

    loaded = time.perf_counter()

    lines = sys.stdin if args.data == "-" else open(args.data, encoding="utf-8")
    out = open(args.out, "w", encoding="utf-8") if args.out else None
    documents = 0
    for line in lines:
        if not line.strip():
            continue
        record = json.loads(line)
        ids = tokenizer.encode(record["text"], add_special_tokens=False).ids
        probs = probabilities(run, ids)
        if borderline and multi_label and (np.abs(probs - thresholds) < borderline["margin"]).any():
            second = second or ort_runner(model_dir, manifest, borderline["precision"], args.threads)
            probs = probabilities(second, ids)
        if multi_label:
            labels = [name for name, p, t in zip(names, probs, thresholds, strict=True) if p >= t]
        else:
            labels = [names[int(probs.argmax())]]
        documents += 1
        if out:
            out.write(
                json.dumps(
                    {"id": record["id"], "labels": labels, "scores": dict(zip(names, probs.tolist(), strict=True))}
                )
                + "\n"
            )
    finished = time.perf_counter()
    if out:
        out.close()
    print(
        json.dumps(
            {
                "backend": args.backend,
                "documents": documents,
                "load_seconds": round(loaded - started, 4),
                "classify_seconds": round(finished - loaded, 4),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
