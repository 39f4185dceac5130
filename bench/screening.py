"""Screening benchmark: `labelwise simulate --label` against ASReview LAB's default model, side by side in one run.

    bench/.venv-asreview/bin/python bench/screening.py --out bench/results/screening.json [--tasks hoc mtc5]
        [--seeds 0 1 2] [--labels NAME ...]

Each task is one label of a labelled pool as a relevant/irrelevant screening; for each seed both tools screen the
whole pool and WSS@95 and recall after 10% screened are computed from their orders the same way. Labelwise starts
from the label description alone; ASReview (3.0.8, `elas_u4`) gets one relevant and one irrelevant record drawn by
--prior-seed S. Needs ASReview in its own venv: python -m venv bench/.venv-asreview && pip install asreview==3.0.8.
Runs only the standard library besides the two tools.

ASReview's runs are slow on a shared CPU, so each one's order is kept in .cache/screening/ (keyed by the pool's
content, the label, the seed and ASReview's version) and reused by later runs of this script; `--tools asreview`
fills that cache in the background while the learner is worked on. Labelwise's runs are cached the same way, keyed
also by the learner's and simulate's source, so a changed learner is always run afresh. The JSON says for each run
whether it was reused and when it was computed.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import math
import os
import platform
import sqlite3
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ASREVIEW = ROOT / "bench" / ".venv-asreview" / "bin" / "asreview"
CACHE = ROOT / ".cache" / "screening"
POOLS = {
    "hoc": (["data/hoc/train.jsonl"], "data/hoc/labels.json"),
    "hoc-train+dev": (["data/hoc/train.jsonl", "data/hoc/dev.jsonl"], "data/hoc/labels.json"),
    "mtc5": (["data/mtc5/train.jsonl"], "data/mtc5/labels.json"),
}


def wss(relevant: list[bool], n: int, recall: float = 0.95) -> float:
    needed = math.ceil(recall * sum(relevant))
    found = 0
    for i, r in enumerate(relevant):
        found += r
        if found >= needed:
            return 1 - (i + 1) / n - (1 - recall)
    raise ValueError("order never reaches the recall")


def recall_at(relevant: list[bool], n: int, share: float = 0.1) -> float:
    return sum(relevant[: math.ceil(share * n)]) / sum(relevant)


def cpu_model() -> str:
    """`lscpu`'s model name (the CPU a figure came from)."""
    return next(
        (
            line.split(":", 1)[1].strip()
            for line in subprocess.run(["lscpu"], capture_output=True, text=True).stdout.splitlines()
            if line.startswith("Model name")
        ),
        platform.processor(),
    )


