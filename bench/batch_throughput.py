"""The Ray batch job (labelwise_batch) beside the Node CLI and plain Python ONNX Runtime, in one run.

    .venv/bin/python bench/batch_throughput.py [--documents 240] [--files 4]

1. Parity: HoC dev through `labelwise classify` and through the Ray job (JSONL input): labels identical, largest
   score difference.
2. Throughput on baseline-shaped input: --files gzipped PubMed XML files made here from data/hoc and data/mtc5 texts
   (the first --documents of them), each contender a fresh process over the same documents, then again over one
   short document (its fixed cost: process and Ray start, model load): the Node CLI and bench/python_throughput.py
   (one window per run, 2 threads) on the texts as JSONL; the job's own per-file function without Ray
   (labelwise_batch.job.classify_file: length-sorted batches, padded runs) with 1 and 2 threads; the Ray job with
   2 actors of 1 thread and 1 actor of 2 threads. CPU seconds are those of the whole process tree (the driver,
   Ray's GCS, raylet, agents, monitors and workers), polled from /proc and split by process; memory per actor is the
   largest resident set of a Classify actor process.
3. Ray's overhead: the Ray job's CPU seconds over the same function's without Ray at the same threads per process,
   split into a fixed part (one document) and a part per document.
4. Scaling on paper for the PubMed baseline from the CPU seconds per citation of the 2-actor run.
Writes bench/results/batch-throughput.json.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PYTHON = str(ROOT / ".venv/bin/python")
MODEL = ROOT / "public/models/hoc-minilm-lame"
TICKS = os.sysconf("SC_CLK_TCK")
BASELINE = {"citations": 36_000_000, "files": 1_200}
NODE_CLI = ["node", "bin/labelwise.mjs", "classify", "--model", str(MODEL), "--threads", "2"]


def descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                ppid = int(Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo += children.get(current, [])
    return found


SERVICES = {  # program (the process title for Ray's Python agents) -> part of the Ray job
    b"gcs_server": "gcs_server",
    b"raylet": "raylet",
    b"dashboard.py": "dashboard",
    b"ray::DashboardAgent": "dashboard_agent",
    b"ray::RuntimeEnvAgent": "runtime_env_agent",
    b"log_monitor.py": "log_monitor",
    b"monitor.py": "autoscaler_monitor",
}


def role(cmdline: bytes, is_root: bool) -> str:
    """What a process of the tree is: the driver, a Ray service, a Classify actor or another worker (Ray Data's
    own actors: stats, actor locations, autoscaling)."""
    if is_root:
        return "driver"
    argv = cmdline.split(b"\0")
    executable = argv[0].rsplit(b"/", 1)[-1]
    script = next((arg for arg in argv[1:3] if arg.endswith(b".py")), b"").rsplit(b"/", 1)[-1]
    for name in (argv[0], executable, script):
        if name in SERVICES:
            return SERVICES[name]
    if b"Classify" in argv[0] or b"MapWorker" in argv[0]:
        return "actors"
    if argv[0].startswith(b"ray::") or script in (b"default_worker.py", b"setup_worker.py"):
        return "other_workers"
    return "other: " + argv[0][:60].decode(errors="replace")


class TreeMonitor(threading.Thread):
    """Polls a process tree: CPU seconds per process (last seen) and its role (a worker that ever ran a Classify
    actor counts as an actor), largest RSS of Classify actor processes."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.cpu, self.roles, self.actor_rss, self.stop = pid, {}, {}, {}, threading.Event()

    def run(self) -> None:
        while not self.stop.wait(0.2):
            for pid in descendants(self.pid):
                try:
                    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                    cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
                except OSError:
                    continue
                key = (pid, fields[19])  # pid and start time: a reused pid is another process
                self.cpu[key] = (int(fields[11]) + int(fields[12])) / TICKS
                if cmdline and self.roles.get(key) != "actors":  # a zombie's command line is empty
                    self.roles[key] = role(cmdline, pid == self.pid)
                if self.roles.get(key) == "actors":
                    rss = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
                    self.actor_rss[key] = max(self.actor_rss.get(key, 0), rss)

    def cpu_seconds(self) -> float:
        return sum(self.cpu.values())

    def cpu_by_role(self) -> dict[str, float]:
        parts: dict[str, float] = {}
        for key, seconds in self.cpu.items():
            name = self.roles.get(key, "other")
            parts[name] = parts.get(name, 0) + seconds
        return {name: round(seconds, 2) for name, seconds in sorted(parts.items(), key=lambda item: -item[1])}


