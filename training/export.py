"""Exports a Seq2SeqTransformer to a model bundle in the Hugging Face Optimum / transformers.js layout:

  config.json, generation_config.json, tokenizer.json, tokenizer_config.json, README.md (model card, optional)
  onnx/encoder_model.onnx               input_ids, attention_mask -> last_hidden_state
  onnx/decoder_model.onnx               input_ids, encoder_attention_mask, encoder_hidden_states
                                        -> logits, present.{i}.decoder.key/value, present.{i}.encoder.key/value
  onnx/decoder_with_past_model.onnx     input_ids, encoder_attention_mask, past_key_values.{i}.{decoder,encoder}.{key,value}
                                        -> logits, present.{i}.decoder.key/value
  onnx/decoder_model_merged.onnx        both decoders behind one If on the bool input use_cache_branch [1]
  onnx/*_quantized.onnx                 int8: weight MatMuls as DynamicQuantizeLinear -> MatMulInteger -> Cast -> Mul

Cache tensors are [batch_size, heads, seq, head_dim] with heads and head_dim fixed numbers: transformers.js builds its
empty first-step cache from the named dimensions of these inputs (batch_size = batch, any other name = 0).

  --checkpoint CKPT --spm SPM        export a trained model
  --random --preset tiny|base        seeded random weights (test fixtures, benchmark model); --no-eos makes the
                                     model never emit EOS, so generation always runs to the length limit
  --only-merged                      skip decoder_model/decoder_with_past (what transformers.js needs; smaller)
  --fp16-storage                     store fp32 weights as fp16 plus a Cast that ONNX Runtime folds at load time:
                                     compute stays fp32, the files are half the size (the int8 variants' unquantized
                                     float weights, the embedding above all, too)
  --source-lang L --target-lang L    the language pair tokenizer_config.json declares (source_lang / target_lang, as
                                     opus-mt's): the engine routes requests by it; without, the bundle serves any"""
import argparse
import hashlib
import json
import os
import shutil
import sys

import numpy as np
import onnx
import torch
from onnx import helper, numpy_helper, TensorProto

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from model import ModelConfig, Seq2SeqTransformer  # noqa: E402
import tokenizer_json  # noqa: E402

OPSET = 14
PRESETS = {
    "tiny": dict(d_model=32, encoder_layers=2, decoder_layers=2, heads=4, ffn_dim=64, max_positions=64),
    "small": dict(d_model=256, encoder_layers=3, decoder_layers=3, heads=4, ffn_dim=1024, max_positions=512),
    "base": dict(d_model=512, encoder_layers=6, decoder_layers=6, heads=8, ffn_dim=2048, max_positions=512,
                 vocab_size=32000),
}


class Encoder(torch.nn.Module):
    def __init__(self, m):
        super().__init__()
        self.m = m

    def forward(self, input_ids, attention_mask):
        return self.m.encode(input_ids, attention_mask)


class Decoder(torch.nn.Module):
    """First step: computes the cross-attention cache from the encoder output."""

    def __init__(self, m):
        super().__init__()
        self.m = m

    def forward(self, input_ids, encoder_attention_mask, encoder_hidden_states):
        cross = self.m.cross_kv(encoder_hidden_states)
        logits, presents = self.m.decode(input_ids, encoder_attention_mask, cross)
        out = [logits]
        for (k, v), (ck, cv) in zip(presents, cross):
            out += [k, v, ck, cv]
        return tuple(out)


class DecoderWithPast(torch.nn.Module):
    def __init__(self, m):
        super().__init__()
        self.m = m

    def forward(self, input_ids, encoder_attention_mask, *past):
        n = self.m.cfg.decoder_layers
        self_past = [(past[4 * i], past[4 * i + 1]) for i in range(n)]
        cross = [(past[4 * i + 2], past[4 * i + 3]) for i in range(n)]
        logits, presents = self.m.decode(input_ids, encoder_attention_mask, cross, self_past)
        out = [logits]
        for k, v in presents:
            out += [k, v]
        return tuple(out)


def past_names(n, prefix):
    names = []
    for i in range(n):
        names += [f"{prefix}.{i}.decoder.key", f"{prefix}.{i}.decoder.value",
                  f"{prefix}.{i}.encoder.key", f"{prefix}.{i}.encoder.value"]
    return names


