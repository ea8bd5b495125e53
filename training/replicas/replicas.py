"""Builds one "replica" bundle of a common encoder-decoder family from scratch: a tiny seeded random
training/model.py Transformer exported with Optimum's file and tensor names (training/export.py), and the family's
real tokenizer files, config.json / generation_config.json fields and special-token rules. Then writes golden
reference outputs (greedy and beam 4, training/reference_search.py's Hugging Face semantics) for the inputs.

  replicas.py --family marian|m2m100|nllb|t5|bart --out OUTDIR --inputs parity-inputs.txt

Writes OUTDIR/<family>/ (the bundle, ONNX files at the top level as `optimum-cli export onnx --task
text2text-generation-with-past` writes them) and OUTDIR/<family>.reference/ (greedy.jsonl, beam4.jsonl and, where the
family's real layout has no tokenizer.json, a converted tokenizer.json for transformers.js)."""
import argparse
import json
import os
import shutil
import sys
import tempfile

import sentencepiece as spm
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
sys.path.insert(0, HERE)
from model import ModelConfig, Seq2SeqTransformer  # noqa: E402
import export  # noqa: E402
import reference_search as rs  # noqa: E402
import tokenizer_json  # noqa: E402
import tokenizers_replica as tr  # noqa: E402
from tokenizers_replica import dump_json, added, template  # noqa: E402

SEED = 20240601
ARCH = dict(d_model=32, encoder_layers=2, decoder_layers=2, heads=4, ffn_dim=64, max_positions=128)
GEN_MAX_LENGTH = 48  # the real configs say 200-512; the replicas' sinusoid table has 128 positions
TRANSFORMERS_VERSION = "4.46.3"


def corpus():
    en, de = [], []
    with open(os.path.join(HERE, "corpus.en-de.tsv"), encoding="utf-8") as f:
        for line in f:
            a, b = line.rstrip("\n").split("\t")
            en.append(a)
            de.append(b)
    return en, de


def base_config(V, pad, eos, start, bos=None):
    return ModelConfig(vocab_size=V, pad_id=pad, eos_id=eos, decoder_start_id=start, dropout=0.0, **ARCH)


def bart_like_config(model_type, arch, cfg, tag=None, **extra):
    """config.json fields shared by Marian, M2M100/NLLB and BART (transformers' BartConfig family names:
    transformers.js reads decoder_layers / decoder_attention_heads / d_model to shape the empty cache)."""
    c = {
        "_name_or_path": "replica-" + (tag or model_type), "architectures": [arch], "model_type": model_type,
        "activation_function": "relu", "activation_dropout": 0.0, "attention_dropout": 0.0, "dropout": 0.0,
        "d_model": cfg.d_model, "encoder_layers": cfg.encoder_layers, "decoder_layers": cfg.decoder_layers,
        "encoder_attention_heads": cfg.heads, "decoder_attention_heads": cfg.heads,
        "encoder_ffn_dim": cfg.ffn_dim, "decoder_ffn_dim": cfg.ffn_dim, "encoder_layerdrop": 0.0,
        "decoder_layerdrop": 0.0, "init_std": 0.02, "max_position_embeddings": cfg.max_positions,
        "is_encoder_decoder": True, "num_hidden_layers": cfg.encoder_layers, "use_cache": True,
        "vocab_size": cfg.vocab_size, "pad_token_id": cfg.pad_id, "eos_token_id": cfg.eos_id,
        "decoder_start_token_id": cfg.decoder_start_id, "torch_dtype": "float32",
        "transformers_version": TRANSFORMERS_VERSION,
    }
    c.update(extra)
    return dict(sorted(c.items()))


# ---------------------------------------------------------------- families
# Each returns (cfg, files: name -> json object or bytes path, encode(text) -> input ids, gen_config, extra
# reference files, golden settings).

