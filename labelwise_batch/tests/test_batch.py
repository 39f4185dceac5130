"""The batch job on a real local Ray (2 CPUs), real ONNX Runtime and the real Node CLI as the reference."""

from __future__ import annotations

import contextlib
import gzip
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from labelwise_batch.job import main
from labelwise_batch.readers import Document, read_events

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "public/models/hoc-minilm-lame"
FIXTURES = Path(__file__).parent / "fixtures"
PUBMED_FIXTURES = sorted(
    {*(ROOT / "tests/fixtures/pubmed").glob("*.xml"), *Path("/work/shared/fixtures/pubmed").glob("*.xml")}
) + [FIXTURES / "update.xml"]
# HoC dev lines: two one-window abstracts, two of two windows (638 and 520 tokens), one the borderline graph rescores.
PARITY_LINES = [0, 1, 5, 8, 26]


def node(*args: str, stdin: str | None = None) -> str:
    return subprocess.run(
        ["node", str(ROOT / "bin/labelwise.mjs"), *args], input=stdin, capture_output=True, text=True, cwd=ROOT
    ).stdout


@pytest.mark.parametrize("path", PUBMED_FIXTURES, ids=lambda path: path.name)
def test_python_reader_gives_the_typescript_readers_documents(path: Path):
    typescript = [json.loads(line) for line in node("import", str(path)).splitlines()]
    python = [
        {"id": e.id, "pmid": e.pmid, **({"title": e.title} if e.title else {}), "text": e.text}
        for e in read_events(path)
        if isinstance(e, Document)
    ]
    assert typescript and python == typescript


@pytest.fixture(scope="module")
def ray_local():
    import ray

    ray.init(num_cpus=2, include_dashboard=False)
    yield
    ray.shutdown()


def run_job(inputs: list[Path], output: Path, capsys) -> tuple[int, str]:
    code = main(["--model", str(MODEL), "--input", *map(str, inputs), "--output", str(output), "--actors", "2"])
    return code, capsys.readouterr().err


def test_scores_match_the_node_cli(ray_local, tmp_path, capsys):
    lines = (ROOT / "data/hoc/dev.jsonl").read_text().splitlines()
    (tmp_path / "slice.jsonl").write_text("".join(lines[i] + "\n" for i in PARITY_LINES))
    cli = {json.loads(line)["id"]: json.loads(line) for line in node(
        "classify", "--model", str(MODEL), stdin=(tmp_path / "slice.jsonl").read_text()).splitlines()}  # fmt: skip
    pmids = {json.loads(lines[i])["id"]: json.loads(lines[i])["pmid"] for i in PARITY_LINES}
    code, _ = run_job([tmp_path / "slice.jsonl"], tmp_path / "out", capsys)
    rows = pq.read_table(tmp_path / "out/slice.parquet").to_pylist()
    assert code == 0 and sorted(row["id"] for row in rows) == sorted(cli)
    assert any(row["rechecked"] for row in rows)
    for row in rows:
        assert row["labels"] == cli[row["id"]]["labels"]
        assert row["model_id"] == "hoc-minilm-lame" and row["pmid"] == pmids[row["id"]] and not row["deleted"]
        for name, score in cli[row["id"]]["scores"].items():
            assert abs(row[name] - score) < 1e-4


