"""A Marian-style Transformer encoder-decoder, written out layer by layer so that the ONNX export and the
reference search see exactly the same arithmetic as training.

Pre-norm residual blocks (with a final LayerNorm on both stacks) train stably at a high learning rate on CPU;
sinusoidal positions; embeddings scaled by sqrt(d_model); one embedding matrix shared by the encoder input,
the decoder input and the output projection (stored once), plus a final logits bias.

KV cache layout (the Hugging Face / Optimum one): per layer four tensors [batch, heads, seq, head_dim]:
self-attention key and value (grow by one position per step) and cross-attention key and value (computed once
from the encoder output)."""
import math
from dataclasses import dataclass, asdict

import torch
import torch.nn as nn
import torch.nn.functional as F


@dataclass
class ModelConfig:
    vocab_size: int = 8000      # shared source/target SentencePiece vocabulary
    d_model: int = 256          # width of every layer
    encoder_layers: int = 3
    decoder_layers: int = 3
    heads: int = 4              # attention heads (head_dim = d_model / heads)
    ffn_dim: int = 1024         # width of the feed-forward inner layer
    max_positions: int = 512    # longest source or target sequence, in tokens
    pad_id: int = 0
    eos_id: int = 1
    decoder_start_id: int = 0   # Marian convention: the decoder starts from <pad>
    dropout: float = 0.1

    def to_dict(self):
        return asdict(self)


def sinusoids(n, d):
    pos = torch.arange(n, dtype=torch.float32)[:, None]
    i = torch.arange(0, d, 2, dtype=torch.float32)[None, :]
    angle = pos / torch.pow(10000.0, i / d)
    table = torch.zeros(n, d)
    table[:, 0::2] = torch.sin(angle)
    table[:, 1::2] = torch.cos(angle)
    return table