def run_simulate(args: list[str], summary: Path) -> tuple[str, float, dict]:
    """`labelwise simulate ARGS --summary SUMMARY`: its steps (stdout), its seconds and its summary."""
    started = time.perf_counter()
    out = subprocess.run(
        ["node", "bin/labelwise.mjs", "simulate", *args, "--summary", str(summary)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return out, time.perf_counter() - started, json.loads(summary.read_text())


def code_hash(commit: str | None = None) -> str:
    """The learner's and simulate's source (of the working tree, or of a commit): a labelwise run is reused only
    while neither changed."""
    if commit is None:
        cli = [ROOT / "src/cli" / name for name in ("simulate.ts", "shared.ts")]
        files = sorted((ROOT / "src/core/learner").glob("*.ts")) + cli
        return hashlib.sha256(b"".join(f.read_bytes() for f in files if not f.name.endswith(".test.ts"))).hexdigest()
    git = ["git", "-C", str(ROOT)]
    listed = subprocess.run(
        [*git, "ls-tree", "--name-only", commit, "src/core/learner/"], capture_output=True, text=True
    )
    names = sorted(n for n in listed.stdout.split() if n.endswith(".ts") and not n.endswith(".test.ts"))
    names += ["src/cli/simulate.ts", "src/cli/shared.ts"]
    show = [subprocess.run([*git, "show", f"{commit}:{n}"], capture_output=True, check=True).stdout for n in names]
    return hashlib.sha256(b"".join(show)).hexdigest()


def labelwise(pool: Path, scheme: str, label: str, seed: int, scratch: Path, a: argparse.Namespace) -> tuple | None:
    cached_only = a.cached_only
    cached = None
    for commit in [None, *a.learner_commit]:
        code = code_hash(commit)
        key = hashlib.sha256(json.dumps([code, scheme, label, seed]).encode() + pool.read_bytes()).hexdigest()
        cached = CACHE / f"labelwise-{key[:24]}.json"
        if cached.exists():
            kept = json.loads(cached.read_text())
            return kept["order"], {**kept["extra"], "reused_from": kept["computed_at"], "learner": commit or "tree"}
        if commit is None:
            new_run = cached
    if cached_only:
        return None
    cached = new_run
    args = ["--data", str(pool), "--scheme", scheme, "--label", label, "--seed", str(seed), "--stop-at-last-relevant"]
    out, seconds, report = run_simulate(args, scratch / "summary.json")
    order = [label in json.loads(line)["decision"] for line in out.splitlines()]
    extra = {"seconds": round(seconds, 1), "training_ms": report["training_ms"], "screened": report["screened"]}
    CACHE.mkdir(parents=True, exist_ok=True)
    computed_at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    cached.write_text(json.dumps({"order": order, "extra": extra, "computed_at": computed_at}))
    return order, {**extra, "computed_at": computed_at}


def asreview(
    records: list[dict], label: str, seed: int, scratch: Path, version: str, cached_only: bool
) -> tuple | None:
    pool = [[r["text"], r["labels"]] for r in records]
    key = hashlib.sha256(json.dumps([version, label, seed, pool]).encode()).hexdigest()
    cached = CACHE / f"asreview-{key[:24]}.json"
    if cached.exists():
        kept = json.loads(cached.read_text())
        return kept["order"], {"seconds": kept["seconds"], "reused_from": kept["computed_at"]}
    if cached_only:
        return None
    data = scratch / "pool.csv"
    with open(data, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["record_id", "title", "abstract", "label_included"])
        for i, r in enumerate(records):
            w.writerow([i, "", r["text"], int(label in r["labels"])])
    project = scratch / "run.asreview"
    project.unlink(missing_ok=True)
    (scratch / "results.db").unlink(missing_ok=True)
    started = time.perf_counter()
    subprocess.run(
        [
            str(ASREVIEW),
            "simulate",
            str(data),
            "--n-prior-included",
            "1",
            "--n-prior-excluded",
            "1",
            "--seed",
            str(seed),
            "--prior-seed",
            str(seed),
            "-o",
            str(project),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    seconds = time.perf_counter() - started
    with zipfile.ZipFile(project) as z:
        z.extract("results.db", scratch)
    with sqlite3.connect(scratch / "results.db") as db:
        labels = [row[0] for row in db.execute("SELECT label FROM results ORDER BY time, rowid")]
    # ASReview stops once the last relevant record is found: the rest of its order is irrelevant.
    order = [bool(x) for x in labels]
    CACHE.mkdir(parents=True, exist_ok=True)
    computed_at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    cached.write_text(json.dumps({"order": order, "seconds": round(seconds, 1), "computed_at": computed_at}))
    return order, {"seconds": round(seconds, 1), "computed_at": computed_at}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", type=Path, default=ROOT / "bench/results/screening.json")
    p.add_argument("--tasks", nargs="+", default=["hoc-train+dev", "mtc5"], choices=sorted(POOLS))
    p.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    p.add_argument("--labels", nargs="*", help="only these labels of each pool (default: all)")
    p.add_argument("--tools", nargs="+", default=["labelwise", "asreview"], choices=["labelwise", "asreview"])
    p.add_argument("--cached-only", action="store_true", help="only runs already in .cache/screening (no new run)")
    p.add_argument(
        "--learner-commit",
        nargs="*",
        default=[],
        help="also reuse labelwise runs made with the learner of these commits",
    )
    p.add_argument(
        "--merge",
        nargs="*",
        type=Path,
        help="no new run: pair the runs of earlier outputs of this script (e.g. one per tool, run at the same time)",
    )
    a = p.parse_args(argv)
    cpu = cpu_model()
    asreview_version = subprocess.run([str(ASREVIEW), "--version"], capture_output=True, text=True).stdout.strip()
    if a.merge:
        merged: dict[tuple, dict] = {}
        for file in a.merge:
            for run in json.loads(file.read_text())["runs"]:
                key = (run["pool"], run["label"], run["seed"])
                merged.setdefault(key, {k: v for k, v in run.items() if k not in ("labelwise", "asreview")})
                for tool in ("labelwise", "asreview"):
                    if tool in run:
                        merged[key][tool] = {**run[tool], "from": str(file.name)}
        write(a, argv, cpu, asreview_version, list(merged.values()), complete=True)
        return 0
    rows = []
    with tempfile.TemporaryDirectory(prefix="screening-") as tmp:
        scratch = Path(tmp)
        pools = {}
        for task in a.tasks:
            files, scheme = POOLS[task]
            records = [json.loads(line) for f in files for line in (ROOT / f).read_text().splitlines() if line.strip()]
            pool = scratch / f"{task}.jsonl"
            pool.write_text("".join(json.dumps(r) + "\n" for r in records))
            names = [x["name"] for x in json.loads((ROOT / scheme).read_text())["labels"]]
            pools[task] = (records, pool, scheme, names)
        # Seed by seed, so a run cut short has every task at least once.
        for seed in a.seeds:
            for task in a.tasks:
                records, pool, scheme, names = pools[task]
                for label in names:
                    if a.labels and label not in a.labels:
                        continue
                    row = {
                        "pool": task,
                        "label": label,
                        "documents": len(records),
                        "seed": seed,
                        "relevant": sum(label in r["labels"] for r in records),
                    }
                    runs = {}
                    if "labelwise" in a.tools:
                        runs["labelwise"] = labelwise(pool, scheme, label, seed, scratch, a)
                    if "asreview" in a.tools:
                        runs["asreview"] = asreview(records, label, seed, scratch, asreview_version, a.cached_only)
                    for tool, run in runs.items():
                        if run is None:
                            continue
                        order, extra = run
                        row[tool] = {
                            "wss_at_95": round(wss(order, len(records)), 4),
                            "recall_at_10": round(recall_at(order, len(records)), 4),
                            **extra,
                        }
                    rows.append(row)
                    print(json.dumps(row), flush=True)
                    write(a, argv, cpu, asreview_version, rows, complete=False)
    write(a, argv, cpu, asreview_version, rows, complete=True)
    return 0


def write(
    a: argparse.Namespace, argv: list[str] | None, cpu: str, asreview_version: str, rows: list[dict], complete: bool
) -> None:
    """The results so far: a run cut short says so ("complete": false) and lists only what ran. Means and per-task
    figures are over the runs both tools finished (paired by pool, label and seed)."""
    paired = [r for r in rows if all(tool in r for tool in a.tools)]
    missing = [f"{r['pool']} / {r['label']} / seed {r['seed']}: {t}" for r in rows for t in a.tools if t not in r]

    def mean(rs: list[dict], tool: str, key: str) -> float:
        return round(sum(r[tool][key] for r in rs) / len(rs), 4)

    by_task: dict[tuple[str, str], list[dict]] = {}
    for r in paired:
        by_task.setdefault((r["pool"], r["label"]), []).append(r)
    per_task = [
        {
            "pool": pool,
            "label": label,
            "seeds": len(rs),
            **{f"{tool}_wss_at_95": mean(rs, tool, "wss_at_95") for tool in a.tools},
            **{f"{tool}_recall_at_10": mean(rs, tool, "recall_at_10") for tool in a.tools},
        }
        for (pool, label), rs in by_task.items()
    ]
    targets = None
    if paired and set(a.tools) == {"labelwise", "asreview"}:
        gaps = [t["labelwise_wss_at_95"] - t["asreview_wss_at_95"] for t in per_task]
        targets = {
            "mean_wss_gain": round(sum(gaps) / len(gaps), 4),
            "mean_wss_gain_target": 0.05,
            "worst_task_gap": round(min(gaps), 4),
            "worst_task_gap_target": -0.05,
            "met": sum(gaps) / len(gaps) >= 0.05 and min(gaps) >= -0.05,
        }
    result = {
        "benchmark": "screening: labelwise simulate --label vs ASReview LAB simulate (issue 19)",
        "command": " ".join(
            ["bench/.venv-asreview/bin/python bench/screening.py", *(argv if argv is not None else sys.argv[1:])]
        ),
        "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "cpu": cpu,
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "asreview": f"{asreview_version} default (elas_u4), 1 prior included + 1 excluded drawn by --prior-seed S",
        "labelwise": "labelwise simulate --label: descriptions only at the start, no prior records",
        "labelwise_learner_commit": a.learner_commit
        or subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
        ).stdout.strip(),
        "complete": complete and not missing,
        "tasks_asked": a.tasks,
        "seeds_asked": a.seeds,
        "labels_asked": a.labels or "all",
        "runs_paired": len(paired),
        "missing": missing,
        "mean": {tool: {k: mean(paired, tool, k) for k in ("wss_at_95", "recall_at_10")} for tool in a.tools}
        if paired
        else None,
        "targets": targets,
        "per_task": per_task,
        "runs": rows,
    }
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    sys.exit(main())