def test_update_file_deletions_and_bad_inputs_are_reported_and_the_rest_is_written(ray_local, tmp_path, capsys):
    good = tmp_path / "pubmed26n0001.xml.gz"
    good.write_bytes(gzip.compress((FIXTURES / "update.xml").read_bytes()))
    (tmp_path / "empty.xml").write_bytes(b"")
    (tmp_path / "plain.xml.gz").write_bytes((FIXTURES / "update.xml").read_bytes())
    (tmp_path / "cut.xml.gz").write_bytes(good.read_bytes()[: len(good.read_bytes()) // 2])
    text = (FIXTURES / "update.xml").read_text()
    (tmp_path / "broken.xml").write_text(text[: text.index("<PubmedBookArticle>") + 40])
    inputs = [good, *(tmp_path / name for name in ["empty.xml", "plain.xml.gz", "cut.xml.gz", "broken.xml"])]
    code, err = run_job(inputs, tmp_path / "out", capsys)
    assert code == 1
    assert sorted(path.name for path in (tmp_path / "out").iterdir()) == ["pubmed26n0001.parquet"]
    assert f"{good}:26: record has no PMID" in err
    assert f"{tmp_path / 'empty.xml'}: the file is empty" in err
    assert f"{tmp_path / 'plain.xml.gz'}: not a gzip file" in err
    assert f"{tmp_path / 'cut.xml.gz'}:" in err and "cannot read on" in err
    assert f"{tmp_path / 'broken.xml'}:" in err and "breaks off inside <PubmedArticle>" in err
    rows = pq.read_table(tmp_path / "out/pubmed26n0001.parquet").to_pylist()
    assert [(row["id"], row["deleted"]) for row in rows] == [
        ("31000001", False),
        ("31000003", False),
        ("29000001", True),
        ("29000002", True),
    ]
    assert rows[2]["labels"] is None and rows[0]["labels"] is not None
    assert "Enabling replicative immortality" in rows[0]["labels"]


def test_a_rerun_after_a_failed_input_gives_the_outputs_of_an_uninterrupted_run(ray_local, tmp_path, capsys):
    dev = (ROOT / "data/hoc/dev.jsonl").read_text().splitlines()
    first, second = tmp_path / "first.jsonl", tmp_path / "second.jsonl"
    first.write_text("\n".join(dev[:3]) + "\n")
    whole = "\n".join(dev[3:6]) + "\n"
    second.write_text(whole)
    assert run_job([first, second], tmp_path / "uninterrupted", capsys)[0] == 0

    second.write_bytes(gzip.compress(whole.encode())[:-20])  # the copy broke off: gzip data, no end
    shutil.move(second, tmp_path / "second.jsonl.gz")
    second_gz = tmp_path / "second.jsonl.gz"
    code, err = run_job([first, second_gz], tmp_path / "resumed", capsys)
    assert code == 1 and f"{second_gz}" in err
    written = tmp_path / "resumed/first.parquet"
    stamp = written.stat().st_mtime_ns

    second_gz.write_bytes(gzip.compress(whole.encode()))
    code, err = run_job([first, second_gz], tmp_path / "resumed", capsys)
    assert code == 0 and "first.parquet is complete, skipped" in err and written.stat().st_mtime_ns == stamp
    for name in ["first.parquet", "second.parquet"]:
        assert pq.read_table(tmp_path / "resumed" / name).equals(pq.read_table(tmp_path / "uninterrupted" / name))
    assert sorted(path.name for path in (tmp_path / "resumed").iterdir()) == ["first.parquet", "second.parquet"]


def test_a_run_killed_after_its_first_output_then_rerun_gives_the_outputs_of_an_uninterrupted_run(
    ray_local, tmp_path, capsys
):
    dev = (ROOT / "data/hoc/dev.jsonl").read_text().splitlines()
    inputs = []
    for index, lines in enumerate([dev[:2], dev[2:8], dev[8:14]]):
        inputs.append(tmp_path / f"part{index}.jsonl")
        inputs[-1].write_text("\n".join(lines) + "\n")
    names = sorted(f"part{index}.parquet" for index in range(3))
    assert run_job(inputs, tmp_path / "uninterrupted", capsys)[0] == 0

    out = tmp_path / "killed"
    command = [sys.executable, "-m", "labelwise_batch", "--model", str(MODEL), "--input", *map(str, inputs),
               "--output", str(out), "--actors", "1", "--num-cpus", "1"]  # fmt: skip
    # Its own session, so Ray's processes, which outlive a SIGKILLed driver for a moment, can be ended after.
    log = open(tmp_path / "killed.log", "wb")
    job = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log, start_new_session=True)
    try:
        while job.poll() is None and not list(out.glob("*.parquet")):
            time.sleep(0.05)
        job.send_signal(signal.SIGKILL)
        job.wait()
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(job.pid, signal.SIGKILL)
        log.close()
    assert job.returncode == -signal.SIGKILL, (tmp_path / "killed.log").read_text()[-2000:]
    complete = sorted(path.name for path in out.glob("*.parquet"))
    assert complete and complete != names  # killed with an output written and another still to come
    stamps = {name: (out / name).stat().st_mtime_ns for name in complete}

    code, err = run_job(inputs, out, capsys)
    assert code == 0 and all(f"{name} is complete, skipped" in err for name in complete)
    assert {name: (out / name).stat().st_mtime_ns for name in complete} == stamps
    assert sorted(os.listdir(out)) == names  # no temporary file left beside the outputs
    for name in names:
        assert pq.read_table(out / name).equals(pq.read_table(tmp_path / "uninterrupted" / name))
