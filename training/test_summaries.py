"""Checks of the summarization data extractor (data/summaries.py) on index stanzas written here."""
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "data"))
import summaries  # noqa: E402


def stanza(text):
    return text.strip("\n").split("\n")


class SummariesTest(unittest.TestCase):
    def test_long_description_becomes_one_line(self):
        st = stanza("""
Package: foo-doc
Description-md5: 0123
Description-en: Foo toolkit  (documentation)
 Foo is a toolkit for
 frobnicating widgets.
 .
 This package contains the manual.
""")
        self.assertEqual(list(summaries.descriptions([st])),
                         [("foo-doc", "Foo toolkit (documentation)",
                           "Foo is a toolkit for frobnicating widgets. This package contains the manual.")])
        # a synopsis without a long description teaches nothing
        self.assertEqual(list(summaries.descriptions([stanza("Package: bar\nDescription-en: Bar")])), [])

    def test_source_package_falls_back_to_the_binary_name(self):
        sts = [stanza("Package: libfoo1\nSource: foo (1.2-3)\nVersion: 1.2-3+b1"), stanza("Package: bar\nVersion: 1")]
        self.assertEqual(summaries.source_of_packages(sts), {"libfoo1": "foo", "bar": "bar"})

    def test_split_holds_out_whole_sources_and_their_descriptions(self):
        rows = []
        for i in range(60):
            src = f"src{i}"
            rows.append((src, src + "-bin", f"synopsis {i}", f"description {i}"))
            rows.append((src, src + "-doc", f"synopsis {i} (documentation)", f"description {i}"))
            rows.append((src, src + "-dup", f"synopsis {i}", f"description {i}"))  # the same pair again
            # another source repeats the description, as binary packages of unrelated sources often do
            rows.append((f"other{i}", f"other{i}", f"other synopsis {i}", f"description {i}"))
        old = summaries.TEST_CAP, summaries.DEV_CAP
        summaries.TEST_CAP, summaries.DEV_CAP = 10, 5
        try:
            parts = summaries.split(rows)
            again = summaries.split(list(reversed(rows)))
        finally:
            summaries.TEST_CAP, summaries.DEV_CAP = old
        self.assertEqual(parts, again)  # order of the input does not matter
        held = {d for p in ("dev", "test") for d, _ in parts[p]}
        self.assertGreaterEqual(len([d for d, _ in parts["test"]]), 10)
        self.assertGreaterEqual(len(parts["dev"]), 5)
        self.assertFalse(held & {d for d, _ in parts["train"]})
        for p in ("dev", "test"):  # each held-out description once
            self.assertEqual(len(parts[p]), len({d for d, _ in parts[p]}))
        self.assertEqual(len(parts["train"]), len(set(parts["train"])))
        # a training description keeps each synopsis once: the repeated pair is dropped, the other source's kept
        i = next(k for k in range(60) if f"description {k}" not in held)
        self.assertEqual(sorted(syn for d, syn in parts["train"] if d == f"description {i}"),
                         [f"other synopsis {i}", f"synopsis {i}", f"synopsis {i} (documentation)"])


if __name__ == "__main__":
    unittest.main()
