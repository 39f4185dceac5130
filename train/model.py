"""Label attention over a pretrained encoder (Nguyen & Ji), and the [CLS] baseline.

Shapes: B documents, T tokens, L labels, D hidden size, H heads.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import nn
from torch.nn import functional as F
from transformers import AutoModel, PreTrainedModel

# Finite rather than -inf: a row with no real token (an empty text) gives a uniform
# distribution instead of NaN. exp(-1e9) is exactly 0 in float32.
MASKED = -1e9


@dataclass
class ModelConfig:
    encoder: str  # path of a Hugging Face BERT-family checkpoint
    num_labels: int
    multi_label: bool = True
    label_attention: bool = True  # False: the [CLS] baseline
    layers: int = 1  # stacked label-attention layers
    heads: int = 8
    mlp_hidden: int = 256
    dropout: float = 0.1
    cls_id: int = 101  # the tokenizer's [CLS] and [SEP]: labels never attend to them
    sep_id: int = 102


class LabelAttentionLayer(nn.Module):
    """Labels query the document: multi-head attention, residual + norm, FFN, residual + norm."""

    def __init__(self, dim: int, heads: int, dropout: float):
        super().__init__()
        assert dim % heads == 0, "hidden size must divide into heads"
        self.heads = heads
        self.q = nn.Linear(dim, dim)
        self.k = nn.Linear(dim, dim)
        self.v = nn.Linear(dim, dim)
        self.out = nn.Linear(dim, dim)
        self.norm1 = nn.LayerNorm(dim)
        self.ffn = nn.Sequential(nn.Linear(dim, 4 * dim), nn.GELU(), nn.Linear(4 * dim, dim))
        self.norm2 = nn.LayerNorm(dim)
        self.drop = nn.Dropout(dropout)

    def forward(
        self, queries: torch.Tensor, tokens: torch.Tensor, visible: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """queries [B, L, D], tokens [B, T, D], visible [B, T] bool.

        Returns the updated queries [B, L, D] and the attention averaged over heads [B, L, T].
        """
        b, n_labels, dim = queries.shape
        t = tokens.shape[1]
        hd = dim // self.heads

        def split(x: torch.Tensor, n: int) -> torch.Tensor:  # [B, n, D] -> [B, H, n, hd]
            return x.view(b, n, self.heads, hd).transpose(1, 2)

        q, k, v = split(self.q(queries), n_labels), split(self.k(tokens), t), split(self.v(tokens), t)
        scores = q @ k.transpose(-1, -2) / math.sqrt(hd)  # [B, H, L, T]
        scores = scores.masked_fill(~visible[:, None, None, :], MASKED)
        weights = scores.softmax(-1)
        attended = (self.drop(weights) @ v).transpose(1, 2).reshape(b, n_labels, dim)
        x = self.norm1(queries + self.drop(self.out(attended)))
        x = self.norm2(x + self.drop(self.ffn(x)))
        return x, weights.mean(1)


def content_mask(input_ids: torch.Tensor, attention_mask: torch.Tensor, cls_id: int, sep_id: int) -> torch.Tensor:
    """[B, T] bool: the tokens a label may attend to, the text's own (not [CLS], [SEP] or padding)."""
    return attention_mask.bool() & (input_ids != cls_id) & (input_ids != sep_id)


def mean_pool(states: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """states [N, T, D], mask [N, T] -> [N, D]; the pooling all-MiniLM-L6-v2 was trained with."""
    m = mask.unsqueeze(-1).to(states.dtype)
    return (states * m).sum(1) / m.sum(1).clamp(min=1e-9)


class Classifier(nn.Module):
    """Encoder + (label attention | [CLS]) + shared MLP + one weight vector and bias per label."""

    def __init__(self, cfg: ModelConfig, encoder: PreTrainedModel | None = None):
        super().__init__()
        self.cfg = cfg
        self.encoder = encoder if encoder is not None else AutoModel.from_pretrained(cfg.encoder)
        dim = self.encoder.config.hidden_size
        self.label_attention = nn.ModuleList(
            LabelAttentionLayer(dim, cfg.heads, cfg.dropout) for _ in range(cfg.layers if cfg.label_attention else 0)
        )
        self.mlp = nn.Sequential(nn.Dropout(cfg.dropout), nn.Linear(dim, cfg.mlp_hidden), nn.GELU())
        self.label_weight = nn.Parameter(torch.randn(cfg.num_labels, cfg.mlp_hidden) * cfg.mlp_hidden**-0.5)
        self.label_bias = nn.Parameter(torch.zeros(cfg.num_labels))

    def encode_labels(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """Label descriptions [L, T'] -> label embeddings [L, D], through the same encoder."""
        return mean_pool(self.encoder(input_ids=ids, attention_mask=mask).last_hidden_state, mask)

    def forward(
        self,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor,
        label_embeddings: torch.Tensor,
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        """Documents [B, T] and label embeddings [L, D] -> logits [B, L], attention [B, L, T] or None.

        Labels attend to the text's own tokens only: padding, [CLS] and [SEP] get no weight,
        so each attention row sums to 1 over the text.
        """
        states = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state  # [B, T, D]
        if not self.cfg.label_attention:
            h = self.mlp(states[:, 0])  # [B, M]
            return h @ self.label_weight.T + self.label_bias, None
        visible = content_mask(input_ids, attention_mask, self.cfg.cls_id, self.cfg.sep_id)
        x = label_embeddings.unsqueeze(0).expand(states.shape[0], -1, -1)  # [B, L, D]
        first_attention = None
        for layer in self.label_attention:
            x, attention = layer(x, states, visible)
            first_attention = attention if first_attention is None else first_attention
        h = self.mlp(x)  # [B, L, M]
        logits = (h * self.label_weight).sum(-1) + self.label_bias
        return logits, first_attention


def classification_loss(logits: torch.Tensor, targets: torch.Tensor, multi_label: bool) -> torch.Tensor:
    """targets [B, L] as 0/1 floats; single-label sets use the index of their one 1."""
    if multi_label:
        return F.binary_cross_entropy_with_logits(logits, targets)
    return F.cross_entropy(logits, targets.argmax(-1))


def evidence_loss(attention: torch.Tensor, evidence: torch.Tensor, eps: float = 1e-6) -> torch.Tensor:
    """Negative log of the attention mass that falls on expert evidence.

    attention [B, L, T]; evidence [B, L, T] 0/1 marks the tokens of the sentences an expert
    gave as evidence for label l (all zeros where there is none: the pair adds nothing).
    -log(mass) rather than KL to a uniform target: it asks the label to look inside the
    evidence without prescribing which of its words matter.
    """
    has_evidence = evidence.sum(-1) > 0  # [B, L]
    if not has_evidence.any():
        return attention.sum() * 0.0
    mass = (attention * evidence).sum(-1)  # [B, L]
    return -torch.log(mass[has_evidence] + eps).mean()
