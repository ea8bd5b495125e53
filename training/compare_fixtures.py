"""Compares regenerated test fixtures with the committed ones (see check-test-fixtures.sh): the tiny bundle's files
byte for byte, the goldens that reference_search.py writes record for record with numbers within 1e-5."""
import json
import os
import sys

TOLERANCE = 1e-5


def same(a, b):
    if isinstance(a, float) or isinstance(b, float):
        return isinstance(a, (int, float)) and isinstance(b, (int, float)) and abs(a - b) <= TOLERANCE
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return a == b


def main(committed, fresh):
    problems = []
    bundle = os.path.join("models", "tiny")
    for dirpath, _, files in os.walk(os.path.join(fresh, bundle)):
        for f in files:
            rel = os.path.relpath(os.path.join(dirpath, f), fresh)
            mine = os.path.join(committed, rel)
            if not os.path.exists(mine):
                problems.append(f"{rel}: regenerated but not committed")
            elif open(mine, "rb").read() != open(os.path.join(fresh, rel), "rb").read():
                problems.append(f"{rel}: differs byte for byte")
    for f in sorted(os.listdir(os.path.join(fresh, "golden"))):
        rel = os.path.join("golden", f)
        mine = os.path.join(committed, rel)
        if not os.path.exists(mine):
            problems.append(f"{rel}: regenerated but not committed")
            continue
        old = open(mine, encoding="utf-8").read().rstrip("\n").split("\n")
        new = open(os.path.join(fresh, rel), encoding="utf-8").read().rstrip("\n").split("\n")
        if len(old) != len(new):
            problems.append(f"{rel}: {len(new)} records regenerated, {len(old)} committed")
        for i, (a, b) in enumerate(zip(old, new)):
            if not same(json.loads(a), json.loads(b)):
                problems.append(f"{rel}:{i + 1}: differs\n  committed   {a[:300]}\n  regenerated {b[:300]}")
    for p in problems[:40]:
        print(p)
    if problems:
        print(f"{len(problems)} differences: run training/make-test-fixtures.sh and commit, or find what changed")
        sys.exit(1)
    print("test fixtures reproduce: tiny bundle byte for byte, goldens within", TOLERANCE)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
