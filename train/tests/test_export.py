"""Train a tiny random model for two steps, export it, and compare ONNX Runtime with PyTorch."""

import json
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import pytest
import torch
from transformers import AutoTokenizer

from train.export import (
    Exported,
    activation_ranges,
    export,
    fused_graph,
    load_run,
    smooth_activations,
    weighted_matmuls,
    window_rows,
)
from train.train import TrainConfig, train

ROOT = Path(__file__).resolve().parents[2]
TINY = ROOT / "tests" / "fixtures" / "tiny-model"


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("export")
    data = tmp / "train.jsonl"
    lines = (ROOT / "data" / "hoc" / "train.jsonl").read_text().splitlines()[:24]
    data.write_text("\n".join(lines) + "\n")
    cfg = TrainConfig(
        data=[str(data)],
        labels=str(ROOT / "data" / "hoc" / "labels.json"),
        dev=str(data),
        out=str(tmp / "run"),
        encoder="tiny",
        epochs=1,
        max_steps=2,
        batch_size=8,
        evidence_weight=0.5,
        tune_fraction=0.25,
        threads=1,
    )
    report = train(cfg, tokenizer_dir=str(TINY))
    assert report["dev_evidence"]["pairs"] > 0
    manifest = export(tmp / "run", tmp / "model", "tiny-test", "0.0.1", str(data), fp16=True)
    return tmp, manifest


def test_model_folder_follows_the_contract(folder):
    tmp, manifest = folder
    out = tmp / "model"
    for name in ("model.json", "tokenizer.json", "tokenizer_config.json", "model.int8.onnx", "model.onnx"):
        assert (out / name).exists(), name
    assert manifest["task"] == "multi_label" and len(manifest["labels"]) == 10
    assert all(0 < label["threshold"] < 1 for label in manifest["labels"])
    assert manifest["window"]["stride"] < manifest["window"]["length"] == manifest["max_length"]
    tok = json.loads((out / "tokenizer.json").read_text())
    assert tok["truncation"] is None and tok["padding"] is None
    sess = ort.InferenceSession(str(out / "model.int8.onnx"), providers=["CPUExecutionProvider"])
    assert [i.name for i in sess.get_inputs()] == ["input_ids", "attention_mask"]
    assert [o.name for o in sess.get_outputs()] == ["logits", "label_attention"]


def test_fp32_graph_matches_pytorch_on_logits_and_attention(folder):
    tmp, manifest = folder
    assert manifest["parity"]["fp32_max_abs_difference"] <= 1e-4
    model, ckpt = load_run(tmp / "run")
    module = Exported(model, ckpt["label_embeddings"]).eval()
    ids = torch.tensor([[101, 2000, 3000, 4000, 5000, 102], [101, 2500, 3500, 102, 0, 0]])
    mask = (ids != 0).long()
    with torch.no_grad():
        logits, attention = module(ids, mask)
    sess = ort.InferenceSession(str(tmp / "model" / "model.onnx"), providers=["CPUExecutionProvider"])
    o_logits, o_attention = sess.run(None, {"input_ids": ids.numpy(), "attention_mask": mask.numpy()})
    assert np.abs(o_logits - logits.numpy()).max() < 1e-4
    assert np.abs(o_attention - attention.numpy()).max() < 1e-4
    # padding and [CLS]/[SEP] get nothing; each row sums to 1 over the text
    assert np.all(o_attention[1, :, 3:] == 0) and np.all(o_attention[:, :, 0] == 0)
    np.testing.assert_allclose(o_attention.sum(-1), 1.0, atol=1e-5)


def test_int8_graph_is_reported_against_fp32(folder):
    _, manifest = folder
    int8 = manifest["metrics"]["int8"]
    assert 0 <= int8["same_label_set_as_fp32"] <= 1 and int8["max_probability_difference"] >= 0
    # The documents beyond the margin are some of the fixture's 24; their agreement is a share of them.
    beyond = int8["beyond_margin"]
    assert beyond["margin"] > 0 and 0 <= beyond["documents"] <= 24
    assert (beyond["same_label_set_as_fp32"] is None) == (beyond["documents"] == 0)
    assert manifest["sizes"]["int8"] < manifest["sizes"]["fp32"]


def test_int8_graph_runs_the_fused_encoder_and_masks_padding(folder):
    tmp, _ = folder
    out = tmp / "model"
    ops = {node.op_type for node in onnx.load(str(out / "model.int8.onnx")).graph.node}
    assert {"QAttention", "SkipLayerNormalization"} <= ops
    ids = np.array([[101, 2000, 3000, 4000, 5000, 102], [101, 2500, 3500, 102, 0, 0]])
    feeds = {"input_ids": ids, "attention_mask": (ids != 0).astype(np.int64)}
    int8 = ort.InferenceSession(str(out / "model.int8.onnx"), providers=["CPUExecutionProvider"])
    logits, attention = int8.run(None, feeds)
    # A padded row scores as it does alone: the fused attention honours the mask. Not to 1e-4, since
    # dynamic quantization takes its activation range from the whole batch (here about 5e-3 apart;
    # with the mask ignored, 0.12).
    alone = int8.run(None, {"input_ids": ids[1:, :4], "attention_mask": feeds["attention_mask"][1:, :4]})
    np.testing.assert_allclose(logits[1], alone[0][0], atol=3e-2)
    assert np.all(attention[1, :, 4:] == 0)