def export_graphs(model, out):
    cfg = model.cfg
    n = cfg.decoder_layers
    h, dh = cfg.heads, cfg.d_model // cfg.heads
    b, s, t = 2, 7, 3
    ids = torch.randint(3, cfg.vocab_size, (b, s))
    mask = torch.ones(b, s, dtype=torch.long)
    mem = model.encode(ids, mask)
    tgt = torch.full((b, 1), cfg.decoder_start_id, dtype=torch.long)
    kw = dict(opset_version=OPSET, do_constant_folding=True)
    torch.onnx.export(Encoder(model), (ids, mask), os.path.join(out, "encoder_model.onnx"),
                      input_names=["input_ids", "attention_mask"], output_names=["last_hidden_state"],
                      dynamic_axes={"input_ids": {0: "batch_size", 1: "encoder_sequence_length"},
                                    "attention_mask": {0: "batch_size", 1: "encoder_sequence_length"},
                                    "last_hidden_state": {0: "batch_size", 1: "encoder_sequence_length"}}, **kw)
    present = past_names(n, "present")
    dyn = {"input_ids": {0: "batch_size", 1: "decoder_sequence_length"},
           "encoder_attention_mask": {0: "batch_size", 1: "encoder_sequence_length"},
           "encoder_hidden_states": {0: "batch_size", 1: "encoder_sequence_length"},
           "logits": {0: "batch_size", 1: "decoder_sequence_length"}}
    for name in present:
        dyn[name] = {0: "batch_size", 2: "past_decoder_sequence_length + 1" if ".decoder." in name
                     else "encoder_sequence_length_out"}
    torch.onnx.export(Decoder(model), (tgt, mask, mem), os.path.join(out, "decoder_model.onnx"),
                      input_names=["input_ids", "encoder_attention_mask", "encoder_hidden_states"],
                      output_names=["logits"] + present, dynamic_axes=dyn, **kw)
    past = []
    for i in range(n):
        past += [torch.randn(b, h, t, dh), torch.randn(b, h, t, dh), torch.randn(b, h, s, dh), torch.randn(b, h, s, dh)]
    pnames = past_names(n, "past_key_values")
    self_present = [x for x in present if ".decoder." in x]
    dyn = {"input_ids": {0: "batch_size", 1: "decoder_sequence_length"},
           "encoder_attention_mask": {0: "batch_size", 1: "encoder_sequence_length"},
           "logits": {0: "batch_size", 1: "decoder_sequence_length"}}
    for name in pnames:
        dyn[name] = {0: "batch_size", 2: "past_decoder_sequence_length" if ".decoder." in name
                     else "encoder_sequence_length_out"}
    for name in self_present:
        dyn[name] = {0: "batch_size", 2: "past_decoder_sequence_length + 1"}
    torch.onnx.export(DecoderWithPast(model), (tgt, mask, *past), os.path.join(out, "decoder_with_past_model.onnx"),
                      input_names=["input_ids", "encoder_attention_mask"] + pnames,
                      output_names=["logits"] + self_present, dynamic_axes=dyn, **kw)


def share_tied_embedding(path, model):
    """torch stores the tied output projection as a transposed copy of the embedding table; point it back at the
    table through a Transpose node so the weights are stored once (ONNX Runtime folds the Transpose at load)."""
    m = onnx.load(path)
    table = model.embed.weight.detach().numpy()
    g = m.graph
    table_name = None
    for init in g.initializer:
        if tuple(init.dims) == table.shape and np.array_equal(numpy_helper.to_array(init), table):
            table_name = init.name
    for init in list(g.initializer):
        if tuple(init.dims) == table.T.shape and np.array_equal(numpy_helper.to_array(init), table.T):
            if table_name is None:  # decoder-only use: keep one copy under the table's layout
                table_name = init.name + "_table"
                g.initializer.append(numpy_helper.from_array(table, table_name))
            g.initializer.remove(init)
            g.node.insert(0, helper.make_node("Transpose", [table_name], [init.name], perm=[1, 0],
                                              name="tied_output_projection"))
    onnx.save(m, path)


def _rename_graph(g, prefix, keep):
    """Prefixes every value name of a graph except those in `keep` (outer-scope inputs)."""
    ren = {}
    for node in g.node:
        for i, o in enumerate(node.output):
            if o and o not in keep:
                ren[o] = prefix + o
                node.output[i] = ren[o]
        node.name = prefix + node.name
    for init in g.initializer:
        ren[init.name] = prefix + init.name
        init.name = ren[init.name]
    for node in g.node:
        for i, x in enumerate(node.input):
            if x in ren:
                node.input[i] = ren[x]
    for o in g.output:
        o.name = ren.get(o.name, o.name)
    for vi in g.value_info:
        vi.name = ren.get(vi.name, vi.name)


