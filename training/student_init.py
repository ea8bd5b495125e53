"""Starting weights for the student from a shipped bundle ("shrink and fine-tune"), so that it need not be trained
from scratch:

  1. the bundle's weights are read back out of its ONNX files: a model of the same shape with distinct random values
     is exported by export.py's own code, and each initializer is matched to the parameter it holds;
  2. the vocabulary gains byte fallback: the bundle's pieces and scores, with the 256 byte pieces <0x00>..<0xFF>
     placed after the three special ids (where SentencePiece's trainer puts them); the embedding rows move with
     their pieces, so every piece the old model knew keeps its vector;
  3. the student's shape is filled in: old encoder layer i becomes layer i * (new / old); the layers in between
     start as the identity (their attention output and feed-forward output projections are zero), so the deeper
     encoder computes exactly what the old one did; the student's decoder layers are copies of the old decoder
     layers named by --decoder-from.

  --bundle DIR --out PT --spm-out PREFIX [--encoder-layers 6 --decoder-layers 1 --decoder-from 2]

Writes PREFIX.model (the byte-fallback vocabulary) and PT ({"model", "config"}: what train.py --init reads).
--check SRC_FILE translates its lines greedily with the rebuilt old model and prints them, to be compared with the
bundle's own output (translate --dtype fp32 --beams 1)."""
import argparse
import copy
import json
import os
import sys
import tempfile

import numpy as np
import onnx
import torch
from onnx import numpy_helper
import sentencepiece as spm
from sentencepiece import sentencepiece_model_pb2 as spm_pb2

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from model import ModelConfig, Seq2SeqTransformer  # noqa: E402
import export  # noqa: E402

SPECIALS = 3  # <pad>, </s>, <unk>
ONNX_FILES = ("encoder_model.onnx", "decoder_model_merged.onnx")


def initializers(path):
    """name -> fp32 array of every initializer, the fp16-storage suffix taken off."""
    out = {}
    for init in onnx.load(path).graph.initializer:
        name = init.name[:-5] if init.name.endswith("_fp16") else init.name
        out[name] = numpy_helper.to_array(init).astype(np.float32)
    return out


def name_map(cfg):
    """(onnx file, initializer name) -> (parameter name, transposed) for bundles export.py writes for this shape."""
    torch.manual_seed(7)
    model = Seq2SeqTransformer(ModelConfig(**{**cfg.to_dict(), "dropout": 0.0}))
    with torch.no_grad():
        for p in model.parameters():  # distinct values everywhere (LayerNorms start as all ones otherwise)
            p.copy_(torch.randn_like(p))
    model.eval()
    params = {k: v.numpy() for k, v in model.state_dict().items()}
    found = {}
    with tempfile.TemporaryDirectory() as tmp, torch.no_grad():
        export.export_graphs(model, tmp)
        for f in ("encoder_model", "decoder_model", "decoder_with_past_model"):
            export.share_tied_embedding(os.path.join(tmp, f + ".onnx"), model)
        export.merge_decoders(tmp, cfg.decoder_layers)
        for f in ONNX_FILES:
            for name, arr in initializers(os.path.join(tmp, f)).items():
                match = [(k, t) for k, p in params.items() for t, q in ((False, p), (True, p.T if p.ndim == 2 else None))
                         if q is not None and q.shape == arr.shape and np.allclose(q, arr, rtol=1e-5, atol=1e-6)]
                if len(match) != 1:
                    sys.exit(f"student_init.py: {f} initializer {name} matches {len(match)} parameters")
                found[(f, name)] = match[0]
    missing = set(params) - {k for k, _ in found.values()}
    if missing:
        sys.exit(f"student_init.py: parameters not found in the export: {sorted(missing)}")
    return found


