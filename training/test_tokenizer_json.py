"""Checks of the tokenizer.json / tokenizer_config.json writer (tokenizer_json.py) on the committed tiny vocabulary and
on a byte-fallback vocabulary trained here (run: /usr/bin/python3 -m unittest)."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_spm_golden  # noqa: E402
import tokenizer_json  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
TINY_SPM = os.path.join(HERE, "fixtures", "tiny-spm.model")
JOINER = {"type": "Replace", "pattern": {"String": "\u200d"}, "content": "\ue000"}


class TokenizerJsonTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp()
        corpus = os.path.join(cls.dir, "corpus.txt")
        make_spm_golden.corpus(corpus)
        make_spm_golden.train(corpus, os.path.join(cls.dir, "bytes"), vocab_size=500, model_type="unigram",
                              byte_fallback=True, normalization_rule_name="nmt_nfkc")
        cls.bytes_spm = os.path.join(cls.dir, "bytes.model")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir)

    def convert(self, spm_file, *args):
        out = tempfile.mkdtemp(dir=self.dir)
        subprocess.run([sys.executable, os.path.join(HERE, "tokenizer_json.py"), "--spm", spm_file, "--out", out,
                        *args], check=True)
        with open(os.path.join(out, "tokenizer.json"), encoding="utf-8") as f:
            tok = json.load(f)
        with open(os.path.join(out, "tokenizer_config.json"), encoding="utf-8") as f:
            conf = json.load(f)
        return tok, conf

    def test_language_pair_is_declared_when_given(self):
        _, conf = self.convert(TINY_SPM, "--source-lang", "en", "--target-lang", "de")
        self.assertEqual((conf["source_lang"], conf["target_lang"]), ("en", "de"))
        self.assertEqual(list(conf)[:3], ["source_lang", "target_lang", "tokenizer_class"])
        _, plain = self.convert(TINY_SPM)
        self.assertNotIn("source_lang", plain)
        self.assertNotIn("target_lang", plain)
        self.assertEqual({k: v for k, v in conf.items() if not k.endswith("_lang")}, plain)

    def test_half_a_language_pair_is_refused(self):
        with self.assertRaises(ValueError):
            tokenizer_json.convert(TINY_SPM, self.dir, source_lang="en")
        run = subprocess.run([sys.executable, os.path.join(HERE, "tokenizer_json.py"), "--spm", TINY_SPM, "--out",
                              self.dir, "--target-lang", "de"], capture_output=True, text=True)
        self.assertEqual(run.returncode, 2, run.stderr)

    def test_without_byte_fallback_the_joiner_is_swapped_for_a_private_use_character(self):
        tok, _ = self.convert(TINY_SPM)
        self.assertFalse(tok["model"]["byte_fallback"])
        self.assertEqual(tok["normalizer"]["normalizers"][0], JOINER)
        self.assertEqual(tok["decoder"]["type"], "Metaspace")

    def test_with_byte_fallback_the_joiner_is_spelt_as_its_bytes(self):
        tok, _ = self.convert(self.bytes_spm)
        self.assertTrue(tok["model"]["byte_fallback"])
        self.assertNotIn(JOINER, tok["normalizer"]["normalizers"])
        self.assertEqual([n["type"] for n in tok["normalizer"]["normalizers"]], ["Precompiled", "Strip", "Replace"])
        self.assertEqual([d["type"] for d in tok["decoder"]["decoders"]], ["ByteFallback", "Metaspace"])
        pieces = [p for p, _ in tok["model"]["vocab"]]
        self.assertEqual([p for p in pieces if p.startswith("<0x")], [f"<0x{b:02X}>" for b in range(256)])

    def test_golden_script_rebuilds_a_byte_fallback_model_from_its_tokenizer_json(self):
        import sentencepiece as spm
        out = tempfile.mkdtemp(dir=self.dir)
        tokenizer_json.convert(self.bytes_spm, out)
        rebuilt = os.path.join(out, "rebuilt.spm")
        make_spm_golden.default_model_from_tokenizer_json(os.path.join(out, "tokenizer.json"), rebuilt)
        original = spm.SentencePieceProcessor(model_file=self.bytes_spm)
        again = spm.SentencePieceProcessor(model_file=rebuilt)
        texts = make_spm_golden.inputs()
        self.assertTrue(any(original.is_byte(i) for t in texts for i in original.encode(t)))
        for t in texts:
            self.assertEqual(original.encode(t), again.encode(t), repr(t))


if __name__ == "__main__":
    unittest.main()