def fam_marian(work):
    en, de = corpus()
    src = tr.train_spm(en, os.path.join(work, "source"), 400, "unigram")
    tgt = tr.train_spm(de, os.path.join(work, "target"), 400, "unigram")
    sps, spt = spm.SentencePieceProcessor(model_file=src), spm.SentencePieceProcessor(model_file=tgt)
    # vocab.json as opus-mt: </s> 0, <unk> 1, the pieces of both models (source first), <pad> last
    vocab = {"</s>": 0, "<unk>": 1}
    for sp in (sps, spt):
        for i in range(sp.get_piece_size()):
            if not (sp.is_control(i) or sp.is_unknown(i)):
                vocab.setdefault(sp.id_to_piece(i), len(vocab))
    vocab["<pad>"] = len(vocab)
    V, pad, eos = len(vocab), vocab["<pad>"], 0
    cfg = base_config(V, pad, eos, pad)
    conf = bart_like_config("marian", "MarianMTModel", cfg, bos_token_id=0, forced_eos_token_id=0,
                            scale_embedding=True, normalize_embedding=False, static_position_embeddings=True,
                            add_bias_logits=False, normalize_before=False, share_encoder_decoder_embeddings=True,
                            tie_word_embeddings=True, decoder_vocab_size=V, classifier_dropout=0.0,
                            bad_words_ids=[[pad]], max_length=GEN_MAX_LENGTH, num_beams=4)
    gen = {"bad_words_ids": [[pad]], "bos_token_id": 0, "decoder_start_token_id": pad, "eos_token_id": 0,
           "forced_eos_token_id": 0, "max_length": GEN_MAX_LENGTH, "num_beams": 4, "pad_token_id": pad,
           "transformers_version": TRANSFORMERS_VERSION}
    tok_conf = {"source_lang": "en", "target_lang": "de", "eos_token": "</s>", "unk_token": "<unk>",
                "pad_token": "<pad>", "model_max_length": 512, "sp_model_kwargs": {}, "separate_vocabs": False,
                "clean_up_tokenization_spaces": False, "tokenizer_class": "MarianTokenizer"}
    files = {"source.spm": src, "target.spm": tgt, "vocab.json": vocab, "tokenizer_config.json": tok_conf,
             "special_tokens_map.json": {"eos_token": "</s>", "unk_token": "<unk>", "pad_token": "<pad>"}}

    def encode(text):  # MarianTokenizer: source.spm pieces -> vocab.json (unknown piece -> <unk>), then </s>
        return [vocab.get(p, 1) for p in sps.encode(text, out_type=str)] + [eos]

    # transformers.js needs a tokenizer.json: Unigram over vocab.json's ids with source.spm's scores; pieces only
    # target.spm has get scores that source segmentation never prefers (single characters slightly below the
    # source minimum, so an English text with a German-only letter maps it as MarianTokenizer does).
    src_scores = {sps.id_to_piece(i): sps.get_score(i) for i in range(sps.get_piece_size())
                  if not (sps.is_control(i) or sps.is_unknown(i))}
    low = min(src_scores.values())
    uni = []
    for piece, i in sorted(vocab.items(), key=lambda kv: kv[1]):
        if piece in ("</s>", "<unk>", "<pad>"):
            uni.append([piece, 0.0])
        else:
            uni.append([piece, src_scores.get(piece, low - 5.0 if len(piece) == 1 else low - 1000.0)])
    tj = {"version": "1.0", "truncation": None, "padding": None,
          "added_tokens": [added(0, "</s>"), added(1, "<unk>"), added(pad, "<pad>")],
          "normalizer": tr.spm_normalizer(src), "pre_tokenizer": tr.METASPACE,
          "post_processor": template([], ["</s>"], vocab), "decoder": tr.METASPACE,
          "model": {"type": "Unigram", "unk_id": 1, "vocab": uni, "byte_fallback": False}}
    return cfg, files, conf, gen, encode, {"tokenizer.json": tj}, {}


