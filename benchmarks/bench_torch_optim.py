#!/usr/bin/env python3
"""Time amslib.torch_optim.Adam against torch.optim.Adam on the course's MLP.

    python benchmarks/bench_torch_optim.py                 # CPU, 15-30 s
    python benchmarks/bench_torch_optim.py --quick         # CPU, a few seconds
    python benchmarks/bench_torch_optim.py --device cuda   # GPU

Model: Linear(1000, 100) -> ReLU -> Linear(100, 10), batch N = 64, MSELoss(sum).
Optimizers, all with amsgrad=True:

    torch.optim.Adam (default)       torch's own choice: foreach on CUDA, but on the CPU
                                     (torch 2.x) the per-parameter loop
    torch.optim.Adam (foreach=True)  the multi-tensor implementation, forced
    torch.optim.Adam (foreach=False) the per-parameter loop, forced
    amslib.torch_optim.Adam          ours, foreach path (its default)
    amslib ... (foreach=False)       ours, per-parameter loop
    amslib ... (check_finite=False)  ours, without the NaN/inf check torch.optim does not do

Two timings: ``optimizer.step()`` alone (gradients computed once, then step() called
repeatedly), and the full training step (zero_grad, forward, loss, backward, step).
Each repeat times a block of steps of every optimizer in turn, in a rotating order, so
that slow phases of a shared machine hit all of them alike; the table shows the median
(and best) over repeats of the per-step time, and ratios to torch's default and to
torch's foreach=True. The goal is judged on the median of per-repeat (paired) ratios,
which is much less sensitive to other load on the machine than a ratio of medians.
On CUDA the device is synchronised before and after each block.

The goal (issue 22): amslib's step(), with its finite-gradient check on, at most 1.1x
torch.optim.Adam(amsgrad=True)'s step() on the CPU, one thread; it is checked against both
the default and the forced foreach=True (they are the same thing on CUDA).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time

import torch  # noqa: E402

from amslib.torch_optim import Adam  # noqa: E402

GOAL = 1.1
N, D_IN, H, D_OUT = 64, 1000, 100, 10


def make_problem(device: str, dtype: torch.dtype):
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(D_IN, H), torch.nn.ReLU(),
                                torch.nn.Linear(H, D_OUT)).to(device=device, dtype=dtype)
    x = torch.randn(N, D_IN, device=device, dtype=dtype)
    y = torch.randn(N, D_OUT, device=device, dtype=dtype)
    return model, x, y


TORCH_DEFAULT = "torch.optim.Adam (default)"
TORCH_FOREACH = "torch.optim.Adam (foreach=True)"
AMSLIB = "amslib.torch_optim.Adam"
OPTIMIZERS = {
    TORCH_DEFAULT: lambda p: torch.optim.Adam(p, lr=1e-4, amsgrad=True),
    TORCH_FOREACH: lambda p: torch.optim.Adam(p, lr=1e-4, amsgrad=True, foreach=True),
    "torch.optim.Adam (foreach=False)": lambda p: torch.optim.Adam(p, lr=1e-4, amsgrad=True,
                                                                   foreach=False),
    AMSLIB: lambda p: Adam(p, lr=1e-4, amsgrad=True),
    "amslib.torch_optim.Adam (foreach=False)": lambda p: Adam(p, lr=1e-4, amsgrad=True,
                                                              foreach=False),
    "amslib.torch_optim.Adam (check_finite=False)": lambda p: Adam(p, lr=1e-4, amsgrad=True,
                                                                   check_finite=False),
}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    ap.add_argument("--quick", action="store_true", help="fewer repeats (a rough figure)")
    ap.add_argument("--dtype", default="float32", choices=["float32", "float64"])
    ap.add_argument("--threads", type=int, default=1,
                    help="torch.set_num_threads on the CPU (default 1: stable timings on a "
                         "shared machine, where waiting OpenMP threads add big random delays; "
                         "0 keeps torch's default)")
    args = ap.parse_args(argv)

    if args.device == "cuda" and not torch.cuda.is_available():
        print("no CUDA GPU on this machine: run with --device cpu", file=sys.stderr)
        return 2
    if args.threads and args.device == "cpu":
        torch.set_num_threads(args.threads)
    device, dtype = args.device, getattr(torch, args.dtype)
    repeats, block = (15, 20) if args.quick else (101, 20)
    sync = torch.cuda.synchronize if device == "cuda" else (lambda: None)
    loss_fn = torch.nn.MSELoss(reduction="sum")

    runs = {}
    for name, make_opt in OPTIMIZERS.items():
        model, x, y = make_problem(device, dtype)
        opt = make_opt(model.parameters())
        runs[name] = (model, x, y, opt)

    def train_step(model, x, y, opt):
        opt.zero_grad()
        loss_fn(model(x), y).backward()
        opt.step()

    def time_block(fn) -> float:
        sync()
        start = time.perf_counter_ns()
        for _ in range(block):
            fn()
        sync()
        return (time.perf_counter_ns() - start) / block / 1e3  # microseconds per step

    # warm-up: state allocation, kernel caches, CUDA context
    for model, x, y, opt in runs.values():
        for _ in range(20):
            train_step(model, x, y, opt)
    sync()

    names = list(runs)
    step_us = {n: [] for n in names}
    full_us = {n: [] for n in names}
    for r in range(repeats):
        order = names[r % len(names):] + names[:r % len(names)]  # rotate who goes first
        for n in order:
            model, x, y, opt = runs[n]
            full_us[n].append(time_block(lambda m=model, x=x, y=y, o=opt: train_step(m, x, y, o)))
            step_us[n].append(time_block(opt.step))  # the grads of the last full step

    med_step = {n: statistics.median(step_us[n]) for n in names}
    med_full = {n: statistics.median(full_us[n]) for n in names}
    best_step = {n: min(step_us[n]) for n in names}

    dev_name = torch.cuda.get_device_name(0) if device == "cuda" else "CPU"
    print(f"## Adam(amsgrad=True) step time on the course MLP ({D_IN}-{H}-{D_OUT}, N={N}, "
          f"{args.dtype}, {dev_name})\n")
    print(f"torch {torch.__version__}, {torch.get_num_threads()} CPU threads, "
          f"{repeats} interleaved repeats x {block} steps; median (and best) per step, "
          "ratios of medians\n")
    print("| optimizer | step() µs | best µs | vs default | vs foreach=True "
          "| full train step µs | vs default |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for n in names:
        print(f"| {n} | {med_step[n]:.1f} | {best_step[n]:.1f} | "
              f"{med_step[n] / med_step[TORCH_DEFAULT]:.2f} | "
              f"{med_step[n] / med_step[TORCH_FOREACH]:.2f} | {med_full[n]:.1f} | "
              f"{med_full[n] / med_full[TORCH_DEFAULT]:.2f} |")
    print()
    print("Paired ratio: amslib / torch within each repeat (the two blocks ran moments apart, "
          "so a slow phase of the machine cancels); median over repeats, and ratio of bests.\n")
    for ref in (TORCH_DEFAULT, TORCH_FOREACH):
        paired = statistics.median(a / b for a, b in zip(step_us[AMSLIB], step_us[ref], strict=False))
        of_best = best_step[AMSLIB] / best_step[ref]
        verdict = "met" if paired <= GOAL else "NOT met"
        print(f"- amslib step() vs {ref} step(): paired median ratio {paired:.2f}, "
              f"ratio of bests {of_best:.2f} -> goal <= {GOAL}x {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