def merge_decoders(out, n):
    """decoder_model_merged.onnx: If(use_cache_branch) then with-past else without; each distinct weight once."""
    no_past = onnx.load(os.path.join(out, "decoder_model.onnx")).graph
    with_past = onnx.load(os.path.join(out, "decoder_with_past_model.onnx")).graph
    outer_inputs = {i.name: i for i in list(no_past.input) + list(with_past.input)}
    keep = set(outer_inputs)
    _rename_graph(no_past, "np/", keep)
    _rename_graph(with_past, "wp/", keep)
    shared, by_hash = [], {}
    for g in (no_past, with_past):
        ren = {}
        for init in list(g.initializer):
            old = init.name
            init.name = ""
            key = (hashlib.sha1(init.SerializeToString()).hexdigest(), tuple(init.dims), init.data_type)
            if key not in by_hash:
                by_hash[key] = f"shared/{len(by_hash)}"
                init.name = by_hash[key]
                shared.append(init)
            ren[old] = by_hash[key]
        del g.initializer[:]
        for node in g.node:
            for i, x in enumerate(node.input):
                node.input[i] = ren.get(x, x)
    # The encoder-side presents in the with-past branch pass the past cross-attention cache through unchanged.
    present = past_names(n, "present")
    for name in present:
        if ".encoder." in name:
            src = name.replace("present", "past_key_values")
            with_past.node.append(helper.make_node("Identity", [src], ["wp/" + name], name="wp/pass_" + name))
            vi = [o for o in no_past.output if o.name == "np/" + name][0]
            out_vi = onnx.ValueInfoProto()
            out_vi.CopyFrom(vi)
            out_vi.name = "wp/" + name
            with_past.output.append(out_vi)
    # branch outputs in the order of the merged outputs
    order = ["logits"] + present

    def ordered(g, prefix):
        outs = {o.name: o for o in g.output}
        res = [outs[prefix + name] for name in order]
        del g.output[:]
        g.output.extend(res)

    ordered(no_past, "np/")
    ordered(with_past, "wp/")
    # Both branches' outputs must have the same type; make the symbolic sequence dims generic.
    for g in (no_past, with_past):
        for o in g.output:
            for i, d in enumerate(o.type.tensor_type.shape.dim):
                if i != 0 and d.dim_param:
                    d.dim_param = {1: "decoder_sequence_length" if o.name.endswith("logits") else "out_seq"}.get(i, "out_seq")
    del no_past.input[:]
    del with_past.input[:]
    no_past.name, with_past.name = "decoder_without_past", "decoder_with_past"
    if_node = helper.make_node("If", ["use_cache_branch"], order, name="optimum::if",
                               then_branch=with_past, else_branch=no_past)
    inputs = [outer_inputs["input_ids"], outer_inputs["encoder_attention_mask"], outer_inputs["encoder_hidden_states"]]
    inputs += [outer_inputs[x] for x in past_names(n, "past_key_values")]
    inputs.append(helper.make_tensor_value_info("use_cache_branch", TensorProto.BOOL, [1]))
    outputs = []
    for o in no_past.output:
        vi = onnx.ValueInfoProto()
        vi.CopyFrom(o)
        vi.name = o.name[len("np/"):]
        outputs.append(vi)
    graph = helper.make_graph([if_node], "decoder_model_merged", inputs, outputs, initializer=shared)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="seq2seq-streams")
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(out, "decoder_model_merged.onnx"))


