"""Averages the weights of several checkpoints of one training run (the last few saves smooth out the step-to-step
noise of a small batch). The optimizer state and step count of the last one are kept, so training can resume from it.

Usage: average.py --out work/ckpt/avg.pt CKPT [CKPT ...]"""
import argparse

import torch


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True)
    ap.add_argument("checkpoints", nargs="+")
    a = ap.parse_args()
    states = [torch.load(p, map_location="cpu") for p in a.checkpoints]
    for p, s in zip(a.checkpoints, states):
        if s["config"] != states[0]["config"]:
            raise SystemExit(f"average.py: {p} has another model configuration")
    out = dict(states[-1])
    out["model"] = {k: (sum(s["model"][k].float() for s in states) / len(states)).to(v.dtype) if v.is_floating_point() else v
                    for k, v in states[-1]["model"].items()}
    out["averaged"] = [{"step": s["step"]} for s in states]
    torch.save(out, a.out)
    print(f"averaged steps {[s['step'] for s in states]} -> {a.out}")


if __name__ == "__main__":
    main()