def measure(command: list[str], stdin: Path | None = None, stdout: Path | None = None) -> dict:
    started = time.perf_counter()
    with open(stdin or os.devnull, "rb") as source, open(stdout or os.devnull, "wb") as sink:
        process = subprocess.Popen(command, stdin=source, stdout=sink, stderr=subprocess.PIPE, cwd=ROOT)
        monitor = TreeMonitor(process.pid)
        monitor.start()
        _, stderr = process.communicate()
    wall = time.perf_counter() - started
    monitor.stop.set()
    monitor.join()
    if process.returncode not in (0,):
        raise SystemExit(f"{' '.join(command)} exited {process.returncode}:\n{stderr.decode()[-3000:]}")
    return {
        "wall_seconds": round(wall, 3),
        "cpu_seconds": round(monitor.cpu_seconds(), 2),
        "cpu_seconds_by_process": monitor.cpu_by_role(),
        "actor_max_rss_mib": sorted(round(rss / 2**20, 1) for rss in monitor.actor_rss.values()),
    }


def documents(limit: int) -> list[dict]:
    """Real abstracts, HoC first then the five-class set, as the reader will give them back (spaces normalised)."""
    from labelwise_batch.readers import normalize_space

    out = []
    for name in ["data/hoc/train.jsonl", "data/mtc5/train.jsonl"]:
        for line in open(ROOT / name, encoding="utf-8"):
            record = json.loads(line)
            out.append({"id": str(30_000_000 + len(out)), "text": normalize_space(record["text"])})
            if len(out) == limit:
                return out
    return out


def pubmed_files(docs: list[dict], count: int, folder: Path) -> list[Path]:
    paths = []
    for index in range(count):
        path = folder / f"pubmed26n{index + 1:04d}.xml.gz"
        with gzip.open(path, "wt", encoding="utf-8") as xml:
            xml.write('<?xml version="1.0" encoding="utf-8"?>\n<PubmedArticleSet>\n')
            for doc in docs[index::count]:
                xml.write(
                    f'<PubmedArticle><MedlineCitation Status="MEDLINE"><PMID Version="1">{doc["id"]}</PMID>'
                    f"<Article><ArticleTitle>Citation {doc['id']}</ArticleTitle><Abstract><AbstractText>"
                    f"{escape(doc['text'])}</AbstractText></Abstract></Article></MedlineCitation></PubmedArticle>\n"
                )
            xml.write("</PubmedArticleSet>\n")
        paths.append(path)
    return paths


def plain(files: list[str], threads: int, batch: int) -> None:
    """The job without Ray: the same per-file function the actors run (read, length-sorted batches, score) and the
    driver's Parquet output of each file, in one process, one file after another; prints the CPU seconds of the
    output part (what the driver spends per citation besides Ray)."""
    from labelwise_batch.job import classify_file, output_table, write_atomically
    from train.inference import Manifest, OnnxClassifier

    classifier = OnnxClassifier(MODEL, threads=threads)
    manifest = Manifest.load(MODEL)
    out = Path(tempfile.mkdtemp(prefix="labelwise-batch-plain-"))
    count, output_cpu = 0, 0.0
    for source, file in enumerate(files):
        rows = classify_file(classifier, {"source": source, "path": file}, batch, max_rows=16)
        count += sum(row["kind"] == "doc" for row in rows)
        started = time.process_time()
        kept = [row for row in rows if row["kind"] in ("doc", "deleted")]
        write_atomically(output_table(kept, manifest), out / f"{source}.parquet")
        output_cpu += time.process_time() - started
    print(json.dumps({"documents": count, "output_cpu_seconds": output_cpu}))