def load_bundle(bundle):
    with open(os.path.join(bundle, "config.json")) as f:
        hf = json.load(f)
    cfg = ModelConfig(vocab_size=hf["vocab_size"], d_model=hf["d_model"], encoder_layers=hf["encoder_layers"],
                      decoder_layers=hf["decoder_layers"], heads=hf["encoder_attention_heads"],
                      ffn_dim=hf["encoder_ffn_dim"], max_positions=hf["max_position_embeddings"], dropout=0.0)
    state = {}
    for (f, name), (param, transposed) in name_map(cfg).items():
        arr = initializers(os.path.join(bundle, "onnx", f))[name]
        state[param] = torch.from_numpy(np.ascontiguousarray(arr.T if transposed else arr))
    model = Seq2SeqTransformer(cfg)
    model.load_state_dict(state)
    return model.eval()


def byte_fallback_vocabulary(bundle, prefix, scratch_text):
    """The bundle's Unigram pieces with byte fallback, as a SentencePiece model file (PREFIX.model)."""
    with open(os.path.join(bundle, "tokenizer.json")) as f:
        vocab = json.load(f)["model"]["vocab"]
    # a throwaway byte-fallback model trained with spm.py's settings supplies the trainer and normalizer specs
    spm.SentencePieceTrainer.train(
        input=scratch_text, model_prefix=prefix + ".scratch", vocab_size=1000, model_type="unigram",
        character_coverage=0.9995, pad_id=0, eos_id=1, unk_id=2, bos_id=-1, pad_piece="<pad>", eos_piece="</s>",
        unk_piece="<unk>", normalization_rule_name="nmt_nfkc", byte_fallback=True, minloglevel=2,
        hard_vocab_limit=False)
    proto = spm_pb2.ModelProto()
    with open(prefix + ".scratch.model", "rb") as f:
        proto.ParseFromString(f.read())
    for ext in (".model", ".vocab"):
        os.remove(prefix + ".scratch" + ext)
    old = list(proto.pieces)
    specials, bytes_ = old[:SPECIALS], [p for p in old if p.type == spm_pb2.ModelProto.SentencePiece.BYTE]
    if [p.piece for p in specials] != [v[0] for v in vocab[:SPECIALS]] or len(bytes_) != 256:
        sys.exit("student_init.py: unexpected special or byte pieces in the scratch model")
    del proto.pieces[:]
    proto.pieces.extend(copy.deepcopy(p) for p in specials + bytes_)
    for piece, score in vocab[SPECIALS:]:
        proto.pieces.add(piece=piece, score=score, type=spm_pb2.ModelProto.SentencePiece.NORMAL)
    proto.trainer_spec.vocab_size = len(proto.pieces)
    with open(prefix + ".model", "wb") as f:
        f.write(proto.SerializeToString())
    return len(proto.pieces)


