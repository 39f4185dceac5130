"""The label-attention model on a tiny random BERT: no pretrained weights, seconds on a CPU."""

import torch

from train.model import Classifier, ModelConfig, classification_loss, evidence_loss
from train.train import tiny_encoder

VOCAB = 200


def make(label_attention=True, multi_label=True, layers=1) -> Classifier:
    torch.manual_seed(0)
    cfg = ModelConfig(
        encoder="tiny",
        num_labels=3,
        multi_label=multi_label,
        label_attention=label_attention,
        layers=layers,
        heads=4,
        mlp_hidden=16,
        cls_id=1,
        sep_id=2,
    )
    return Classifier(cfg, tiny_encoder(VOCAB))


def batch():
    ids = torch.tensor([[1, 10, 11, 12, 13, 2], [1, 20, 21, 2, 0, 0]])
    mask = (ids != 0).long()
    return ids, mask


def labels_of(model):
    desc = torch.tensor([[1, 30, 31, 2], [1, 40, 2, 0], [1, 50, 51, 2]])
    return model.encode_labels(desc, (desc != 0).long())


def test_forward_shapes_and_backward_reaches_encoder_through_descriptions():
    model = make()
    ids, mask = batch()
    logits, attention = model(ids, mask, labels_of(model))
    assert logits.shape == (2, 3) and attention.shape == (2, 3, 6)
    loss = classification_loss(logits, torch.tensor([[1.0, 0, 1], [0, 1, 0]]), multi_label=True)
    loss.backward()
    encoder_grads = [p.grad for p in model.encoder.parameters() if p.grad is not None]
    assert encoder_grads and all(torch.isfinite(g).all() for g in encoder_grads)
    assert model.label_weight.grad.abs().sum() > 0


def test_padding_and_special_tokens_never_receive_attention():
    model = make(layers=2).eval()
    ids, mask = batch()
    _, attention = model(ids, mask, labels_of(model))
    assert torch.all(attention[1, :, 3:] == 0)  # [SEP] and the two padding positions
    assert torch.all(attention[:, :, 0] == 0)  # [CLS]
    assert torch.allclose(attention.sum(-1), torch.ones(2, 3), atol=1e-6)


def test_padding_does_not_change_the_prediction():
    model = make().eval()
    ids = torch.tensor([[1, 20, 21, 2]])
    padded = torch.tensor([[1, 20, 21, 2, 0, 0, 0]])
    emb = labels_of(model)
    a, att_a = model(ids, torch.ones_like(ids), emb)
    b, att_b = model(padded, (padded != 0).long(), emb)
    assert torch.allclose(a, b, atol=1e-5)
    assert torch.allclose(att_a, att_b[:, :, :4], atol=1e-6)


def test_baseline_uses_cls_and_has_no_attention():
    model = make(label_attention=False)
    ids, mask = batch()
    logits, attention = model(ids, mask, labels_of(model))
    assert logits.shape == (2, 3) and attention is None
    assert len(model.label_attention) == 0


def test_single_label_loss_is_softmax_cross_entropy():
    logits = torch.tensor([[2.0, 0.0, 0.0]])
    loss = classification_loss(logits, torch.tensor([[1.0, 0, 0]]), multi_label=False)
    expected = -torch.log_softmax(logits, -1)[0, 0]
    assert torch.isclose(loss, expected)


def test_evidence_loss_is_zero_without_evidence_and_rewards_mass_inside_it():
    attention = torch.full((1, 2, 4), 0.25, requires_grad=True)
    assert evidence_loss(attention, torch.zeros(1, 2, 4)).item() == 0.0
    evidence = torch.tensor([[[0, 1, 1, 0], [0, 0, 0, 0]]], dtype=torch.float)
    loss = evidence_loss(attention, evidence)
    assert abs(loss.item() - -torch.log(torch.tensor(0.5)).item()) < 1e-4
    focused = torch.tensor([[[0.0, 0.5, 0.5, 0.0], [0.25] * 4]])
    assert evidence_loss(focused, evidence).item() < loss.item()


def test_evidence_gradient_moves_attention_toward_evidence_tokens():
    model = make()
    ids, mask = batch()
    evidence = torch.zeros(2, 3, 6)
    evidence[0, 0, 3:5] = 1.0  # label 0 of document 0: tokens 3 and 4
    optimizer = torch.optim.SGD(model.parameters(), lr=0.5)

    def mass():
        _, attention = model(ids, mask, labels_of(model))
        return attention, (attention[0, 0] * evidence[0, 0]).sum()

    model.eval()  # no dropout: the comparison is exact
    with torch.no_grad():
        before = mass()[1].item()
    for _ in range(5):
        attention, _ = mass()
        optimizer.zero_grad()
        evidence_loss(attention, evidence).backward()
        optimizer.step()
    with torch.no_grad():
        after = mass()[1].item()
    assert after > before + 0.05
