"""The Python side of bench/cli-throughput.mjs: classify a JSONL file the way `labelwise classify` does.

    .venv/bin/python bench/python_throughput.py --backend ort --model public/models/hoc-minilm-lame \
        --data data/hoc/dev.jsonl --threads 2 --out /tmp/scores.jsonl
    .venv/bin/python bench/python_throughput.py --backend torch --run runs/hoc-la --model ... --data ...

Same work as the CLI, through train/inference.py: the model folder's tokenizer.json (Rust `tokenizers`), the same
windows, one window per run, max (multi_label) or mean (single_label) over windows,
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


def torch_runner(run_dir: Path, manifest: dict, threads: int):
    import torch

    from train.export import Exported, load_run

    torch.set_num_threads(threads)
    model, checkpoint = load_run(run_dir)
    trained = [label["name"] for label in checkpoint["labels"]]
    if trained != [label["name"] for label in manifest["labels"]]:
        raise SystemExit(f"{run_dir}/checkpoint.pt: its labels are not those of the model folder's model.json")
    module = Exported(model, checkpoint["label_embeddings"]).eval()

    def run(ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        with torch.inference_mode():
            return module(torch.from_numpy(ids), torch.from_numpy(mask))[0].numpy()

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
    from train.inference import OnnxClassifier

    runner = None
    if args.backend == "torch":
        if not args.run:
            parser.error("--backend torch needs --run")
        runner = torch_runner(Path(args.run), json.loads((Path(args.model) / "model.json").read_text()), args.threads)
    classifier = OnnxClassifier(
        Path(args.model), args.precision, args.threads, runner=runner, recheck=args.backend == "ort"
    )
    names = classifier.manifest.names
    loaded = time.perf_counter()

    lines = sys.stdin if args.data == "-" else open(args.data, encoding="utf-8")
    out = open(args.out, "w", encoding="utf-8") if args.out else None
    documents = 0
    for line in lines:
        if not line.strip():
            continue
        record = json.loads(line)
        probs, _ = classifier.score([record["text"]])
        documents += 1
        if out:
            scores = dict(zip(names, probs[0].tolist(), strict=True))
            out.write(json.dumps({"id": record["id"], "labels": classifier.labels(probs[0]), "scores": scores}) + "\n")
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
