#!/usr/bin/env python3
"""Sums the ONNX Runtime profiles that `translate --ort-profile DIR` writes: where the engine's time goes.

Usage: bench/ort-profile-summary.py DIR [TOP]

Prints, per session (one JSON file each: encoder_model, decoder_model, decoder_with_past_model, the small logits and
gather graphs), its runs and their total time, then the operator types that took the most kernel time in it.
Only the standard library: any python3 runs it.
"""
import collections
import glob
import json
import os
import re
import sys


def summarize(path):
    """(runs, run microseconds, Counter op type -> kernel microseconds, Counter op type -> kernel calls) of one profile."""
    with open(path) as f:
        events = json.load(f)
    runs = 0
    run_us = 0
    op_us = collections.Counter()
    op_calls = collections.Counter()
    for e in events:
        if e.get("cat") == "Session" and e.get("name") == "model_run":
            runs += 1
            run_us += e["dur"]
        elif e.get("cat") == "Node" and e.get("name", "").endswith("_kernel_time"):
            op = e.get("args", {}).get("op_name", "?")
            op_us[op] += e["dur"]
            op_calls[op] += 1
    return runs, run_us, op_us, op_calls


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    top = int(sys.argv[2]) if len(sys.argv) > 2 else 6
    files = sorted(glob.glob(os.path.join(sys.argv[1], "*.json")))
    if not files:
        sys.exit(f"no profiles (*.json) in {sys.argv[1]}")
    sessions = []
    for path in files:
        # ONNX Runtime names the file PREFIX_YYYY-MM-DD_HH-MM-SS.json; the prefix is the session's name
        name = re.sub(r"_\d{4}-\d\d-\d\d_\d\d-\d\d-\d\d(_\d+)?\.json$", "", os.path.basename(path))
        sessions.append((name, *summarize(path)))
    total = sum(s[2] for s in sessions) or 1
    print(f"{'session':34s} {'runs':>6s} {'ms':>9s} {'ms/run':>8s} {'share':>6s}")
    for name, runs, run_us, _, _ in sorted(sessions, key=lambda s: -s[2]):
        print(f"{name:34s} {runs:6d} {run_us / 1000:9.1f} {run_us / 1000 / max(runs, 1):8.2f} {100 * run_us / total:5.1f}%")
    print(f"{'all sessions':34s} {'':6s} {total / 1000:9.1f}")
    for name, runs, run_us, op_us, op_calls in sorted(sessions, key=lambda s: -s[2]):
        kernels = sum(op_us.values()) or 1
        print(f"\n{name}: kernel time by operator type ({kernels / 1000:.1f} ms in kernels)")
        for op, us in op_us.most_common(top):
            print(f"  {op:26s} {us / 1000:9.1f} ms {100 * us / kernels:5.1f}%  {op_calls[op] / max(runs, 1):6.1f} a run")


if __name__ == "__main__":
    main()
