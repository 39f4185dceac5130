"""The batch job: input files -> Ray Data (an actor pool reads and classifies whole files) -> one Parquet file each.

The Dataset holds one row per input file (its path). A classifier actor takes one file at a time, reads it, scores
its documents (sorted by length, so a batch's windows pad little) and returns one row per document with its scores
and no text, the file's deletions and problems, then one `end` row with the number of documents (or one `failed`
row): texts never cross Ray's object store. The driver collects rows per input and writes that input's Parquet file
as soon as its `end` row and all its documents have arrived: to a temporary name, flushed, renamed when whole, so an
interrupted run never leaves a half-written output and a rerun skips finished inputs.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

import train
from train.inference import Manifest, OnnxClassifier, predict_labels

from .readers import Deletion, Document, InputError, Problem, read_events

USAGE_ERROR = 2
INPUT_SUFFIXES = (".xml.gz", ".xml", ".jsonl.gz", ".jsonl", ".ndjson")
METADATA_KEY = b"labelwise"


def output_name(path: Path) -> str:
    name = path.name
    for suffix in INPUT_SUFFIXES:
        if name.endswith(suffix):
            return name[: -len(suffix)] + ".parquet"
    return name + ".parquet"


def expand_inputs(patterns: list[str]) -> list[Path]:
    """Files and globs, in order, each file once; a pattern that matches nothing is a usage error."""
    paths: list[Path] = []
    for pattern in patterns:
        matches = sorted(glob.glob(pattern)) if glob.has_magic(pattern) else [pattern]
        if not matches or not all(Path(match).is_file() for match in matches):
            raise SystemExit(f"labelwise_batch: --input {pattern}: no such file")
        paths += [Path(match) for match in matches if Path(match) not in paths]
    names = defaultdict(list)
    for path in paths:
        names[output_name(path)].append(str(path))
    clashes = [files for files in names.values() if len(files) > 1]
    if clashes:
        raise SystemExit(f"labelwise_batch: inputs would write the same output file: {', '.join(clashes[0])}")
    return paths


def is_complete(output: Path, manifest: Manifest) -> bool:
    """An output exists only when whole (it is renamed into place); it counts when the same model wrote it."""
    try:
        metadata = pq.read_schema(output).metadata or {}
    except (OSError, pa.ArrowInvalid):
        return False
    written = json.loads(metadata.get(METADATA_KEY, b"{}"))
    return written.get("model_id") == manifest.id and written.get("model_version") == manifest.version


def read_file(row: dict) -> list[dict]:
    """One input file -> its rows, documents shortest first, then an `end` (or `failed`) row."""
    source, path = int(row["source"]), Path(row["path"])
    base = {"source": source, "id": "", "pmid": "", "text": "", "message": "", "line": -1, "count": 0}
    documents, others = [], []
    try:
        for seq, event in enumerate(read_events(path)):
            if isinstance(event, Document):
                documents.append(
                    base | {"kind": "doc", "seq": seq, "id": event.id, "pmid": event.pmid or "", "text": event.text}
                )
                documents[-1]["line"] = event.line
            elif isinstance(event, Deletion):
                others.append(base | {"kind": "deleted", "seq": seq, "id": event.pmid, "pmid": event.pmid})
                others[-1]["line"] = event.line
            elif isinstance(event, Problem):
                kind = "error" if event.error else "skipped"
                others.append(base | {"kind": kind, "seq": seq, "message": event.message, "line": event.line or -1})
    except InputError as error:
        kept = [other for other in others if other["kind"] == "error"]
        return kept + [base | {"kind": "failed", "seq": -1, "message": str(error), "line": error.line or -1}]
    documents.sort(key=lambda document: len(document["text"]))
    return documents + others + [base | {"kind": "end", "seq": -1, "count": len(documents)}]


def classify_file(classifier: OnnxClassifier, row: dict, batch_size: int, max_rows: int) -> list[dict]:
    """One input file -> its rows with scores and no text: documents in batches of `batch_size` (shortest first, so
    a run's windows pad little), deletions, problems and the `end` (or `failed`) row passed through."""
    rows = read_file(row)
    names = classifier.manifest.names
    documents = [r for r in rows if r["kind"] == "doc"]
    for start in range(0, len(documents), batch_size):
        batch = documents[start : start + batch_size]
        probs, again = classifier.score([r["text"] for r in batch], max_rows)
        for r, scores, rechecked in zip(batch, probs, again, strict=True):
            r |= {f"score_{i}": float(scores[i]) for i in range(len(names))} | {"rechecked": bool(rechecked)}
    blank = {f"score_{i}": float("nan") for i in range(len(names))} | {"rechecked": False}
    return [blank | {k: v for k, v in r.items() if k != "text"} for r in rows]


class Classify:
    """Ray Data map_batches callable: one ONNX Runtime session per actor, opened once; each call reads and classifies
    whole input files, so texts never travel through Ray's object store: only paths in, scores out."""

    def __init__(self, model: str, threads: int, batch_size: int, max_rows: int):
        self.classifier = OnnxClassifier(Path(model), threads=threads)
        self.batch_size, self.max_rows = batch_size, max_rows

    def __call__(self, files: dict) -> pd.DataFrame:
        rows = []
        for source, path in zip(files["source"], files["path"], strict=True):
            rows += classify_file(self.classifier, {"source": source, "path": path}, self.batch_size, self.max_rows)
        return pd.DataFrame(rows)


def output_table(rows: list[dict], manifest: Manifest) -> pa.Table:
    """One row per document or deletion, in file order."""
    rows = sorted(rows, key=lambda row: row["seq"])
    names = manifest.names
    deleted = [row["kind"] == "deleted" for row in rows]
    scores = np.array([[row[f"score_{i}"] for i in range(len(names))] for row in rows]).reshape(len(rows), len(names))
    columns = {
        "id": pa.array([row["id"] for row in rows], pa.string()),
        "pmid": pa.array([row["pmid"] or None for row in rows], pa.string()),
        "labels": pa.array(
            [
                None if gone else predict_labels(s, names, manifest.thresholds)
                for s, gone in zip(scores, deleted, strict=True)
            ],
            pa.list_(pa.string()),
        ),
    }
    for index, name in enumerate(names):
        columns[name] = pa.array(
            [None if gone else s for s, gone in zip(scores[:, index], deleted, strict=True)], pa.float64()
        )
    columns["rechecked"] = pa.array(
        [None if gone else bool(row["rechecked"]) for row, gone in zip(rows, deleted, strict=True)]
    )
    columns["deleted"] = pa.array(deleted, pa.bool_())
    columns["model_id"] = pa.array([manifest.id] * len(rows), pa.string())
    columns["model_version"] = pa.array([manifest.version] * len(rows), pa.string())
    table = pa.table(columns)
    stamp = json.dumps({"model_id": manifest.id, "model_version": manifest.version}).encode()
    return table.replace_schema_metadata({METADATA_KEY: stamp})


def write_atomically(table: pa.Table, output: Path) -> None:
    """Written under a hidden name, flushed to disk, then renamed (and the rename flushed): after a crash or power
    loss the output is either absent or whole."""
    temporary = output.with_name(f".{output.name}.{os.getpid()}.tmp")
    with open(temporary, "wb") as sink:
        pq.write_table(table, sink)
        sink.flush()
        os.fsync(sink.fileno())
    os.replace(temporary, output)
    folder = os.open(output.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)


def remove_leftovers(output: Path) -> None:
    """Temporary files an interrupted run left for this output (they were never renamed, so never complete)."""
    for leftover in output.parent.glob(f".{glob.escape(output.name)}.*.tmp"):
        leftover.unlink(missing_ok=True)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m labelwise_batch", description=__doc__.split("\n")[0])
    parser.add_argument("--model", required=True, help="model folder (model.json, tokenizer.json, ONNX graphs)")
    parser.add_argument("--input", nargs="+", required=True, help="PubMed XML (.xml, .xml.gz) or JSONL files/globs")
    parser.add_argument("--output", required=True, help="folder for one Parquet file per input")
    parser.add_argument("--address", help="Ray cluster address (default: start Ray in this process)")
    parser.add_argument(
        "--actors",
        type=int,
        help="classifier actors, one ONNX Runtime session each (default: one per --threads CPUs of the Ray cluster)",
    )
    parser.add_argument("--threads", type=int, default=1, help="ONNX Runtime threads per actor (default 1)")
    parser.add_argument("--num-cpus", type=int, help="CPUs of the in-process Ray (default: all)")
    parser.add_argument("--batch-size", type=int, default=64, help="documents scored together (sorted by length)")
    parser.add_argument("--max-rows", type=int, default=16, help="windows per ONNX Runtime run (padded by length)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    model = Path(args.model)
    try:
        manifest = Manifest.load(model)
    except (OSError, KeyError, json.JSONDecodeError) as error:
        print(f"labelwise_batch: model folder {model}: {error}", file=sys.stderr)
        return USAGE_ERROR
    try:
        inputs = expand_inputs(args.input)
    except SystemExit as error:
        print(error, file=sys.stderr)
        return USAGE_ERROR
    output_dir = Path(args.output)
    output_dir.mkdir(parents=True, exist_ok=True)
    outputs = [output_dir / output_name(path) for path in inputs]
    pending = [i for i, output in enumerate(outputs) if not is_complete(output, manifest)]
    summary = {
        "files": len(inputs),
        "written": 0,
        "already_complete": len(inputs) - len(pending),
        "failed_files": 0,
        "citations": 0,
        "deleted": 0,
        "skipped_records": 0,
        "failed_records": 0,
        "rechecked": 0,
    }
    for i in sorted(set(range(len(inputs))) - set(pending)):
        print(f"labelwise_batch: {inputs[i]}: {outputs[i]} is complete, skipped", file=sys.stderr)
    for i in pending:
        remove_leftovers(outputs[i])
    if pending:
        run_pipeline(args, manifest, inputs, outputs, pending, summary)
    summary["seconds"] = round(time.perf_counter() - started, 3)
    print(
        "labelwise_batch: {files} files ({written} written, {already_complete} already complete,"
        " {failed_files} failed); {citations} citations classified ({rechecked} rechecked), {deleted} deleted,"
        " {skipped_records} records skipped, {failed_records} failed".format(**summary),
        file=sys.stderr,
    )
    print(json.dumps(summary))
    return 1 if summary["failed_files"] or summary["failed_records"] else 0


def start_ray(args) -> None:
    """Ray in this process (or a cluster at --address) with only what a batch job needs: no dashboard, no usage
    reports, no metrics collection, no idle workers started ahead, worker logs kept in Ray's session folder rather
    than copied to this terminal."""
    import ray

    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    if args.address:
        # On a cluster the workers get this code shipped; the model folder and inputs must be at the same paths there.
        modules = [str(Path(__file__).parent), str(Path(train.__file__).parent)]
        ray.init(address=args.address, runtime_env={"py_modules": modules}, log_to_driver=False)
    else:
        ray.init(
            num_cpus=args.num_cpus,
            include_dashboard=False,
            log_to_driver=False,
            # No idle workers started ahead: the actors get workers of their own, so those would only cost CPU.
            _system_config={"enable_metrics_collection": False, "enable_worker_prestart": False},
        )


def run_pipeline(args, manifest: Manifest, inputs, outputs, pending: list[int], summary: dict) -> None:
    import ray

    started_ray = not ray.is_initialized()
    ray_started_at = time.perf_counter()
    if started_ray:
        start_ray(args)
    try:
        summary["ray_start_seconds"] = round(time.perf_counter() - ray_started_at, 3)
        pipeline_started_at = time.perf_counter()
        cpus = int(ray.cluster_resources().get("CPU", 1))
        actors = args.actors or max(1, cpus // args.threads)
        items = [{"source": i, "path": str(inputs[i].resolve())} for i in pending]
        # One block per input file; an actor takes one file at a time, so files go to whichever actor is free.
        dataset = ray.data.from_items(items, override_num_blocks=len(items)).map_batches(
            Classify,
            fn_constructor_kwargs={
                "model": str(Path(args.model).resolve()),
                "threads": args.threads,
                "batch_size": args.batch_size,
                "max_rows": args.max_rows,
            },
            batch_size=1,
            compute=ray.data.ActorPoolStrategy(size=actors, max_tasks_in_flight_per_actor=1),
            num_cpus=min(args.threads, cpus / actors),
        )
        collect(dataset, manifest, inputs, outputs, summary)
        summary["pipeline_seconds"] = round(time.perf_counter() - pipeline_started_at, 3)
    finally:
        if started_ray:
            ray.shutdown()


def collect(dataset, manifest: Manifest, inputs, outputs, summary: dict) -> None:
    """Gathers rows per input; writes an input's output once its end row and all its documents have come."""
    rows: dict[int, list[dict]] = defaultdict(list)
    expected: dict[int, int] = {}
    documents: dict[int, int] = defaultdict(int)
    for batch in dataset.iter_batches(batch_format="pandas", batch_size=None):
        for row in batch.to_dict("records"):
            source, kind = int(row["source"]), row["kind"]
            where = f"{inputs[source]}:{row['line']}" if row["line"] > 0 else str(inputs[source])
            if kind == "doc" or kind == "deleted":
                rows[source].append(row)
                documents[source] += kind == "doc"
            elif kind == "skipped":
                summary["skipped_records"] += 1
            elif kind == "error":
                summary["failed_records"] += 1
                print(f"labelwise_batch: {where}: {row['message']}", file=sys.stderr)
            elif kind == "failed":
                summary["failed_files"] += 1
                print(f"labelwise_batch: {where}: {row['message']}; no output written", file=sys.stderr)
                rows.pop(source, None)
            elif kind == "end":
                expected[source] = int(row["count"])
            if source in expected and documents[source] == expected[source]:
                finished = rows.pop(source, [])
                expected.pop(source)
                write_atomically(output_table(finished, manifest), outputs[source])
                summary["written"] += 1
                summary["citations"] += documents[source]
                summary["deleted"] += sum(r["kind"] == "deleted" for r in finished)
                summary["rechecked"] += sum(bool(r["rechecked"]) for r in finished if r["kind"] == "doc")
