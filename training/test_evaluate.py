"""Checks of the scorer, the translation-memory baseline and the evaluation search (run: python3 -m unittest).

Metric figures are worked out by hand in the comments; check_against_sacrebleu.py compares the port with sacreBLEU
itself on generated text where sacreBLEU can be imported (not here: a manual check)."""
import os
import random
import sys
import unittest

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import metrics  # noqa: E402
from evaluate import beam_search, greedy, pad_batch  # noqa: E402
from model import ModelConfig, Seq2SeqTransformer  # noqa: E402
from tm_baseline import TranslationMemory  # noqa: E402


class MetricsTest(unittest.TestCase):
    def test_13a_tokenizer(self):
        self.assertEqual(metrics.tokenize_13a("It costs 3.50 $ (approx.), 1990-2000 &amp; more."),
                         ["It", "costs", "3.50", "$", "(", "approx", ".", ")", ",", "1990", "-", "2000", "&",
                          "more", "."])

    def test_bleu_by_hand(self):
        # 1-grams 6/7, 2-grams 4/6, 3-grams 2/5, 4-grams 1/4, equal lengths:
        # (6/7 * 4/6 * 2/5 * 1/4) ** (1/4) = 0.48892
        self.assertAlmostEqual(metrics.corpus_bleu(["The cat is on the mat."], ["The cat sat on the mat."]),
                               48.892, places=2)
        # no match at all: 0, whatever the smoothing
        self.assertEqual(metrics.corpus_bleu(["x y z w"], ["a b c d"]), 0.0)

    def test_bleu_brevity_penalty_and_smoothing(self):
        # hyp "a b" vs ref "a b c d": p1 = 2/2, p2 = 1/1, 3- and 4-grams: none in the hypothesis -> stop there,
        # their precisions stay 0 and the score collapses to 0 (sacreBLEU's corpus BLEU without effective order)
        self.assertEqual(metrics.corpus_bleu(["a b"], ["a b c d"]), 0.0)
        # hyp "a b c x" vs ref "a b c d e": p = 3/4, 2/3, 1/2, 4-grams 0/1 -> exp smoothing 100/(2*1) %;
        # BP = exp(1 - 5/4)
        import math
        expected = math.exp(1 - 5 / 4) * math.exp((math.log(75) + math.log(200 / 3) + math.log(50) + math.log(50)) / 4)
        self.assertAlmostEqual(metrics.corpus_bleu(["a b c x"], ["a b c d e"]), expected, places=9)

    def test_chrf_by_hand(self):
        # "ab" vs "abc": 1-grams 2/2 precision, 2/3 recall; 2-grams 1/1, 1/2; 3-grams: none in the hypothesis;
        # effective orders 2: P = 1, R = 7/12, F2 = 5PR / (4P + R) = 35/55
        self.assertAlmostEqual(metrics.corpus_chrf(["ab"], ["abc"]), 100 * 35 / 55, places=9)
        # chrF++ adds word 1-grams "ab" vs "abc" (0 matches, one each side): P = 2/3, R = 7/18
        p, r = 2 / 3, 7 / 18
        self.assertAlmostEqual(metrics.corpus_chrf(["ab"], ["abc"], 2), 100 * 5 * p * r / (4 * p + r), places=9)
        # whitespace is ignored by chrF
        self.assertEqual(metrics.corpus_chrf(["a b c"], ["abc"]), 100.0)

    def test_chrf_plus_splits_punctuation(self):
        self.assertEqual(metrics._chrf_words("(hi) there, x ."), ["(hi", ")", "there", ",", "x", "."])


class TranslationMemoryTest(unittest.TestCase):
    def test_closest_source_wins_and_ties_go_to_the_first(self):
        tm = TranslationMemory(["Open file", "Open the file", "Close window", "open file"],
                               ["Datei öffnen", "Die Datei öffnen", "Fenster schließen", "datei öffnen"])
        self.assertEqual(tm.translate("Open file…"), "Datei öffnen")
        self.assertEqual(tm.translate("close the window"), "Fenster schließen")
        self.assertEqual(tm.translate("###"), "")


class SearchTest(unittest.TestCase):
    """The searches use the KV cache; teacher forcing without it must agree with what they report."""

    @classmethod
    def setUpClass(cls):
        # a tiny model trained briefly to reverse its input: random weights repeat one token forever, while a
        # half-trained one ends its outputs and gives beams that differ
        torch.manual_seed(3)
        torch.set_num_threads(1)
        cfg = ModelConfig(vocab_size=20, d_model=32, encoder_layers=1, decoder_layers=2, heads=2, ffn_dim=64,
                          dropout=0.0)
        cls.model = Seq2SeqTransformer(cfg)
        gen = random.Random(5)
        opt = torch.optim.Adam(cls.model.parameters(), lr=3e-3)
        for _ in range(60):
            srcs = [[gen.randint(3, 19) for _ in range(gen.randint(1, 7))] for _ in range(32)]
            src = pad_batch([s + [1] for s in srcs], 0)
            tgt = pad_batch([[0] + s[::-1] + [1] for s in srcs], 0)
            logits = cls.model(src, tgt[:, :-1])
            gold = tgt[:, 1:].masked_fill(tgt[:, 1:] == 0, -100)
            loss = torch.nn.functional.cross_entropy(logits.reshape(-1, 20), gold.reshape(-1), ignore_index=-100)
            opt.zero_grad()
            loss.backward()
            opt.step()
        cls.model.eval()
        cls.srcs = [[gen.randint(3, 19) for _ in range(gen.randint(1, 7))] + [1] for _ in range(8)]

    def teacher_forced(self, src, out):
        cfg = self.model.cfg
        s = pad_batch([src], 0)
        tgt = torch.tensor([[cfg.decoder_start_id] + out])
        with torch.no_grad():
            logits = self.model(s, tgt)[0].float()
        logp = torch.log_softmax(logits, -1)
        logp[:, cfg.pad_id] = -float("inf")  # banned after normalising, as Hugging Face's logits processors do
        return logp

    def test_greedy_is_argmax_of_teacher_forcing(self):
        for src, out in zip(self.srcs, greedy(self.model, self.srcs)):
            logp = self.teacher_forced(src, out)
            self.assertEqual(logp.argmax(-1).tolist()[:len(out)], out)

    def test_beam_score_is_the_sequence_log_probability(self):
        for src, (out, score) in zip(self.srcs, beam_search(self.model, self.srcs, 4)):
            logp = self.teacher_forced(src, out)
            total = sum(logp[i, t].item() for i, t in enumerate(out + [1]))
            self.assertAlmostEqual(score, total / (len(out) + 1), places=4)


if __name__ == "__main__":
    unittest.main()