def quantize(path_in, path_out):
    """Dynamic int8 quantization of every MatMul whose weight is a 2-D initializer (per-column symmetric int8 scales),
    in every (sub)graph, fp16_storage's widened fp16 weights included. The tied output projection (share_tied_embedding:
    a Transpose of the embedding table) is quantized too, from its own int8 copy of the transposed table, as the
    quantized exports of transformers.js do: at 32 000 tokens it is 43 % of a decoder step's products. The table
    itself stays as it was, for the embedding's Gather."""
    m = onnx.load(path_in)
    outer = {i.name: i for i in m.graph.initializer}
    new_inits = []
    tied = {}  # output of a 2-D Transpose of an initializer -> that initializer
    widened = {}  # output of fp16_storage's Cast of an fp16 initializer -> the initializer as fp32

    def initializer(g, name):
        return outer.get(name) or widened.get(name) or next((i for i in g.initializer if i.name == name), None)

    def rewrite(g):
        nodes = []
        for node in g.node:
            for attr in node.attribute:
                if attr.type == onnx.AttributeProto.GRAPH:
                    rewrite(attr.g)
            src = initializer(g, node.input[0]) if node.op_type in ("Cast", "Transpose") else None
            if src is not None and node.op_type == "Cast":
                to = [a.i for a in node.attribute if a.name == "to"]
                if src.data_type == TensorProto.FLOAT16 and to == [TensorProto.FLOAT]:
                    widened[node.output[0]] = numpy_helper.from_array(
                        numpy_helper.to_array(src).astype(np.float32), node.output[0])
            if src is not None and node.op_type == "Transpose":
                perm = [list(a.ints) for a in node.attribute if a.name == "perm"]
                if perm == [[1, 0]]:
                    tied[node.output[0]] = src
            w = None
            transposed = False
            if node.op_type == "MatMul" and len(node.input) == 2:
                w = initializer(g, node.input[1])
                if w is None and node.input[1] in tied:
                    w, transposed = tied[node.input[1]], True
            if w is None or len(w.dims) != 2 or w.data_type != TensorProto.FLOAT:
                nodes.append(node)
                continue
            arr = numpy_helper.to_array(w)
            wname = w.name
            if transposed:
                arr, wname = arr.T, w.name + "_T"
            qname = wname + "_q"
            if qname not in {i.name for i in new_inits}:
                scale = np.maximum(np.abs(arr).max(axis=0), 1e-8) / 127.0
                q = np.clip(np.round(arr / scale), -127, 127).astype(np.int8)
                new_inits.append(numpy_helper.from_array(q, qname))
                new_inits.append(numpy_helper.from_array(scale.astype(np.float32), wname + "_scale"))
                new_inits.append(numpy_helper.from_array(np.zeros(arr.shape[1], np.int8), wname + "_zp"))
            x, y, p = node.input[0], node.output[0], node.name or node.output[0]
            nodes += [
                helper.make_node("DynamicQuantizeLinear", [x], [p + "/xq", p + "/xs", p + "/xzp"], name=p + "/quant"),
                helper.make_node("MatMulInteger", [p + "/xq", qname, p + "/xzp", wname + "_zp"], [p + "/acc"],
                                 name=p + "/matmulint"),
                helper.make_node("Cast", [p + "/acc"], [p + "/accf"], to=TensorProto.FLOAT, name=p + "/cast"),
                helper.make_node("Mul", [p + "/xs", wname + "_scale"], [p + "/s"], name=p + "/scale"),
                helper.make_node("Mul", [p + "/accf", p + "/s"], [y], name=p + "/dequant"),
            ]
        del g.node[:]
        g.node.extend(nodes)

    rewrite(m.graph)
    used = set()

    def collect(g):
        for node in g.node:
            used.update(node.input)
            for attr in node.attribute:
                if attr.type == onnx.AttributeProto.GRAPH:
                    collect(attr.g)

    m.graph.initializer.extend(new_inits)
    collect(m.graph)

    def drop_unread(g):
        # the tied projection's Transpose, and the Cast of a quantized fp16 weight, have no reader left
        live = [n for n in g.node if n.output[0] in used or not (n.output[0] in tied or n.output[0] in widened)]
        del g.node[:]
        g.node.extend(live)
        for n in g.node:
            for attr in n.attribute:
                if attr.type == onnx.AttributeProto.GRAPH:
                    drop_unread(attr.g)

    for _ in range(2):  # a dropped Transpose may leave its table's Cast unread
        drop_unread(m.graph)
        used.clear()
        collect(m.graph)
    keep = [i for i in m.graph.initializer if i.name in used]
    del m.graph.initializer[:]
    m.graph.initializer.extend(keep)
    onnx.checker.check_model(m)
    onnx.save(m, path_out)


def fp16_storage(path):
    """Stores float initializers as fp16 followed by a Cast back to fp32 (folded by ONNX Runtime at load)."""
    m = onnx.load(path)
    g = m.graph
    casts = []
    for init in g.initializer:
        if init.data_type == TensorProto.FLOAT and np.prod(init.dims) >= 1024:
            arr = numpy_helper.to_array(init).astype(np.float16)
            name = init.name
            init.CopyFrom(numpy_helper.from_array(arr, name + "_fp16"))
            casts.append(helper.make_node("Cast", [name + "_fp16"], [name], to=TensorProto.FLOAT, name="widen/" + name))
    for c in reversed(casts):
        g.node.insert(0, c)
    onnx.checker.check_model(m)
    onnx.save(m, path)