class Attention(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.h, self.dh = cfg.heads, cfg.d_model // cfg.heads
        self.q = nn.Linear(cfg.d_model, cfg.d_model)
        self.k = nn.Linear(cfg.d_model, cfg.d_model)
        self.v = nn.Linear(cfg.d_model, cfg.d_model)
        self.o = nn.Linear(cfg.d_model, cfg.d_model)
        self.drop = cfg.dropout

    def split(self, x):  # [b, t, d] -> [b, h, t, dh]
        b, t, _ = x.shape
        return x.view(b, t, self.h, self.dh).transpose(1, 2)

    def project_kv(self, x):
        return self.split(self.k(x)), self.split(self.v(x))

    def forward(self, x, k, v, bias):
        """x: queries [b, tq, d]; k, v: [b, h, tk, dh]; bias: additive mask broadcastable to [b, h, tq, tk]."""
        q = self.split(self.q(x)) * (self.dh ** -0.5)
        scores = torch.matmul(q, k.transpose(-1, -2)) + bias
        p = F.softmax(scores.float(), dim=-1).to(q.dtype)
        p = F.dropout(p, self.drop, self.training)
        out = torch.matmul(p, v).transpose(1, 2)
        b, t = out.shape[0], out.shape[1]
        return self.o(out.reshape(b, t, self.h * self.dh))


class FeedForward(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.up = nn.Linear(cfg.d_model, cfg.ffn_dim)
        self.down = nn.Linear(cfg.ffn_dim, cfg.d_model)
        self.drop = cfg.dropout

    def forward(self, x):
        return self.down(F.dropout(F.relu(self.up(x)), self.drop, self.training))


class EncoderLayer(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.ln1, self.attn = nn.LayerNorm(cfg.d_model), Attention(cfg)
        self.ln2, self.ffn = nn.LayerNorm(cfg.d_model), FeedForward(cfg)
        self.drop = cfg.dropout

    def forward(self, x, bias):
        h = self.ln1(x)
        k, v = self.attn.project_kv(h)
        x = x + F.dropout(self.attn(h, k, v, bias), self.drop, self.training)
        return x + F.dropout(self.ffn(self.ln2(x)), self.drop, self.training)


class DecoderLayer(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.ln1, self.self_attn = nn.LayerNorm(cfg.d_model), Attention(cfg)
        self.ln2, self.cross_attn = nn.LayerNorm(cfg.d_model), Attention(cfg)
        self.ln3, self.ffn = nn.LayerNorm(cfg.d_model), FeedForward(cfg)
        self.drop = cfg.dropout

    def forward(self, x, self_bias, cross_bias, past_k, past_v, cross_k, cross_v):
        h = self.ln1(x)
        k, v = self.self_attn.project_kv(h)
        if past_k is not None:
            k, v = torch.cat([past_k, k], dim=2), torch.cat([past_v, v], dim=2)
        x = x + F.dropout(self.self_attn(h, k, v, self_bias), self.drop, self.training)
        x = x + F.dropout(self.cross_attn(self.ln2(x), cross_k, cross_v, cross_bias), self.drop, self.training)
        x = x + F.dropout(self.ffn(self.ln3(x)), self.drop, self.training)
        return x, k, v


class Seq2SeqTransformer(nn.Module):
    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.cfg = cfg
        self.embed = nn.Embedding(cfg.vocab_size, cfg.d_model)
        nn.init.normal_(self.embed.weight, std=cfg.d_model ** -0.5)  # tied + scaled by sqrt(d): keep logits small at start
        self.register_buffer("positions", sinusoids(cfg.max_positions, cfg.d_model), persistent=False)
        self.encoder = nn.ModuleList(EncoderLayer(cfg) for _ in range(cfg.encoder_layers))
        self.decoder = nn.ModuleList(DecoderLayer(cfg) for _ in range(cfg.decoder_layers))
        self.enc_ln, self.dec_ln = nn.LayerNorm(cfg.d_model), nn.LayerNorm(cfg.d_model)
        self.final_logits_bias = nn.Parameter(torch.zeros(cfg.vocab_size))
        self.scale = math.sqrt(cfg.d_model)

    def embed_at(self, ids, offset):
        pos = self.positions[offset:offset + ids.shape[1]] if isinstance(offset, int) else \
            torch.index_select(self.positions, 0, offset + torch.arange(ids.shape[1], device=ids.device))
        x = self.embed(ids) * self.scale + pos
        return F.dropout(x, self.cfg.dropout, self.training)

    @staticmethod
    def padding_bias(mask, dtype=torch.float32):
        """mask [b, s] of 1 (token) / 0 (padding) -> additive bias [b, 1, 1, s]."""
        return (1.0 - mask[:, None, None, :].to(dtype)) * -1e9

    def encode(self, src, src_mask):
        x = self.embed_at(src, 0)
        bias = self.padding_bias(src_mask)
        for layer in self.encoder:
            x = layer(x, bias)
        return self.enc_ln(x)

    def cross_kv(self, memory):
        """Cross-attention keys and values of every decoder layer, computed once per source."""
        return [layer.cross_attn.project_kv(memory) for layer in self.decoder]

    def decode(self, tgt, src_mask, cross, past=None):
        """tgt [b, t] decoder input ids; cross: list of (k, v) per layer; past: list of (k, v) per layer or None.
        Returns logits [b, t, vocab] and the new self-attention (k, v) per layer."""
        past_len = 0 if past is None else past[0][0].shape[2]
        x = self.embed_at(tgt, past_len)
        t = tgt.shape[1]
        total = past_len + t
        # causal: query i (absolute position past_len + i) sees keys 0..past_len + i
        q_pos = torch.arange(t, device=tgt.device)[:, None] + past_len
        k_pos = torch.arange(total, device=tgt.device)[None, :]
        self_bias = (k_pos > q_pos).to(torch.float32)[None, None] * -1e9
        cross_bias = self.padding_bias(src_mask)
        presents = []
        for i, layer in enumerate(self.decoder):
            pk, pv = (None, None) if past is None else past[i]
            x, k, v = layer(x, self_bias, cross_bias, pk, pv, cross[i][0], cross[i][1])
            presents.append((k, v))
        x = self.dec_ln(x)
        logits = torch.matmul(x, self.embed.weight.t()) + self.final_logits_bias
        return logits, presents

    def forward(self, src, tgt_in):
        src_mask = (src != self.cfg.pad_id).long()
        memory = self.encode(src, src_mask)
        logits, _ = self.decode(tgt_in, src_mask, self.cross_kv(memory))
        return logits