M2M100_LANGS = ["af", "am", "ar", "ast", "az", "ba", "be", "bg", "bn", "br", "bs", "ca", "ceb", "cs", "cy", "da", "de",
                "el", "en", "es", "et", "fa", "ff", "fi", "fr", "fy", "ga", "gd", "gl", "gu", "ha", "he", "hi", "hr",
                "ht", "hu", "hy", "id", "ig", "ilo", "is", "it", "ja", "jv", "ka", "kk", "km", "kn", "ko", "lb", "lg",
                "ln", "lo", "lt", "lv", "mg", "mk", "ml", "mn", "mr", "ms", "my", "ne", "nl", "no", "ns", "oc", "or",
                "pa", "pl", "ps", "pt", "ro", "ru", "sd", "si", "sk", "sl", "so", "sq", "sr", "ss", "su", "sv", "sw",
                "ta", "th", "tl", "tn", "tr", "uk", "ur", "uz", "vi", "wo", "xh", "yi", "yo", "zh", "zu"]


def fam_m2m100(work):
    en, de = corpus()
    model = tr.train_spm(en + de, os.path.join(work, "sentencepiece.bpe"), 500, "bpe")
    sp = spm.SentencePieceProcessor(model_file=model)
    # fairseq dictionary order: <s> 0, <pad> 1, </s> 2, <unk> 3, then the pieces
    vocab = {"<s>": 0, "<pad>": 1, "</s>": 2, "<unk>": 3}
    for i in range(sp.get_piece_size()):
        if not (sp.is_control(i) or sp.is_unknown(i)):
            vocab.setdefault(sp.id_to_piece(i), len(vocab))
    n = len(vocab)
    lang_id = {f"__{c}__": n + i for i, c in enumerate(M2M100_LANGS)}  # M2M100Tokenizer: encoder_size + i
    madeup = 8
    V = n + len(lang_id) + madeup
    cfg = base_config(V, 1, 2, 2)
    conf = bart_like_config("m2m_100", "M2M100ForConditionalGeneration", cfg, bos_token_id=0, scale_embedding=True,
                            early_stopping=True, num_beams=5, max_length=GEN_MAX_LENGTH)
    gen = {"bos_token_id": 0, "decoder_start_token_id": 2, "early_stopping": True, "eos_token_id": 2,
           "max_length": GEN_MAX_LENGTH, "num_beams": 5, "pad_token_id": 1, "transformers_version": TRANSFORMERS_VERSION}
    langs = list(lang_id)
    tok_conf = {"src_lang": "en", "tgt_lang": "de", "bos_token": "<s>", "eos_token": "</s>", "sep_token": "</s>",
                "unk_token": "<unk>", "pad_token": "<pad>", "language_codes": "m2m100", "num_madeup_words": madeup,
                "model_max_length": 1024, "sp_model_kwargs": {}, "additional_special_tokens": langs,
                "clean_up_tokenization_spaces": True, "tokenizer_class": "M2M100Tokenizer"}
    files = {"sentencepiece.bpe.model": model, "vocab.json": vocab, "tokenizer_config.json": tok_conf,
             "special_tokens_map.json": {"bos_token": "<s>", "eos_token": "</s>", "sep_token": "</s>",
                                         "unk_token": "<unk>", "pad_token": "<pad>",
                                         "additional_special_tokens": langs}}

    def encode(text):  # M2M100Tokenizer: [__src__] pieces </s>
        return [lang_id["__en__"]] + [vocab.get(p, 3) for p in sp.encode(text, out_type=str)] + [2]

    full = dict(vocab)
    full.update(lang_id)
    for i in range(madeup):
        full[f"<madeupword{i}>"] = n + len(lang_id) + i
    add = [added(i, t) for t, i in list(vocab.items())[:4]] + [added(i, t) for t, i in lang_id.items()] + \
        [added(full[f"<madeupword{i}>"], f"<madeupword{i}>") for i in range(madeup)]
    tj = tr.spm_bpe_tokenizer_json(model, full, add, template(["__en__"], ["</s>"], full))
    return cfg, files, conf, gen, encode, {"tokenizer.json": tj}, {"forced_bos_token_id": lang_id["__de__"]}


