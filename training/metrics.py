"""BLEU, chrF and chrF++ computed the way sacreBLEU 2.x computes them (corpus level, one reference per segment).

BLEU: the 13a tokenizer, 1-4-gram precisions clipped by the reference, 'exp' smoothing, brevity penalty from the
summed lengths, score 0 when nothing matches at all. chrF: character 1-6-grams with whitespace removed, beta 2,
statistics summed over the corpus, precision and recall averaged over the orders that have n-grams on both sides
(sacreBLEU's default "effective order"). chrF++ adds word 1-2-grams after splitting punctuation off word ends.

Usage: metrics.py HYP_FILE REF_FILE   (prints the three scores)."""
import math
import re
import sys
from collections import Counter

# 13a: the regular expressions of mteval-v13a, applied in this order
_TOK13A = [
    (re.compile(r"([\{-\~\[-\` -\&\(-\+\:-\@\/])"), r" \1 "),  # symbols and most punctuation
    (re.compile(r"([^0-9])([\.,])"), r"\1 \2 "),  # period/comma unless preceded by a digit
    (re.compile(r"([\.,])([^0-9])"), r" \1 \2"),  # period/comma unless followed by a digit
    (re.compile(r"([0-9])(-)"), r"\1 \2 "),  # dash after a digit
]
_PUNCTS = set("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")  # string.punctuation, split off word ends by chrF++


def tokenize_13a(line):
    line = line.rstrip()
    line = line.replace("<skipped>", "").replace("-\n", "").replace("\n", " ")
    if "&" in line:
        line = line.replace("&quot;", '"').replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")
    line = f" {line} "
    for pattern, repl in _TOK13A:
        line = pattern.sub(repl, line)
    return line.split()


def _word_ngrams(tokens, n):
    return Counter(tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1))


def bleu_stats(hyp, ref, max_order=4):
    """[hyp_len, ref_len, correct_1..4, total_1..4] of one segment."""
    h, r = tokenize_13a(hyp), tokenize_13a(ref)
    correct, total = [], []
    for n in range(1, max_order + 1):
        hc, rc = _word_ngrams(h, n), _word_ngrams(r, n)
        correct.append(sum(min(c, rc[g]) for g, c in hc.items() if g in rc))
        total.append(sum(hc.values()))
    return [len(h), len(r)] + correct + total


def bleu_from_stats(stats, max_order=4):
    sys_len, ref_len = stats[0], stats[1]
    correct, total = stats[2:2 + max_order], stats[2 + max_order:2 + 2 * max_order]
    if not any(correct):
        return 0.0
    precisions = [0.0] * max_order
    smooth = 1.0
    for n in range(max_order):
        if total[n] == 0:
            break
        if correct[n] == 0:
            smooth *= 2
            precisions[n] = 100.0 / (smooth * total[n])
        else:
            precisions[n] = 100.0 * correct[n] / total[n]
    bp = 1.0
    if sys_len < ref_len:
        bp = math.exp(1 - ref_len / sys_len) if sys_len > 0 else 0.0
    logs = [math.log(p) if p > 0 else -9999999999 for p in precisions]
    return bp * math.exp(sum(logs) / max_order)


def _chrf_words(sent):
    out = []
    for w in sent.split():
        if len(w) == 1:
            out.append(w)
        elif w[-1] in _PUNCTS:
            out += [w[:-1], w[-1]]
        elif w[0] in _PUNCTS:
            out += [w[0], w[1:]]
        else:
            out.append(w)
    return out


def _ngram_sets(sent, char_order, word_order):
    chars = "".join(sent.split())
    grams = [Counter(chars[i:i + n] for i in range(len(chars) - n + 1)) for n in range(1, char_order + 1)]
    if word_order:
        words = _chrf_words(sent)
        grams += [_word_ngrams(words, n) for n in range(1, word_order + 1)]
    return grams


def chrf_stats(hyp, ref, char_order=6, word_order=0):
    """[hyp_count, ref_count, match] per order (characters 1..char_order, then words 1..word_order)."""
    out = []
    for h, r in zip(_ngram_sets(hyp, char_order, word_order), _ngram_sets(ref, char_order, word_order)):
        match = sum(min(c, r[g]) for g, c in h.items() if g in r)
        out += [sum(h.values()) if r else 0, sum(r.values()), match]  # no hypothesis count without a reference
    return out


def chrf_from_stats(stats, beta=2):
    factor = beta ** 2
    prec = rec = 0.0
    effective = 0
    for i in range(0, len(stats), 3):
        n_hyp, n_ref, n_match = stats[i:i + 3]
        if n_hyp > 0 and n_ref > 0:
            prec += n_match / n_hyp
            rec += n_match / n_ref
            effective += 1
    if effective == 0:
        return 0.0
    prec, rec = prec / effective, rec / effective
    if prec + rec == 0:
        return 0.0
    return 100 * (1 + factor) * prec * rec / (factor * prec + rec)


def _corpus(stat_fn, hyps, refs):
    if len(hyps) != len(refs):
        raise ValueError(f"{len(hyps)} hypotheses but {len(refs)} references")
    total = None
    for h, r in zip(hyps, refs):
        s = stat_fn(h, r)
        total = s if total is None else [a + b for a, b in zip(total, s)]
    return total


def corpus_bleu(hyps, refs):
    stats = _corpus(bleu_stats, hyps, refs)
    return bleu_from_stats(stats) if stats else 0.0


def corpus_chrf(hyps, refs, word_order=0):
    stats = _corpus(lambda h, r: chrf_stats(h, r, 6, word_order), hyps, refs)
    return chrf_from_stats(stats) if stats else 0.0


def scores(hyps, refs):
    """{'BLEU', 'chrF', 'chrF++'} of a corpus, rounded as sacreBLEU prints them."""
    return {"BLEU": round(corpus_bleu(hyps, refs), 2), "chrF": round(corpus_chrf(hyps, refs), 2),
            "chrF++": round(corpus_chrf(hyps, refs, 2), 2)}


def main(argv):
    if len(argv) != 3:
        sys.exit(__doc__)
    with open(argv[1], encoding="utf-8") as fh, open(argv[2], encoding="utf-8") as fr:
        hyps, refs = fh.read().splitlines(), fr.read().splitlines()
    print(scores(hyps, refs))


if __name__ == "__main__":
    main(sys.argv)
