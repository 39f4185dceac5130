"""Train a tiny random model for two steps, export it, and compare ONNX Runtime with PyTorch."""

import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import pytest
import torch
from onnx import TensorProto, helper, numpy_helper

from train.agreement import AGREEMENT_MARGIN
from train.export import Exported, export, kept_history, load_run
from train.graph import fused_graph, weighted_matmuls
from train.quantize import hadamard, quantize_matmuls, rotate_activations, rotation_block
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


def cli_scores(model_dir: Path, texts: list[str], precision: str) -> np.ndarray:
    """Probabilities [N, L] from the Node CLI (the app's TypeScript core: its own tokenizer, windows and
    post-processing), in model.json's label order."""
    lines = "".join(json.dumps({"id": str(i), "text": text}) + "\n" for i, text in enumerate(texts))
    run = subprocess.run(
        ["node", "bin/labelwise.mjs", "classify", "--model", str(model_dir), "--precision", precision]
        + ["--threads", "1"],
        input=lines,
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    names = [label["name"] for label in json.loads((model_dir / "model.json").read_text())["labels"]]
    return np.array([[json.loads(line)["scores"][name] for name in names] for line in run.stdout.splitlines()])


def test_int8_graph_is_reported_against_fp32(folder, tmp_path):
    """The agreement figures model.json reports equal the ones the CLI's graphs give on the same documents."""
    tmp, manifest = folder
    # A copy without the borderline recheck, so the CLI's int8 scores are the int8 graph's own.
    model_dir = tmp_path / "model"
    shutil.copytree(tmp / "model", model_dir)
    plain = {key: value for key, value in manifest.items() if key != "borderline"}
    (model_dir / "model.json").write_text(json.dumps(plain))
    texts = [json.loads(line)["text"] for line in (tmp / "train.jsonl").read_text().splitlines()]
    p32, p8 = cli_scores(model_dir, texts, "fp32"), cli_scores(model_dir, texts, "int8")
    th = np.array([label["threshold"] for label in manifest["labels"]])
    same = ((p32 >= th) == (p8 >= th)).all(1)
    clear = np.abs(p32 - th).min(1) >= AGREEMENT_MARGIN

    int8 = manifest["metrics"]["int8"]
    assert 0 < np.abs(p32 - p8).max()  # two different graphs were compared
    assert int8["max_probability_difference"] == pytest.approx(np.abs(p32 - p8).max(), abs=2e-4)
    assert int8["same_label_set_as_fp32"] == round(float(same.mean()), 4)
    beyond = int8["beyond_margin"]
    assert beyond["margin"] == AGREEMENT_MARGIN
    assert beyond["documents"] == int(clear.sum())
    assert beyond["same_label_set_as_fp32"] == (round(float(same[clear].mean()), 4) if clear.any() else None)
    assert manifest["sizes"]["int8"] < manifest["sizes"]["fp32"]


def test_int8_graph_scores_each_window_as_it_would_alone(folder):
    tmp, _ = folder
    out = tmp / "model"
    ops = {node.op_type for node in onnx.load(str(out / "model.int8.onnx")).graph.node}
    assert {"MatMulIntegerToFloat", "MultiHeadAttention", "SkipLayerNormalization"} <= ops
    assert "DynamicQuantizeLinear" not in ops
    ids = np.array([[101, 2000, 3000, 4000, 5000, 102], [101, 2500, 3500, 102, 0, 0]])
    feeds = {"input_ids": ids, "attention_mask": (ids != 0).astype(np.int64)}
    int8 = ort.InferenceSession(str(out / "model.int8.onnx"), providers=["CPUExecutionProvider"])
    logits, attention = int8.run(None, feeds)
    # Ranges are per token, so neither the padding nor the other row changes a window's integers: the padded
    # row scores as it does alone. With one range per batch, as ONNX Runtime's dynamic quantization takes
    # it, the two were 5e-3 apart.
    alone = int8.run(None, {"input_ids": ids[1:, :4], "attention_mask": feeds["attention_mask"][1:, :4]})
    np.testing.assert_allclose(logits[1], alone[0][0], atol=1e-5)
    assert np.all(attention[1, :, 4:] == 0)


def test_hadamard_blocks_are_orthonormal():
    for size in (1, 2, 32, 64):
        h = hadamard(size)
        np.testing.assert_allclose(h @ h.T, np.eye(size), atol=1e-6)
    assert rotation_block(384) == 64 and rotation_block(1536) == 64 and rotation_block(32) == 32
    assert rotation_block(48) == 16


def test_rotation_keeps_the_fp32_function(folder):
    tmp, _ = folder
    model, ckpt = load_run(tmp / "run")
    fused = fused_graph(Exported(model, ckpt["label_embeddings"]).eval(), tmp / "probe.onnx", model.encoder)
    rotated = onnx.ModelProto()
    rotated.CopyFrom(fused)
    matmuls = [node.output[0] for node in weighted_matmuls(rotated)]
    rotate_activations(rotated, matmuls)
    producers = {node.output[0]: node for node in rotated.graph.node}
    assert matmuls and all(producers[name].input[0].endswith("_rotated") for name in matmuls)

    ids = np.array([[101, 2000, 3000, 4000, 5000, 102], [101, 2500, 3500, 102, 0, 0]])
    feeds = {"input_ids": ids, "attention_mask": (ids != 0).astype(np.int64)}
    before, after = (
        ort.InferenceSession(graph.SerializeToString(), providers=["CPUExecutionProvider"]).run(None, feeds)
        for graph in (fused, rotated)
    )
    for a, b in zip(before, after, strict=True):
        np.testing.assert_allclose(a, b, atol=1e-4)


def test_per_token_ranges_keep_small_tokens_beside_an_outlier():
    """y = x W in int8, one token 1000x larger than the other: each keeps its own range and resolution."""
    rng = np.random.default_rng(0)
    weight = rng.normal(size=(64, 16)).astype(np.float32)
    x = rng.normal(size=(1, 2, 64)).astype(np.float32)
    x[0, 1] *= 1000
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["x", "w"], ["y"])],
        "matmul",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 2, 64])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 2, 16])],
        [numpy_helper.from_array(weight, "w")],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    quantize_matmuls(model, ["y"])
    onnx.checker.check_model(model)
    assert [node.op_type for node in model.graph.node].count("MatMulIntegerToFloat") == 1
    y = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"]).run(None, {"x": x})[0]
    exact = x @ weight
    for token in range(2):
        error = np.abs(y[0, token] - exact[0, token]).max() / np.abs(exact[0, token]).max()
        assert error < 0.03, (token, error)


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