def ray_job(inputs: list[str], out: Path, actors: int) -> list[str]:
    return [PYTHON, "-m", "labelwise_batch", "--model", str(MODEL), "--input", *inputs, "--output", str(out),
            "--actors", str(actors), "--threads", str(2 // actors), "--num-cpus", "2"]  # fmt: skip


def parity(scratch: Path, limit: int | None) -> dict:
    import pyarrow.parquet as pq

    dev = scratch / "dev.jsonl"
    dev.write_text("".join(open(ROOT / "data/hoc/dev.jsonl", encoding="utf-8").readlines()[:limit]))
    cli_out = scratch / "cli-dev.jsonl"
    measure(["node", "bin/labelwise.mjs", "classify", "--model", str(MODEL)], stdin=dev, stdout=cli_out)
    measure(ray_job([str(dev)], scratch / "ray-dev", 2))
    table = pq.read_table(scratch / "ray-dev/dev.parquet").to_pylist()
    ray_rows = {row["id"]: row for row in table}
    names = [label["name"] for label in json.loads((MODEL / "model.json").read_text())["labels"]]
    same, worst, count = 0, 0.0, 0
    for line in open(cli_out, encoding="utf-8"):
        cli = json.loads(line)
        row = ray_rows[str(cli["id"])]
        same += cli["labels"] == row["labels"]
        worst = max(worst, max(abs(cli["scores"][name] - row[name]) for name in names))
        count += 1
    return {
        "data": "data/hoc/dev.jsonl" + (f" (first {limit})" if limit else ""),
        "documents": count,
        "ray_rows": len(ray_rows),
        "same_labels": same,
        "max_score_difference": worst,
        "rechecked": sum(row["rechecked"] for row in table),
    }


def per_thousand(cpu: float, docs: int) -> float:
    return round(1000 * cpu / docs, 2)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--documents", type=int, default=240)
    parser.add_argument("--files", type=int, default=4)
    parser.add_argument("--out", default=str(ROOT / "bench/results/batch-throughput.json"))
    parser.add_argument("--parity-documents", type=int, help="first N of HoC dev (default: all)")
    parser.add_argument("--plain", nargs="+", help=argparse.SUPPRESS)
    parser.add_argument("--plain-threads", type=int, default=1, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.plain:
        plain(args.plain, threads=args.plain_threads, batch=64)
        return 0

    scratch = Path(tempfile.mkdtemp(prefix="labelwise-batch-bench-"))
    docs = documents(args.documents)
    files = [str(path) for path in pubmed_files(docs, args.files, scratch)]
    jsonl = scratch / "all.jsonl"
    jsonl.write_text("".join(json.dumps(doc) + "\n" for doc in docs))
    one = scratch / "one.jsonl"  # one short document: process start, model load (and Ray's start)
    one.write_text(json.dumps({"id": "1", "text": "Tumour cells."}) + "\n")
    n = len(docs)
    load_at_start = os.getloadavg()

    result: dict = {
        "benchmark": "labelwise_batch (Ray Data) beside the Node CLI and plain ONNX Runtime",
        "command": "python bench/batch_throughput.py " + " ".join(sys.argv[1:]),
        "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "parity": parity(scratch, args.parity_documents),
    }
    contenders = {  # name -> (command on the whole input, command on one document, stdin of the whole input)
        "node_cli": (NODE_CLI, NODE_CLI, jsonl),
        "plain_ort_1_thread": (plain_command(files, 1), plain_command([str(one)], 1), None),
        "ray_2_actors": (ray_job(files, scratch / "ray2", 2), ray_job([str(one)], scratch / "ray2-one", 2), None),
        "plain_ort_2_threads": (plain_command(files, 2), plain_command([str(one)], 2), None),
        "ray_1_actor": (ray_job(files, scratch / "ray1", 1), ray_job([str(one)], scratch / "ray1-one", 1), None),
        "python_ort": (python_ort_command(jsonl), python_ort_command(one), None),
    }
    throughput = {}
    for name, (whole, startup, stdin) in contenders.items():
        printed = scratch / f"{name}.out"
        run = measure(whole, stdin=stdin, stdout=printed)
        if name.startswith("plain"):
            run["output_cpu_seconds"] = round(json.loads(printed.read_text())["output_cpu_seconds"], 3)
        start = measure(startup, stdin=one if stdin else None)
        steady_cpu = run["cpu_seconds"] - start["cpu_seconds"]
        throughput[name] = {
            **run,
            "abstracts_per_second": round(n / run["wall_seconds"], 2),
            "cpu_seconds_per_1000": per_thousand(run["cpu_seconds"], n),
            "startup": start,
            "cpu_seconds_per_1000_after_startup": per_thousand(steady_cpu, n),
            "load_average": round(os.getloadavg()[0], 1),
        }
    node, ray2 = throughput["node_cli"], throughput["ray_2_actors"]
    result |= {
        "load_average": {"start": round(load_at_start[0], 1), "end": round(os.getloadavg()[0], 1)},
        "note": "2 cores shared with other engineers' work (load average above, and after each run in its entry):"
        " wall time is stretched by the load, CPU seconds much less; compare ratios and CPU seconds of one run",
        "input": {
            "documents": n,
            "files": args.files,
            "source": "the first documents of data/hoc/train.jsonl then data/mtc5/train.jsonl, as gzipped PubMed XML"
            " (one AbstractText each, synthetic PMIDs); the Node CLI and python_throughput read the same texts as"
            " JSONL",
        },
        "throughput": throughput,
        "ray_2_actors_vs_node_cli": {
            "abstracts_per_second": round(ray2["abstracts_per_second"] / node["abstracts_per_second"], 3),
            "cpu_seconds_per_1000": round(ray2["cpu_seconds_per_1000"] / node["cpu_seconds_per_1000"], 3),
        },
        "ray_overhead": {
            "definition": "CPU seconds of the Ray job (every process: driver, GCS, raylet, agents, monitors, workers)"
            " over those of the same per-file function (labelwise_batch.job.classify_file: read, length-sorted"
            " batches of 64, 16 windows per run) and the same Parquet output in one process without Ray, with the same"
            " threads per process;"
            " fixed: the difference on one document (Ray's start, actor start), per_document: the difference of"
            " what the whole input adds over one document",
            "ray_2_actors_vs_plain_1_thread": overhead(ray2, throughput["plain_ort_1_thread"], n),
            "ray_1_actor_vs_plain_2_threads": overhead(throughput["ray_1_actor"], throughput["plain_ort_2_threads"], n),
        },
        "memory_per_actor_mib": max(ray2["actor_max_rss_mib"] + throughput["ray_1_actor"]["actor_max_rss_mib"]),
        "scaling_on_paper": scaling(ray2, throughput["plain_ort_1_thread"], n),
    }
    Path(args.out).write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    return 0


def plain_command(files: list[str], threads: int) -> list[str]:
    return [PYTHON, "bench/batch_throughput.py", "--plain", *files, "--plain-threads", str(threads)]


def python_ort_command(data: Path) -> list[str]:
    return [PYTHON, "bench/python_throughput.py", "--backend", "ort", "--model", str(MODEL), "--data", str(data),
            "--threads", "2"]  # fmt: skip


def overhead(ray: dict, plain: dict, n: int) -> dict:
    """Ray's CPU seconds over plain's, in all and split into a fixed part and a part per document."""
    fixed = ray["startup"]["cpu_seconds"] - plain["startup"]["cpu_seconds"]
    plain_steady = plain["cpu_seconds"] - plain["startup"]["cpu_seconds"]
    ray_steady = ray["cpu_seconds"] - ray["startup"]["cpu_seconds"]
    per_document = ray_steady / plain_steady - 1
    out = {
        "end_to_end": round(ray["cpu_seconds"] / plain["cpu_seconds"] - 1, 3),
        "fixed_cpu_seconds": round(fixed, 2),
        "per_document": round(per_document, 3),
        "by_process": {
            "whole_input": ray["cpu_seconds_by_process"],
            "one_document": ray["startup"]["cpu_seconds_by_process"],
            "plain_whole_input": plain["cpu_seconds"],
            "plain_one_document": plain["startup"]["cpu_seconds"],
        },
    }
    if per_document < 0.1:  # the input size past which the whole run's overhead is under 10 %
        out["documents_for_under_10_percent"] = round(fixed / ((0.1 - per_document) * plain_steady / n))
    return out


def scaling(ray2: dict, plain: dict, n: int) -> dict:
    """The baseline on N nodes of K cores from CPU seconds per citation (2 actors of 1 thread, Ray's start left
    out), a file at a time per actor."""
    cpu_per_citation = (ray2["cpu_seconds"] - ray2["startup"]["cpu_seconds"]) / n
    parts, start_parts = ray2["cpu_seconds_by_process"], ray2["startup"]["cpu_seconds_by_process"]
    driver_steady = parts.get("driver", 0) - start_parts.get("driver", 0)
    driver_per_wall_second = driver_steady / (ray2["wall_seconds"] - ray2["startup"]["wall_seconds"])
    output_per_citation = plain["output_cpu_seconds"] / n
    per_file = BASELINE["citations"] / BASELINE["files"]
    file_hours = per_file * cpu_per_citation / 3600
    rss = max(ray2["actor_max_rss_mib"])
    rows = []
    for nodes in (1, 10, 50, 100):
        for cores in (2, 16, 64):
            rounds = -(-BASELINE["files"] // (nodes * cores))
            rows.append({"nodes": nodes, "cores_per_node": cores, "wall_hours": round(rounds * file_hours, 2),
                         "actor_memory_per_node_gib": round(cores * rss / 1024, 1)})  # fmt: skip
    return {
        "assumptions": [
            f"the baseline: {BASELINE['citations']:,} citations in {BASELINE['files']:,} files of"
            f" {per_file:,.0f}, every citation classified (those without an abstract are skipped, so this is an"
            " upper bound); abstracts as long on average as this benchmark's (HoC and five-class abstracts)",
            "CPU seconds per citation as measured here for the whole Ray job (all its processes) with 2 actors of 1"
            " thread, the fixed start-up left out; a dedicated core gives one CPU second per second",
            "one actor of 1 thread per core; each actor reads, classifies and returns one whole file at a time, so"
            " the wall time is (files / cores, rounded up) times one file's time: past 1,200 cores more cores do"
            " not help",
            "inputs, outputs and the model folder on storage every node reads; reading and writing not the"
            " bottleneck; the driver gathers every score and writes every Parquet file: its CPU per citation for"
            " that (measured in the run without Ray) limits how many actors one driver keeps busy; the rest of its"
            " CPU here (Ray Data's scheduling loop and progress bars) goes by the second, not by the citation",
            "Ray's start (tens of seconds) is paid once and left out",
        ],
        "cpu_seconds_per_citation": round(cpu_per_citation, 4),
        "cpu_hours_whole_baseline": round(BASELINE["citations"] * cpu_per_citation / 3600, 1),
        "one_file_hours": round(file_hours, 2),
        "driver_output_cpu_seconds_per_citation": round(output_per_citation, 6),
        "driver_cpu_seconds_per_wall_second": round(driver_per_wall_second, 4),
        "actors_one_driver_keeps_busy": round(cpu_per_citation / output_per_citation),
        "wall_time": rows,
    }


def cpu_model() -> str:
    for line in subprocess.run(["lscpu"], capture_output=True, text=True).stdout.splitlines():
        if line.startswith("Model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor()


if __name__ == "__main__":
    sys.exit(main())