NLLB_LANGS = ['ace_Arab', 'ace_Latn', 'acm_Arab', 'acq_Arab', 'aeb_Arab', 'afr_Latn', 'ajp_Arab', 'aka_Latn', 'amh_Ethi',
              'apc_Arab', 'arb_Arab', 'ars_Arab', 'ary_Arab', 'arz_Arab', 'asm_Beng', 'ast_Latn', 'awa_Deva', 'ayr_Latn',
              'azb_Arab', 'azj_Latn', 'bak_Cyrl', 'bam_Latn', 'ban_Latn', 'bel_Cyrl', 'bem_Latn', 'ben_Beng', 'bho_Deva',
              'bjn_Arab', 'bjn_Latn', 'bod_Tibt', 'bos_Latn', 'bug_Latn', 'bul_Cyrl', 'cat_Latn', 'ceb_Latn', 'ces_Latn',
              'cjk_Latn', 'ckb_Arab', 'crh_Latn', 'cym_Latn', 'dan_Latn', 'deu_Latn', 'dik_Latn', 'dyu_Latn', 'dzo_Tibt',
              'ell_Grek', 'eng_Latn', 'epo_Latn', 'est_Latn', 'eus_Latn', 'ewe_Latn', 'fao_Latn', 'pes_Arab', 'fij_Latn',
              'fin_Latn', 'fon_Latn', 'fra_Latn', 'fur_Latn', 'fuv_Latn', 'gla_Latn', 'gle_Latn', 'glg_Latn', 'grn_Latn',
              'guj_Gujr', 'hat_Latn', 'hau_Latn', 'heb_Hebr', 'hin_Deva', 'hne_Deva', 'hrv_Latn', 'hun_Latn', 'hye_Armn',
              'ibo_Latn', 'ilo_Latn', 'ind_Latn', 'isl_Latn', 'ita_Latn', 'jav_Latn', 'jpn_Jpan', 'kab_Latn', 'kac_Latn',
              'kam_Latn', 'kan_Knda', 'kas_Arab', 'kas_Deva', 'kat_Geor', 'knc_Arab', 'knc_Latn', 'kaz_Cyrl', 'kbp_Latn',
              'kea_Latn', 'khm_Khmr', 'kik_Latn', 'kin_Latn', 'kir_Cyrl', 'kmb_Latn', 'kon_Latn', 'kor_Hang', 'kmr_Latn',
              'lao_Laoo', 'lvs_Latn', 'lij_Latn', 'lim_Latn', 'lin_Latn', 'lit_Latn', 'lmo_Latn', 'ltg_Latn', 'ltz_Latn',
              'lua_Latn', 'lug_Latn', 'luo_Latn', 'lus_Latn', 'mag_Deva', 'mai_Deva', 'mal_Mlym', 'mar_Deva', 'min_Latn',
              'mkd_Cyrl', 'plt_Latn', 'mlt_Latn', 'mni_Beng', 'khk_Cyrl', 'mos_Latn', 'mri_Latn', 'zsm_Latn', 'mya_Mymr',
              'nld_Latn', 'nno_Latn', 'nob_Latn', 'npi_Deva', 'nso_Latn', 'nus_Latn', 'nya_Latn', 'oci_Latn', 'gaz_Latn',
              'ory_Orya', 'pag_Latn', 'pan_Guru', 'pap_Latn', 'pol_Latn', 'por_Latn', 'prs_Arab', 'pbt_Arab', 'quy_Latn',
              'ron_Latn', 'run_Latn', 'rus_Cyrl', 'sag_Latn', 'san_Deva', 'sat_Beng', 'scn_Latn', 'shn_Mymr', 'sin_Sinh',
              'slk_Latn', 'slv_Latn', 'smo_Latn', 'sna_Latn', 'snd_Arab', 'som_Latn', 'sot_Latn', 'spa_Latn', 'als_Latn',
              'srd_Latn', 'srp_Cyrl', 'ssw_Latn', 'sun_Latn', 'swe_Latn', 'swh_Latn', 'szl_Latn', 'tam_Taml', 'tat_Cyrl',
              'tel_Telu', 'tgk_Cyrl', 'tgl_Latn', 'tha_Thai', 'tir_Ethi', 'taq_Latn', 'taq_Tfng', 'tpi_Latn', 'tsn_Latn',
              'tso_Latn', 'tuk_Latn', 'tum_Latn', 'tur_Latn', 'twi_Latn', 'tzm_Tfng', 'uig_Arab', 'ukr_Cyrl', 'umb_Latn',
              'urd_Arab', 'uzn_Latn', 'vec_Latn', 'vie_Latn', 'war_Latn', 'wol_Latn', 'xho_Latn', 'ydd_Hebr', 'yor_Latn',
              'yue_Hant', 'zho_Hans', 'zho_Hant', 'zul_Latn']