def test_borderline_documents_are_rechecked_with_the_fp16_graph(folder):
    _, manifest = folder
    assert manifest["borderline"] == {"margin": AGREEMENT_MARGIN, "precision": "fp16"}
    recheck = manifest["metrics"]["int8"]["with_borderline_recheck"]
    assert 0 <= recheck["rechecked_documents"] <= 24
    assert 0 <= recheck["same_label_set_as_fp32"] <= 1


def test_keep_graphs_measures_the_graphs_in_the_folder_without_rebuilding_them(folder, tmp_path):
    tmp, manifest = folder
    out = tmp_path / "model"
    shutil.copytree(tmp / "model", out)
    # Stand the fp16 graph in for the int8 one: kept and measured, it must score as the fp16 graph does.
    shutil.copyfile(out / "model.fp16.onnx", out / "model.int8.onnx")
    data = manifest["trained"]["data"][0]
    kept = export(tmp / "run", out, "tiny-test", "0.0.2", data, fp16=True, keep_graphs=True)
    assert (out / "model.int8.onnx").read_bytes() == (out / "model.fp16.onnx").read_bytes()
    for key in ("dev", "same_label_set_as_fp32", "max_probability_difference"):
        assert kept["metrics"]["int8"][key] == kept["metrics"]["fp16"][key] == manifest["metrics"]["fp16"][key]
    assert kept["version"] == "0.0.2"


def test_a_re_export_keeps_the_cards_hand_written_history(tmp_path):
    card = tmp_path / "README.md"
    assert kept_history(card) == ""
    card.write_text("# m 1.0.0\n\n## Dev figures\n0.8\n")
    assert kept_history(card) == ""
    card.write_text("# m 1.0.0\n\n## Training\n{}\n\n## History\n- 1.0.0: first shipped\n")
    assert kept_history(card) == "## History\n- 1.0.0: first shipped\n"
