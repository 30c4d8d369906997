#!/usr/bin/env python3
"""Runs `zocheck bench steps` and its PyTorch peer (scripts/peer_torch.py) side by side and prints
the ratio table against issue 6's targets (markdown), plus the raw runs as JSON with --output.

Rounds alternate the order (zocheck then torch, torch then zocheck, ...) so that a drift in the
machine's speed hits both; each round's ratio pairs the two runs of that round, and the table gives
the median over rounds (and the range). Peak RSS is measured once per mode, each in its own process.
The load average before and after is printed: on a shared machine quote ratios, not seconds.

    make build && python3 scripts/bench_compare.py --cache .cache/assets --rounds 3 --repetitions 3
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

ZO_METHODS = ["mezo", "lozo", "lozo-m", "subzero", "sparse-mezo"]


def run_json(cmd, env):
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, env=env).stdout
    return json.loads(out[out.index("{"):])


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cache", default=os.environ.get("ZOCHECK_CACHE", ".cache/assets"))
    ap.add_argument("--zocheck", default=".build/release/zocheck")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--repetitions", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--layers", type=int, default=6)
    ap.add_argument("--no-rss", action="store_true", help="skip the peak-RSS processes")
    ap.add_argument("--output", help="write every run as JSON here")
    args = ap.parse_args()
    if args.rounds < 1 or args.repetitions < 1:
        ap.error("--rounds and --repetitions must be >= 1")
    if not os.path.exists(args.zocheck):
        ap.error(f"{args.zocheck} not found: run `swift build -c release` (or `make build`) first")
    env = dict(os.environ)
    if "OPENBLAS_CORETYPE" not in env:
        with open("/proc/cpuinfo") as f:
            if " avx512f" in f.read():
                env["OPENBLAS_CORETYPE"] = "SkylakeX"
    here = os.path.dirname(os.path.abspath(__file__))
    common = ["--threads", str(args.threads), "--layers", str(args.layers), "--repetitions", str(args.repetitions),
              "--cache", args.cache]
    swift_cmd = [args.zocheck, "bench", "steps"] + common
    torch_cmd = [sys.executable, os.path.join(here, "peer_torch.py"), "--workloads", "forward,mezo,lozo,fo-sgd,sgemm"] + common
    load_before = loadavg()
    swift_runs, torch_runs = [], []
    for r in range(args.rounds):
        order = [("zocheck", swift_cmd), ("torch", torch_cmd)]
        for name, cmd in (order if r % 2 == 0 else order[::-1]):
            print(f"round {r + 1}/{args.rounds}: {name}", file=sys.stderr)
            (swift_runs if name == "zocheck" else torch_runs).append(run_json(cmd, env))
    have_torch = "skipped" not in torch_runs[0]
    rss_swift = rss_torch = None
    if not args.no_rss:
        print("peak RSS, one process per mode", file=sys.stderr)
        one = ["--threads", str(args.threads), "--layers", str(args.layers), "--repetitions", "1", "--cache", args.cache]
        rss_swift = run_json([args.zocheck, "bench", "steps", "--rss"] + one, env).get("peakRSSBytes")
        if have_torch:
            rss_torch = run_json([sys.executable, os.path.join(here, "peer_torch.py"), "--workloads", "rss"] + one,
                                 env).get("peakRSSBytes")
    load_after = loadavg()

    def med(xs):
        return statistics.median(xs)

    rows = []   # (target, measured median, range, bound, met)

    def row(name, values, bound, at_most=True, fmt="{:.3f}"):
        m = med(values)
        met = m <= bound if at_most else m >= bound
        rows.append((name, fmt.format(m), f"{fmt.format(min(values))}–{fmt.format(max(values))}",
                     ("≤ " if at_most else "≥ ") + str(bound), "yes" if met else "**no**"))

    fwd = lambda run: run["forwardSeconds"]["median"]
    step = lambda run, m: run["stepSeconds"][m]["median"]
    if have_torch:
        row("forward: zocheck / torch", [fwd(s) / fwd(t) for s, t in zip(swift_runs, torch_runs)], 0.6)
    row("forward FLOP rate / sgemm rate (same run)", [s["forwardGFLOPS"] / s["sgemmGFLOPS"] for s in swift_runs], 0.55, False)
    if have_torch:
        row("MeZO step: zocheck / torch (reference-style)", [step(s, "mezo") / step(t, "mezo") for s, t in zip(swift_runs, torch_runs)], 0.5)
        row("LOZO step: zocheck / torch", [step(s, "lozo") / step(t, "lozo") for s, t in zip(swift_runs, torch_runs)], 0.6)
    # The own-forward denominator is the forward timed alternately with that method's steps
    # (forwardBesideSeconds), so that the machine's drift hits both; older runs lack it.
    beside = lambda run, m: run.get("forwardBesideSeconds", {}).get(m, run["forwardSeconds"])["median"]
    for m in ["lozo-m", "subzero", "sparse-mezo"]:
        row(f"{m} step / zocheck forward (alternated)", [step(s, m) / beside(s, m) for s in swift_runs], 2.3)
    if have_torch:
        row("FO-SGD step: zocheck / torch", [step(s, "fo-sgd") / step(t, "fo-sgd") for s, t in zip(swift_runs, torch_runs)], 0.8)
    if rss_swift:
        for m in ZO_METHODS:
            row(f"{m} peak RSS / zocheck inference RSS", [rss_swift[m] / rss_swift["inference"]], 1.15)
    row("Gaussian fill, M samples/s (one thread)", [s["gaussianSamplesPerSecond"] / 1e6 for s in swift_runs], 400, False, "{:.0f}")

    print(f"# {' '.join(sys.argv)}")
    print(f"# batch 16 x 64 tokens, {args.layers} layers, {args.threads} threads, {args.rounds} rounds x "
          f"{args.repetitions} repetitions (medians), OPENBLAS_CORETYPE={env.get('OPENBLAS_CORETYPE', '')}, "
          f"load average before {load_before}, after {load_after}")
    if not have_torch:
        print("# torch not installed: skipped (the PyTorch ratios are left out)")
    print("\n| target | median | range over rounds | bound | met |\n|---|---|---|---|---|")
    for r in rows:
        print("| " + " | ".join(r) + " |")
    print("\n| seconds (median of rounds) | zocheck | torch |\n|---|---|---|")
    names = [("forward", fwd)] + [(m, (lambda m: lambda run: step(run, m))(m)) for m in ZO_METHODS + ["fo-sgd"]]
    for name, get in names:
        s = med([get(x) for x in swift_runs])
        t = med([get(x) for x in torch_runs]) if have_torch and (name == "forward" or name in torch_runs[0]["stepSeconds"]) else None
        print(f"| {name} | {s:.3f} | {'' if t is None else f'{t:.3f}'} |")
    print(f"| sgemm GFLOP/s (N×C→F) | {med([x['sgemmGFLOPS'] for x in swift_runs]):.0f} | "
          f"{med([x['sgemmGFLOPS'] for x in torch_runs]):.0f} |" if have_torch else "")
    if rss_swift:
        print("\n| peak RSS (MiB) | zocheck | torch |\n|---|---|---|")
        for m in ["inference"] + ZO_METHODS + ["fo-sgd"]:
            t = rss_torch.get(m) if rss_torch else None
            print(f"| {m} | {rss_swift[m] / 2**20:.0f} | {'' if t is None else f'{t / 2**20:.0f}'} |")
    if args.output:
        with open(args.output, "w") as f:
            json.dump({"zocheck": swift_runs, "torch": torch_runs, "rss": {"zocheck": rss_swift, "torch": rss_torch},
                       "loadavg": [load_before, load_after], "table": rows}, f, indent=1)


if __name__ == "__main__":
    main()