def fam_nllb(work):
    en, de = corpus()
    model = tr.train_spm(en + de, os.path.join(work, "sentencepiece.bpe"), 500, "bpe")
    sp = spm.SentencePieceProcessor(model_file=model)
    # NllbConverter: <s> 0, <pad> 1, </s> 2, <unk> 3, then spm pieces[3:] (fairseq offset 1), then the language
    # codes (added special tokens), then <mask>
    vocab = {"<s>": 0, "<pad>": 1, "</s>": 2, "<unk>": 3}
    for i in range(3, sp.get_piece_size()):
        vocab[sp.id_to_piece(i)] = i + 1
    n = len(vocab)
    lang_id = {c: n + i for i, c in enumerate(NLLB_LANGS)}
    full = dict(vocab)
    full.update(lang_id)
    full["<mask>"] = len(full)
    V = len(full)
    cfg = base_config(V, 1, 2, 2)
    conf = bart_like_config("m2m_100", "M2M100ForConditionalGeneration", cfg, bos_token_id=0, scale_embedding=True,
                            tokenizer_class="NllbTokenizer", tag="nllb", max_length=GEN_MAX_LENGTH)
    gen = {"bos_token_id": 0, "decoder_start_token_id": 2, "eos_token_id": 2, "max_length": GEN_MAX_LENGTH,
           "pad_token_id": 1, "transformers_version": TRANSFORMERS_VERSION}
    add = [added(i, t) for t, i in vocab.items() if i < 4] + [added(i, t) for t, i in lang_id.items()] + \
        [added(full["<mask>"], "<mask>", lstrip=True, normalized=True)]
    tj = tr.spm_bpe_tokenizer_json(model, full, add, template(["eng_Latn"], ["</s>"], full))
    tok_conf = {"src_lang": "eng_Latn", "tgt_lang": "deu_Latn", "legacy_behaviour": False, "bos_token": "<s>",
                "eos_token": "</s>", "sep_token": "</s>", "cls_token": "<s>", "unk_token": "<unk>",
                "pad_token": "<pad>", "mask_token": "<mask>", "additional_special_tokens": NLLB_LANGS,
                "model_max_length": 1024, "sp_model_kwargs": {}, "clean_up_tokenization_spaces": True,
                "tokenizer_class": "NllbTokenizer"}
    files = {"sentencepiece.bpe.model": model, "tokenizer.json": tj, "tokenizer_config.json": tok_conf,
             "special_tokens_map.json": {"bos_token": "<s>", "eos_token": "</s>", "sep_token": "</s>",
                                         "cls_token": "<s>", "unk_token": "<unk>", "pad_token": "<pad>",
                                         "mask_token": "<mask>", "additional_special_tokens": NLLB_LANGS}}

    def encode(text):  # NllbTokenizer, legacy_behaviour false: [src_lang] pieces </s>; spm id + 1, spm unk -> 3
        return [lang_id["eng_Latn"]] + [3 if i == sp.unk_id() else i + 1 for i in sp.encode(text)] + [2]

    return cfg, files, conf, gen, encode, {}, {"forced_bos_token_id": lang_id["deu_Latn"]}