def grow(old, vocab_size, encoder_layers, decoder_from):
    """The student filled from the old model (see the module docstring)."""
    oc = old.cfg
    cfg = ModelConfig(**{**oc.to_dict(), "vocab_size": vocab_size, "encoder_layers": encoder_layers,
                         "decoder_layers": len(decoder_from), "dropout": 0.1})
    if encoder_layers % oc.encoder_layers:
        sys.exit(f"student_init.py: {encoder_layers} encoder layers is not a multiple of {oc.encoder_layers}")
    torch.manual_seed(1)
    new = Seq2SeqTransformer(cfg)
    added = vocab_size - oc.vocab_size
    with torch.no_grad():
        rows = torch.cat([torch.arange(SPECIALS), torch.arange(SPECIALS + added, vocab_size)])
        new.embed.weight[rows] = old.embed.weight
        new.final_logits_bias[rows] = old.final_logits_bias
        # byte pieces: small random vectors and the lowest bias of any old piece, so they start out rarely chosen
        new.embed.weight[SPECIALS:SPECIALS + added].normal_(std=old.embed.weight.std().item() * 0.5)
        new.final_logits_bias[SPECIALS:SPECIALS + added] = old.final_logits_bias.min()
        step = encoder_layers // oc.encoder_layers
        for i, layer in enumerate(new.encoder):
            if i % step == 0:
                layer.load_state_dict(old.encoder[i // step].state_dict())
            else:
                for linear in (layer.attn.o, layer.ffn.down):
                    linear.weight.zero_()
                    linear.bias.zero_()
        for i, k in enumerate(decoder_from):
            new.decoder[i].load_state_dict(old.decoder[k].state_dict())
        new.enc_ln.load_state_dict(old.enc_ln.state_dict())
        new.dec_ln.load_state_dict(old.dec_ln.state_dict())
    return new


def greedy(model, sp_ids, max_len=64):
    cfg = model.cfg
    src = torch.tensor([sp_ids + [cfg.eos_id]])
    mask = torch.ones_like(src)
    with torch.no_grad():
        cross = model.cross_kv(model.encode(src, mask))
        out, past, tok = [], None, torch.tensor([[cfg.decoder_start_id]])
        for _ in range(max_len):
            logits, past = model.decode(tok, mask, cross, past)
            logits[0, -1, cfg.pad_id] = -1e9
            nxt = int(logits[0, -1].argmax())
            if nxt == cfg.eos_id:
                break
            out.append(nxt)
            tok = torch.tensor([[nxt]])
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bundle", required=True)
    ap.add_argument("--out", required=True, help="the student's starting weights (train.py --init)")
    ap.add_argument("--spm-out", required=True, help="prefix of the byte-fallback vocabulary (PREFIX.model)")
    ap.add_argument("--scratch-text", help="any text file for the throwaway model that supplies the specs "
                                           "(default: the bundle's pieces themselves)")
    ap.add_argument("--encoder-layers", type=int, default=6)
    ap.add_argument("--decoder-from", default="2", help="old decoder layers that become the student's, in order")
    ap.add_argument("--check", metavar="SRC_FILE", help="print the rebuilt old model's greedy output for these lines")
    a = ap.parse_args()

    old = load_bundle(a.bundle)
    print(f"read {sum(p.numel() for p in old.parameters())} parameters back from {a.bundle}", flush=True)
    os.makedirs(os.path.dirname(os.path.abspath(a.spm_out)), exist_ok=True)
    scratch = a.scratch_text
    if not scratch:
        with open(os.path.join(a.bundle, "tokenizer.json")) as f:
            pieces = [p.replace("\u2581", " ") for p, _ in json.load(f)["model"]["vocab"][SPECIALS:]]
        scratch = a.spm_out + ".scratch.txt"
        with open(scratch, "w", encoding="utf-8") as f:
            f.write("\n".join(" ".join(pieces[i:i + 20]) for i in range(0, len(pieces), 20)) + "\n")
    size = byte_fallback_vocabulary(a.bundle, a.spm_out, scratch)
    if not a.scratch_text:
        os.remove(scratch)
    print(f"wrote {a.spm_out}.model: {size} pieces ({size - old.cfg.vocab_size} byte pieces added)", flush=True)
    if a.check:
        sp = spm.SentencePieceProcessor(model_file=a.spm_out + ".model")
        shift = size - old.cfg.vocab_size
        with open(a.check, encoding="utf-8") as f:
            for line in f.read().splitlines():
                ids = [i - shift if i >= SPECIALS + shift else i for i in sp.encode(line)]
                out = [i + shift if i >= SPECIALS else i for i in greedy(old, ids)]
                print(sp.decode(out), flush=True)
    new = grow(old, size, a.encoder_layers, [int(k) for k in a.decoder_from.split(",")])
    torch.save({"model": new.state_dict(), "config": new.cfg.to_dict()}, a.out)
    print(f"wrote {a.out}: {new.cfg.encoder_layers} encoder and {new.cfg.decoder_layers} decoder layers", flush=True)


if __name__ == "__main__":
    main()
