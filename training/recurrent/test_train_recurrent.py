"""A run stopped mid-epoch and resumed ends with exactly the weights of an uninterrupted run, and exports a bundle
(run: /usr/bin/python3 -m unittest training/recurrent/test_train_recurrent.py; about 30 s)."""
import json
import os
import subprocess
import sys
import tempfile
import unittest

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "..", "replicas", "corpus.en-de.tsv")


class ResumeTest(unittest.TestCase):
    def run_script(self, tmp, ckpt, *extra):
        args = [sys.executable, os.path.join(HERE, "train_recurrent.py"), "--tsv", os.path.join(tmp, "pairs.tsv"),
                "--ckpt-dir", os.path.join(tmp, ckpt), "--out", os.path.join(tmp, ckpt + "-bundle"), "--latent", "8",
                "--epochs", "2", "--batch", "16", "--dev-pairs", "20", "--min-count", "1", "--threads", "1",
                "--max-length", "20", *extra]
        subprocess.run(args, check=True, capture_output=True, env={**os.environ, "OPENBLAS_NUM_THREADS": "1"})
        return torch.load(os.path.join(tmp, ckpt, "last.pt"))

    def test_resumed_run_equals_uninterrupted_run(self):
        with tempfile.TemporaryDirectory() as tmp:
            with open(CORPUS, encoding="utf-8") as f, open(os.path.join(tmp, "pairs.tsv"), "w", encoding="utf-8") as out:
                out.writelines(f.readlines()[:200])
            straight = self.run_script(tmp, "a")
            first = self.run_script(tmp, "b", "--max-batches", "7")  # stops mid-epoch 1 (12 batches an epoch)
            self.assertEqual((first["epoch"], first["batch"]), (0, 7))
            second = self.run_script(tmp, "b", "--max-batches", "8")  # the rest of epoch 1 and 3 of epoch 2
            self.assertEqual((second["epoch"], second["batch"]), (1, 3))
            resumed = self.run_script(tmp, "b")
            self.assertEqual(resumed["epoch"], 2)
            for k, v in straight["model"].items():
                self.assertTrue(torch.equal(v, resumed["model"][k]), k)
            with open(os.path.join(tmp, "b-bundle", "manifest.json"), encoding="utf-8") as f:
                m = json.load(f)
            self.assertEqual((m["architecture"], m["input_encoding"], m["latent_dim"]), ("lstm", "one_hot", 8))
            self.assertTrue(os.path.exists(os.path.join(tmp, "b-bundle", "decoder_step.onnx")))


if __name__ == "__main__":
    unittest.main()