T5_PREFIX = "translate English to German: "


def fam_t5(work):
    en, de = corpus()
    model = tr.train_spm([T5_PREFIX + e for e in en[::2]] + ["summarize: " + e for e in en[1::2]] + de,
                         os.path.join(work, "spiece"), 500, "unigram", pad_id=0, eos_id=1, unk_id=2, bos_id=-1)
    sp = spm.SentencePieceProcessor(model_file=model)
    n, extra = sp.get_piece_size(), 100
    V = ((n + extra + 127) // 128) * 128  # T5 pads the embedding past the tokenizer (32128 vs 32100)
    cfg = base_config(V, 0, 1, 0)
    h = cfg.heads
    conf = {"_name_or_path": "replica-t5", "architectures": ["T5ForConditionalGeneration"], "model_type": "t5",
            "d_model": cfg.d_model, "d_kv": cfg.d_model // h, "d_ff": cfg.ffn_dim, "num_layers": cfg.encoder_layers,
            "num_decoder_layers": cfg.decoder_layers, "num_heads": h, "relative_attention_num_buckets": 32,
            "relative_attention_max_distance": 128, "dropout_rate": 0.0, "layer_norm_epsilon": 1e-6,
            "initializer_factor": 1.0, "feed_forward_proj": "relu", "is_encoder_decoder": True,
            "tie_word_embeddings": True, "use_cache": True, "vocab_size": V, "pad_token_id": 0, "eos_token_id": 1,
            "decoder_start_token_id": 0, "n_positions": 512, "torch_dtype": "float32",
            "transformers_version": TRANSFORMERS_VERSION,
            "task_specific_params": {
                "summarization": {"early_stopping": True, "length_penalty": 2.0, "max_length": 200, "min_length": 30,
                                  "no_repeat_ngram_size": 3, "num_beams": 4, "prefix": "summarize: "},
                "translation_en_to_de": {"early_stopping": True, "max_length": 300, "num_beams": 4,
                                         "prefix": T5_PREFIX},
                "translation_en_to_fr": {"early_stopping": True, "max_length": 300, "num_beams": 4,
                                         "prefix": "translate English to French: "},
                "translation_en_to_ro": {"early_stopping": True, "max_length": 300, "num_beams": 4,
                                         "prefix": "translate English to Romanian: "}}}
    gen = {"decoder_start_token_id": 0, "eos_token_id": 1, "pad_token_id": 0,
           "transformers_version": TRANSFORMERS_VERSION}  # no max_length: generate()'s default 20
    tmp = os.path.join(work, "t5tok")
    tokenizer_json.convert(model, tmp, 512)
    tj = json.load(open(os.path.join(tmp, "tokenizer.json"), encoding="utf-8"))
    extras = [f"<extra_id_{i}>" for i in range(extra)]
    for i in range(extra):  # <extra_id_0> is the last id
        tj["model"]["vocab"].append([f"<extra_id_{extra - 1 - i}>", 0.0])
    tj["added_tokens"] += [added(n + extra - 1 - i, f"<extra_id_{i}>") for i in reversed(range(extra))]
    tok_conf = {"eos_token": "</s>", "unk_token": "<unk>", "pad_token": "<pad>", "extra_ids": extra,
                "additional_special_tokens": extras, "model_max_length": 512, "legacy": True,
                "clean_up_tokenization_spaces": True, "tokenizer_class": "T5Tokenizer"}
    files = {"spiece.model": model, "tokenizer.json": tj, "tokenizer_config.json": tok_conf,
             "special_tokens_map.json": {"eos_token": "</s>", "unk_token": "<unk>", "pad_token": "<pad>",
                                         "additional_special_tokens": extras}}

    def encode(text):  # T5Tokenizer: spiece ids, then </s>
        return sp.encode(text) + [1]

    return cfg, files, conf, gen, encode, {}, {}


def fam_bart(work):
    en, de = corpus()
    merges = tr.train_byte_bpe(en + de, 400)
    vocab = {"<s>": 0, "<pad>": 1, "</s>": 2, "<unk>": 3}
    for b in sorted(tr.B2U):
        vocab[tr.B2U[b]] = len(vocab)
    for a, b in merges:
        vocab.setdefault(a + b, len(vocab))
    vocab["<mask>"] = len(vocab)
    V = len(vocab)
    cfg = base_config(V, 1, 2, 2)
    conf = bart_like_config("bart", "BartForConditionalGeneration", cfg, bos_token_id=0, forced_bos_token_id=0,
                            forced_eos_token_id=2, scale_embedding=False, add_bias_logits=False,
                            add_final_layer_norm=False, normalize_before=False, normalize_embedding=True,
                            classif_dropout=0.0, classifier_dropout=0.0, num_labels=3, early_stopping=True,
                            length_penalty=2.0, max_length=GEN_MAX_LENGTH, min_length=8, no_repeat_ngram_size=3,
                            num_beams=4)
    gen = {"bos_token_id": 0, "decoder_start_token_id": 2, "early_stopping": True, "eos_token_id": 2,
           "forced_bos_token_id": 0, "forced_eos_token_id": 2, "length_penalty": 2.0, "max_length": GEN_MAX_LENGTH,
           "min_length": 8, "no_repeat_ngram_size": 3, "num_beams": 4, "pad_token_id": 1,
           "transformers_version": TRANSFORMERS_VERSION}
    merge_lines = [f"{a} {b}" for a, b in merges]
    tj = {"version": "1.0", "truncation": None, "padding": None,
          "added_tokens": [added(0, "<s>"), added(1, "<pad>"), added(2, "</s>"), added(3, "<unk>"),
                           added(V - 1, "<mask>", lstrip=True)],
          "normalizer": None,
          "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True},
          "post_processor": {"type": "RobertaProcessing", "sep": ["</s>", 2], "cls": ["<s>", 0],
                             "trim_offsets": True, "add_prefix_space": False},
          "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
          "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": "",
                    "end_of_word_suffix": "", "fuse_unk": False, "byte_fallback": False, "ignore_merges": False,
                    "vocab": vocab, "merges": merge_lines}}
    tok_conf = {"add_prefix_space": False, "errors": "replace", "bos_token": "<s>", "eos_token": "</s>",
                "sep_token": "</s>", "cls_token": "<s>", "unk_token": "<unk>", "pad_token": "<pad>",
                "mask_token": "<mask>", "model_max_length": 1024, "trim_offsets": True,
                "clean_up_tokenization_spaces": True, "tokenizer_class": "BartTokenizer"}
    files = {"vocab.json": vocab, "merges.txt": "#version: 0.2\n" + "\n".join(merge_lines) + "\n",
             "tokenizer.json": tj, "tokenizer_config.json": tok_conf,
             "special_tokens_map.json": {"bos_token": "<s>", "eos_token": "</s>", "sep_token": "</s>",
                                         "cls_token": "<s>", "unk_token": "<unk>", "pad_token": "<pad>",
                                         "mask_token": {"content": "<mask>", "lstrip": True, "normalized": False,
                                                        "rstrip": False, "single_word": False}}}
    bpe = tr.ByteBPE(vocab, merges)

    def encode(text):  # BartTokenizer: <s> byte-level BPE </s>
        return [0] + bpe.encode(text) + [2]

    return cfg, files, conf, gen, encode, {}, {}