def write_configs(cfg, out, name, max_length, num_beams, no_eos):
    conf = {
        "model_type": "marian", "architectures": ["MarianMTModel"], "_name_or_path": name,
        "is_encoder_decoder": True, "vocab_size": cfg.vocab_size, "d_model": cfg.d_model,
        "encoder_layers": cfg.encoder_layers, "decoder_layers": cfg.decoder_layers,
        "encoder_attention_heads": cfg.heads, "decoder_attention_heads": cfg.heads,
        "encoder_ffn_dim": cfg.ffn_dim, "decoder_ffn_dim": cfg.ffn_dim,
        "max_position_embeddings": cfg.max_positions, "scale_embedding": True, "normalize_before": True,
        "share_encoder_decoder_embeddings": True, "tie_word_embeddings": True,
        "pad_token_id": cfg.pad_id, "eos_token_id": cfg.eos_id, "decoder_start_token_id": cfg.decoder_start_id,
        "forced_eos_token_id": cfg.eos_id, "use_cache": True,
    }
    gen = {"bad_words_ids": [[cfg.pad_id]], "decoder_start_token_id": cfg.decoder_start_id,
           "eos_token_id": cfg.eos_id, "pad_token_id": cfg.pad_id, "forced_eos_token_id": cfg.eos_id,
           "max_length": max_length, "num_beams": num_beams}
    if no_eos:
        gen["suppress_eos"] = True
    with open(os.path.join(out, "config.json"), "w") as f:
        json.dump(conf, f, indent=2)
    with open(os.path.join(out, "generation_config.json"), "w") as f:
        json.dump(gen, f, indent=2)


def copy_tokenizer(bundle, out, cfg):
    """The tokenizer of another bundle, checked to fit this model's vocabulary and special ids."""
    with open(os.path.join(bundle, "tokenizer.json")) as f:
        tok = json.load(f)
    ids = [v for _, v in tok["model"]["vocab"]] if isinstance(tok["model"]["vocab"], list) else list(tok["model"]["vocab"].values())
    if len(ids) > cfg.vocab_size:
        sys.exit(f"export.py: {bundle}/tokenizer.json has {len(ids)} pieces, more than the model's vocab_size {cfg.vocab_size}")
    with open(os.path.join(bundle, "config.json")) as f:
        theirs = json.load(f)
    for key, ours in (("pad_token_id", cfg.pad_id), ("eos_token_id", cfg.eos_id)):
        if theirs.get(key) != ours:
            sys.exit(f"export.py: {bundle}/config.json has {key} {theirs.get(key)}, this model uses {ours}")
    shutil.copyfile(os.path.join(bundle, "tokenizer.json"), os.path.join(out, "tokenizer.json"))
    with open(os.path.join(bundle, "tokenizer_config.json")) as f:
        conf = json.load(f)
    conf["model_max_length"] = cfg.max_positions
    with open(os.path.join(out, "tokenizer_config.json"), "w") as f:
        json.dump(conf, f, indent=2)