def test_smoothing_keeps_the_fp32_function_and_evens_out_activation_ranges(folder):
    tmp, manifest = folder
    assert manifest["quantization"]["calibration_documents"] > 0
    model, ckpt = load_run(tmp / "run")
    module = Exported(model, ckpt["label_embeddings"]).eval()
    tokenizer = AutoTokenizer.from_pretrained(str(tmp / "run" / "tokenizer"))
    texts = [json.loads(line)["text"] for line in (tmp / "train.jsonl").read_text().splitlines()[:6]]
    rows = [row[None] for text in texts for row in window_rows(text, tokenizer, 512, 384)]
    fused = fused_graph(module, tmp / "probe.onnx")
    smoothed = onnx.ModelProto()
    smoothed.CopyFrom(fused)
    smooth_activations(smoothed, rows)

    matmuls = weighted_matmuls(smoothed)
    assert {node.op_type for node in matmuls} == {"Attention", "MatMul"}
    assert all(node.input[0].endswith("_smoothed") for node in matmuls)

    # Largest over smallest channel range, for the worst activation: what per-tensor int8 has to span.
    def spread(ranges: dict[str, np.ndarray]) -> float:
        return max(float(r.max() / max(r.min(), 1e-6)) for r in ranges.values())

    assert spread(activation_ranges(smoothed, rows)) < 0.5 * spread(activation_ranges(fused, rows))

    ids = np.array([[101, 2000, 3000, 4000, 5000, 102], [101, 2500, 3500, 102, 0, 0]])
    feeds = {"input_ids": ids, "attention_mask": (ids != 0).astype(np.int64)}
    before, after = (
        ort.InferenceSession(graph.SerializeToString(), providers=["CPUExecutionProvider"]).run(None, feeds)
        for graph in (fused, smoothed)
    )
    for a, b in zip(before, after, strict=True):
        np.testing.assert_allclose(a, b, atol=1e-4)


def test_fp16_graph_stores_half_weights_and_computes_in_fp32(folder):
    tmp, manifest = folder
    out = tmp / "model"
    graph = onnx.load(str(out / "model.fp16.onnx")).graph
    dtypes = {init.name: init.data_type for init in graph.initializer}
    # Half-precision tensors only feed a Cast to float (WebGPU adapters without shader-f16 run it), and the
    # token-embedding table is stored as int8 with a scale per row.
    half = {name for name, dtype in dtypes.items() if dtype == onnx.TensorProto.FLOAT16}
    assert half and all(node.op_type == "Cast" for node in graph.node if set(node.input) & half)
    assert any(dtype == onnx.TensorProto.INT8 for dtype in dtypes.values())
    assert manifest["sizes"]["fp16"] < 0.6 * manifest["sizes"]["fp32"]

    ids = np.array([[101, 2000, 3000, 4000, 5000, 102], [101, 2500, 3500, 102, 0, 0]])
    feeds = {"input_ids": ids, "attention_mask": (ids != 0).astype(np.int64)}
    runs = [
        ort.InferenceSession(str(out / name), providers=["CPUExecutionProvider"]).run(None, feeds)
        for name in ("model.onnx", "model.fp16.onnx")
    ]
    (logits32, attention32), (logits16, attention16) = runs
    assert logits16.dtype == np.float32 and attention16.dtype == np.float32
    assert np.abs(logits16 - logits32).max() < 2e-2
    assert np.abs(attention16 - attention32).max() < 2e-3
    assert 0 <= manifest["metrics"]["fp16"]["same_label_set_as_fp32"] <= 1


def test_reevaluate_rewrites_thresholds_and_metrics_and_keeps_training_figures(folder, tmp_path):
    import shutil

    from train.reevaluate import reevaluate

    run = tmp_path / "run"
    shutil.copytree(folder[0] / "run", run)
    before = json.loads((run / "metrics.json").read_text())
    again = reevaluate(run)  # the run's own rule, on the same weights: the same figures
    for key in ("thresholds", "threshold_rule", "dev", "dev_at_0.5", "dev_evidence", "history", "peak_rss_mib"):
        assert again[key] == before[key], key

    report = reevaluate(run, "global")
    assert report["threshold_rule"] == {"rule": "global"} and len(set(report["thresholds"])) == 1
    assert json.loads((run / "metrics.json").read_text()) == report
    _, ckpt = load_run(run)
    assert ckpt["thresholds"] == report["thresholds"] and ckpt["train_config"]["thresholds"] == "global"