FAMILIES = {"marian": fam_marian, "m2m100": fam_m2m100, "nllb": fam_nllb, "t5": fam_t5, "bart": fam_bart}


def random_model(cfg, seed, unused_from=None):
    """Seeded random weights, shaped as export.py --random does so outputs depend on the input and the searches
    have clear winners (cross-attention and feed-forward gains, negative final-norm scale, an EOS bias)."""
    torch.manual_seed(seed)
    m = Seq2SeqTransformer(cfg)
    with torch.no_grad():
        for layer in m.decoder:
            layer.cross_attn.o.weight.mul_(4.0)
            layer.ffn.down.weight.mul_(2.0)
        m.dec_ln.weight.mul_(-3.0)
        m.final_logits_bias[cfg.eos_id] = 6.0
        if unused_from is not None:  # embedding rows past the tokenizer (T5): never predicted
            m.final_logits_bias[unused_from:] = -1e4
    m.eval()
    return m


def write_file(path, obj):
    if isinstance(obj, str) and os.path.isfile(obj):
        shutil.copyfile(obj, path)
    elif isinstance(obj, str):
        with open(path, "w", encoding="utf-8") as f:
            f.write(obj)
    else:
        dump_json(obj, path, compact=os.path.basename(path) == "tokenizer.json")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--family", required=True, choices=sorted(FAMILIES))
    ap.add_argument("--out", required=True)
    ap.add_argument("--inputs", required=True)
    a = ap.parse_args()
    torch.set_num_threads(1)
    out = os.path.join(a.out, a.family)
    ref = os.path.join(a.out, a.family + ".reference")
    for d in (out, ref):
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
    with tempfile.TemporaryDirectory() as work:
        cfg, files, conf, gen, encode, ref_files, forced = FAMILIES[a.family](work)
        for name, obj in files.items():
            write_file(os.path.join(out, name), obj)
        for name, obj in ref_files.items():
            write_file(os.path.join(ref, name), obj)
    dump_json(conf, os.path.join(out, "config.json"))
    dump_json(gen, os.path.join(out, "generation_config.json"))
    unused = None
    if a.family == "t5":
        unused = len(json.load(open(os.path.join(out, "tokenizer.json")))["model"]["vocab"])
    model = random_model(cfg, SEED + sorted(FAMILIES).index(a.family), unused)
    with torch.no_grad():
        export.export_graphs(model, out)
    for f in ("encoder_model", "decoder_model", "decoder_with_past_model"):
        export.share_tied_embedding(os.path.join(out, f + ".onnx"), model)
    export.merge_decoders(out, cfg.decoder_layers)

    with open(a.inputs, encoding="utf-8") as f:
        texts = [line.rstrip("\n") for line in f if line.strip()]
    if a.family == "t5":
        texts = [T5_PREFIX + t for t in texts]
    settings = [("greedy", {"num_beams": 1}), ("beam4", {"num_beams": 4})]
    with torch.no_grad():
        for name, over in settings:
            opts = dict(forced, **over)
            with open(os.path.join(ref, name + ".jsonl"), "w", encoding="utf-8") as f:
                for text in texts:
                    ids = encode(text)
                    if len(ids) > cfg.max_positions:
                        raise SystemExit(f"{a.family}: {len(ids)} tokens in {text!r}, over {cfg.max_positions}")
                    o = rs.Options(gen, **opts)
                    tokens, sum_lp, score = (rs.greedy if o.num_beams == 1 else rs.beam)(model, ids, o)
                    rec = {"text": text, "input_ids": ids, "options": opts, "max_length": o.max_length,
                           "tokens": tokens, "sum_logprobs": round(sum_lp, 6), "score": round(score, 6)}
                    f.write(json.dumps(rec, ensure_ascii=False) + "\n")
    size = sum(os.path.getsize(os.path.join(out, x)) for x in os.listdir(out))
    print(f"{a.family}: {len(os.listdir(out))} files, {size / 1e6:.2f} MB, vocab {cfg.vocab_size}")
    if size > 2_000_000:
        raise SystemExit(f"{a.family}: bundle over 2 MB")


if __name__ == "__main__":
    main()