def build_model(a):
    if a.random:
        preset = dict(PRESETS[a.preset])
        import sentencepiece as spm
        preset["vocab_size"] = a.vocab or preset.get("vocab_size") or (
            spm.SentencePieceProcessor(model_file=a.spm).get_piece_size() if a.spm else
            json.load(open(os.path.join(a.tokenizer_from, "config.json")))["vocab_size"])
        cfg = ModelConfig(dropout=0.0, **preset)
        torch.manual_seed(a.seed)
        model = Seq2SeqTransformer(cfg)
        with torch.no_grad():
            # Random weights give near-uniform logits that ignore the source; make the cross-attention and
            # feed-forward paths dominate the residual stream and widen the logits, so outputs depend on the
            # input and greedy/beam search have clear (but not certain) winners.
            for layer in model.decoder:
                layer.cross_attn.o.weight.mul_(a.cross_gain)
                layer.ffn.down.weight.mul_(2.0)
            model.dec_ln.weight.mul_(a.logit_scale)
            model.final_logits_bias[cfg.eos_id] = -1e4 if a.no_eos else a.eos_bias
    else:
        state = torch.load(a.checkpoint, map_location="cpu")
        cfg = ModelConfig(**{**state["config"], "dropout": 0.0})
        model = Seq2SeqTransformer(cfg)
        model.load_state_dict(state["model"])
    model.eval()
    return model


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True)
    ap.add_argument("--name", default=None)
    ap.add_argument("--checkpoint")
    ap.add_argument("--spm", help="SentencePiece model (vocabulary size must match the model)")
    ap.add_argument("--tokenizer-from", metavar="BUNDLE",
                    help="--random: copy tokenizer.json and tokenizer_config.json from this bundle instead of --spm "
                         "(its ids must fit in --vocab; the benchmark uses a real subword vocabulary for realistic lengths)")
    ap.add_argument("--random", action="store_true")
    ap.add_argument("--preset", choices=sorted(PRESETS), default="tiny")
    ap.add_argument("--vocab", type=int, default=0, help="override the preset's vocabulary size (--random)")
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--logit-scale", type=float, default=-3.0, help="--random: scale of the decoder final norm (negative: a tied random model would otherwise repeat its input token)")
    ap.add_argument("--cross-gain", type=float, default=4.0, help="--random: gain of the cross-attention output")
    ap.add_argument("--eos-bias", type=float, default=10.0, help="--random: logit bias of EOS")
    ap.add_argument("--no-eos", action="store_true", help="--random: never emit EOS (fixed output length)")
    ap.add_argument("--max-length", type=int, default=256)
    ap.add_argument("--num-beams", type=int, default=4)
    ap.add_argument("--weights-out", help="--random: where to save the PyTorch weights (for the reference search)")
    ap.add_argument("--only-merged", action="store_true")
    ap.add_argument("--fp16-storage", action="store_true")
    ap.add_argument("--no-quantized", action="store_true")
    ap.add_argument("--quantize-merged-only", action="store_true",
                    help="int8 variants of encoder_model and decoder_model_merged only (what transformers.js loads)")
    ap.add_argument("--source-lang", help="the language pair tokenizer_config.json declares (with --target-lang)")
    ap.add_argument("--target-lang")
    a = ap.parse_args()
    if not a.spm and not (a.random and a.tokenizer_from):
        ap.error("--spm is required (or --random with --tokenizer-from)")
    if (a.source_lang is None) != (a.target_lang is None):
        ap.error("--source-lang and --target-lang go together")
    if a.source_lang and a.tokenizer_from:
        ap.error("--source-lang / --target-lang: the tokenizer is written from --spm, not copied (--tokenizer-from)")

    model = build_model(a)
    cfg = model.cfg
    out = a.out
    onnx_dir = os.path.join(out, "onnx")
    os.makedirs(onnx_dir, exist_ok=True)
    with torch.no_grad():
        export_graphs(model, onnx_dir)
    for f in ("encoder_model", "decoder_model", "decoder_with_past_model"):
        share_tied_embedding(os.path.join(onnx_dir, f + ".onnx"), model)
    merge_decoders(onnx_dir, cfg.decoder_layers)
    files = ["encoder_model", "decoder_model_merged"]
    if a.only_merged:
        os.remove(os.path.join(onnx_dir, "decoder_model.onnx"))
        os.remove(os.path.join(onnx_dir, "decoder_with_past_model.onnx"))
    else:
        files += ["decoder_model", "decoder_with_past_model"]
    if not a.no_quantized:
        for f in (files[:2] if a.quantize_merged_only else files):
            quantize(os.path.join(onnx_dir, f + ".onnx"), os.path.join(onnx_dir, f + "_quantized.onnx"))
    if a.fp16_storage:  # the int8 variants too: their embedding (a Gather, not quantized) is most of their size
        for f in files:
            for variant in (f, f + "_quantized"):
                path = os.path.join(onnx_dir, variant + ".onnx")
                if os.path.exists(path):
                    fp16_storage(path)
    write_configs(cfg, out, a.name or os.path.basename(os.path.abspath(out)), a.max_length, a.num_beams, a.no_eos)
    if a.tokenizer_from:
        copy_tokenizer(a.tokenizer_from, out, cfg)
    else:
        tokenizer_json.convert(a.spm, out, cfg.max_positions, a.source_lang, a.target_lang)
    if a.random:
        weights = a.weights_out or os.path.join(os.path.dirname(os.path.abspath(__file__)), "work",
                                                os.path.basename(os.path.abspath(out)) + ".pt")
        os.makedirs(os.path.dirname(os.path.abspath(weights)), exist_ok=True)  # training/work/ is not in a fresh clone
        torch.save({"model": model.state_dict(), "config": cfg.to_dict()}, weights)
    for f in sorted(os.listdir(onnx_dir)):
        print(f"{f}\t{os.path.getsize(os.path.join(onnx_dir, f)) / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
