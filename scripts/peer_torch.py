#!/usr/bin/env python3
"""PyTorch peer of `zocheck bench steps`: the same workloads on the CPU, printed as JSON.

Same model weights (all-MiniLM-L6-v2's model.safetensors from the asset cache), same batch
(16 x 64 tokens built by the formula in `batch()`, which `StepBenchmark.batch` in Swift repeats),
same threads (torch.set_num_threads), same head (2-way linear on the mean-pooled embedding, mean
cross-entropy). Workloads:

- forward: one inference-mode forward pass and loss;
- mezo: MeZO written the way its reference implementation does it (princeton-nlp/MeZO,
  trainer.py `zo_perturb_parameters` / `zo_step` / `zo_update`): torch.manual_seed(seed) and a
  fresh torch.normal z per parameter, `param.data = param.data + s * z * eps` for s = +1, -2, +1,
  two forwards in inference mode, then the update regenerating z once more (4 regenerations);
- lozo: LOZO the reference way (optml-group/LOZO): per 2-D parameter u (m x r) fresh, v (n x r)
  drawn on lazy-interval steps and kept, perturbation u @ v.T added in place, vectors dense;
- fo-sgd: loss.backward() and torch.optim.SGD (no momentum).

`--rss MODE` runs one mode in this process and reports its peak RSS (VmHWM after a reset to the
resident size once model and batch are loaded, as `zocheck finetune memory` does). Without torch
the script prints a JSON line with "skipped" and exits 0.

    python3 scripts/peer_torch.py --cache .cache/assets --threads 2 --repetitions 5
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

try:
    import torch
    import torch.nn.functional as F
except ImportError:
    print(json.dumps({"skipped": "torch not installed: skipped (pip install torch --index-url "
                                 "https://download.pytorch.org/whl/cpu)"}))
    print("torch not installed: skipped", file=sys.stderr)
    sys.exit(0)

import numpy as np

VOCAB, HIDDEN, HEADS, FFN, POSITIONS = 30522, 384, 12, 1536, 512
MODES = ["inference", "mezo", "lozo", "fo-sgd"]


def batch(b, t):
    """ids[b, t]: [CLS] first, [SEP] last, (i * 7919) mod 28000 + 1000 between (i = b*T + t)."""
    ids = [[101 if j == 0 else 102 if j == t - 1 else ((i * t + j) * 7919) % 28000 + 1000 for j in range(t)]
           for i in range(b)]
    return torch.tensor(ids, dtype=torch.long), torch.tensor([i % 2 for i in range(b)], dtype=torch.long)


def load_weights(path):
    """safetensors -> dict of float32 tensors (the header parsed here, no safetensors package needed)."""
    with open(path, "rb") as f:
        n = int.from_bytes(f.read(8), "little")
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, info in header.items():
        if name == "__metadata__" or info["dtype"] not in ("F32", "F16"):
            continue   # position_ids (I64) are not weights
        a, b = info["data_offsets"]
        dtype = {"F32": np.float32, "F16": np.float16}[info["dtype"]]
        arr = np.frombuffer(data[a:b], dtype=dtype).reshape(info["shape"]).astype(np.float32)
        out[name.removeprefix("bert.")] = torch.from_numpy(arr.copy())
    return out


class Bert(torch.nn.Module):
    """all-MiniLM-L6-v2 (post-LN BERT), exact GELU, eager attention, mean pooling, linear head."""

    def __init__(self, weights, layers):
        super().__init__()
        self.layers = layers
        self.p = torch.nn.ParameterDict()
        for name, w in weights.items():
            if name.startswith("encoder.layer.") and int(name.split(".")[2]) >= layers:
                continue
            if name.startswith("pooler") or "position_ids" in name:
                continue
            self.p[name.replace(".", "__")] = torch.nn.Parameter(w)
        g = torch.Generator().manual_seed(3)
        self.p["classifier__weight"] = torch.nn.Parameter(torch.randn(2, HIDDEN, generator=g) * 0.02)
        self.p["classifier__bias"] = torch.nn.Parameter(torch.zeros(2))

    def w(self, name):
        return self.p[name.replace(".", "__")]

    def forward(self, ids, labels):
        b, t = ids.shape
        x = self.w("embeddings.word_embeddings.weight")[ids] + self.w("embeddings.position_embeddings.weight")[:t] \
            + self.w("embeddings.token_type_embeddings.weight")[0]
        x = F.layer_norm(x, (HIDDEN,), self.w("embeddings.LayerNorm.weight"), self.w("embeddings.LayerNorm.bias"), 1e-12)
        d = HIDDEN // HEADS
        for l in range(self.layers):
            p = f"encoder.layer.{l}."
            def lin(inp, n):
                return F.linear(inp, self.w(p + n + ".weight"), self.w(p + n + ".bias"))
            q, k, v = (lin(x, "attention.self." + n).view(b, t, HEADS, d).transpose(1, 2) for n in ("query", "key", "value"))
            att = torch.softmax(q @ k.transpose(-1, -2) / d ** 0.5, dim=-1)
            ctx = (att @ v).transpose(1, 2).reshape(b, t, HIDDEN)
            a = F.layer_norm(x + lin(ctx, "attention.output.dense"), (HIDDEN,), self.w(p + "attention.output.LayerNorm.weight"),
                             self.w(p + "attention.output.LayerNorm.bias"), 1e-12)
            h = F.gelu(lin(a, "intermediate.dense"))
            x = F.layer_norm(a + lin(h, "output.dense"), (HIDDEN,), self.w(p + "output.LayerNorm.weight"),
                             self.w(p + "output.LayerNorm.bias"), 1e-12)
        pooled = x.mean(dim=1)   # every token is valid in this batch
        logits = F.linear(pooled, self.w("classifier.weight"), self.w("classifier.bias"))
        return F.cross_entropy(logits, labels)


class MeZO:
    """princeton-nlp/MeZO's zo_step + zo_update (large_models/trainer.py), on named_parameters."""

    def __init__(self, model, lr=3e-4, eps=1e-3, weight_decay=0.0):
        self.model, self.lr, self.eps, self.wd = model, lr, eps, weight_decay
        self.params = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
        self.rng = np.random.default_rng(0)

    def perturb(self, scaling_factor):
        torch.manual_seed(self.seed)
        for _, param in self.params:
            z = torch.normal(mean=0, std=1, size=param.data.size(), device=param.data.device, dtype=param.data.dtype)
            param.data = param.data + scaling_factor * z * self.eps

    def measure(self, ids, labels):
        """The reference's in-place measurement: +eps z, -2 eps z, +eps z (restore); returns c."""
        self.seed = int(self.rng.integers(1_000_000_000))
        self.perturb(1)
        with torch.inference_mode():
            loss1 = self.model(ids, labels)
        self.perturb(-2)
        with torch.inference_mode():
            loss2 = self.model(ids, labels)
        self.perturb(1)
        return ((loss1 - loss2) / (2 * self.eps)).item()

    def step(self, ids, labels):
        self.projected_grad = self.measure(ids, labels)
        torch.manual_seed(self.seed)
        for name, param in self.params:
            z = torch.normal(mean=0, std=1, size=param.data.size(), device=param.data.device, dtype=param.data.dtype)
            if "bias" not in name and "LayerNorm" not in name:
                param.data = param.data - self.lr * (self.projected_grad * z + self.wd * param.data)
            else:
                param.data = param.data - self.lr * (self.projected_grad * z)


class LOZO(MeZO):
    """optml-group/LOZO's low-rank perturbation: u (m x r) every step, v (n x r) every `nu` steps."""

    def __init__(self, model, rank=2, nu=50, **kw):
        super().__init__(model, **kw)
        self.rank, self.nu, self.v, self.t = rank, nu, {}, 0

    def perturb(self, scaling_factor):
        torch.manual_seed(self.seed)
        for name, param in self.params:
            if param.data.ndim >= 2:
                if self.t % self.nu == 0:   # the same seed redraws the same v in all three calls
                    self.v[name] = torch.normal(mean=0, std=1, size=(param.data.size(1), self.rank), dtype=param.data.dtype)
                u = torch.normal(mean=0, std=1, size=(param.data.size(0), self.rank), dtype=param.data.dtype)
                param.data = param.data + scaling_factor * (u @ self.v[name].t()) * self.eps
            else:
                z = torch.normal(mean=0, std=1, size=param.data.size(), dtype=param.data.dtype)
                param.data = param.data + scaling_factor * z * self.eps

    def step(self, ids, labels):
        g = self.measure(ids, labels)
        torch.manual_seed(self.seed)   # the reference's update draws u only (its U differs on resample steps)
        for name, param in self.params:
            if param.data.ndim >= 2:
                u = torch.normal(mean=0, std=1, size=(param.data.size(0), self.rank), dtype=param.data.dtype)
                param.data = param.data - self.lr * (g * (u @ self.v[name].t()) + self.wd * param.data)
            else:
                z = torch.normal(mean=0, std=1, size=param.data.size(), dtype=param.data.dtype)
                param.data = param.data - self.lr * g * z
        self.t += 1


class FOSGD:
    def __init__(self, model, lr=3e-2):
        self.model, self.opt = model, torch.optim.SGD(model.parameters(), lr=lr, momentum=0)

    def step(self, ids, labels):
        self.opt.zero_grad(set_to_none=True)
        self.model(ids, labels).backward()
        self.opt.step()


def make(mode, model):
    if mode == "mezo":
        return MeZO(model)
    if mode == "lozo":
        return LOZO(model)
    if mode == "fo-sgd":
        return FOSGD(model)
    return None


def forward_once(model, ids, labels):
    with torch.inference_mode():
        model(ids, labels)


def timed(fn, repetitions):
    fn()   # warm-up
    times = []
    for _ in range(repetitions):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return {"median": statistics.median(times), "min": min(times), "runs": times}


def sgemm_gflops(repetitions, n, k, o):
    a, w = torch.randn(n, k), torch.randn(o, k)
    r = timed(lambda: F.linear(a, w), max(repetitions, 5))
    return 2 * n * k * o / r["min"] / 1e9


def status(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field):
                return int(line.split()[1]) * 1024
    return None


def rss(args, weights_path):
    model = Bert(load_weights(weights_path), args.layers)
    ids, labels = batch(args.batch, args.length)
    stepper = make(args.rss, model)
    after_load = status("VmRSS:")
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        reset = True
    except OSError:
        reset = False
    for _ in range(args.rss_steps):
        if stepper is None:
            forward_once(model, ids, labels)
        else:
            stepper.step(ids, labels)
    peak = status("VmHWM:")
    print(json.dumps({"mode": args.rss, "peakBytes": peak, "residentAfterLoadBytes": after_load, "peakWasReset": reset}))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cache", default=os.environ.get("ZOCHECK_CACHE", ".cache/assets"))
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--length", type=int, default=64)
    ap.add_argument("--layers", type=int, default=6)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repetitions", type=int, default=5)
    ap.add_argument("--workloads", default="forward,mezo,lozo,fo-sgd,sgemm,rss")
    ap.add_argument("--rss", choices=MODES, help="measure one mode's peak RSS in this process")
    ap.add_argument("--rss-steps", type=int, default=2)
    args = ap.parse_args()
    if not (1 <= args.layers <= 6 and args.batch >= 1 and 2 <= args.length <= POSITIONS and args.threads >= 1
            and args.repetitions >= 1):
        ap.error("need 1 <= --layers <= 6, --batch >= 1, 2 <= --length <= 512, --threads >= 1, --repetitions >= 1")
    weights = os.path.join(args.cache, "all-minilm-l6-v2", "model.safetensors")
    if not os.path.exists(weights):
        ap.error(f"{weights} not found: run `make assets` or pass --cache DIR")
    torch.set_num_threads(args.threads)
    if args.rss:
        return rss(args, weights)
    work = args.workloads.split(",")
    model = Bert(load_weights(weights), args.layers)
    ids, labels = batch(args.batch, args.length)
    out = {"implementation": "pytorch", "torch": torch.__version__, "threads": torch.get_num_threads(),
           "batch": args.batch, "length": args.length, "layers": args.layers, "repetitions": args.repetitions,
           "parameterCount": sum(p.numel() for p in model.parameters()), "stepSeconds": {}}
    if "forward" in work:
        out["forwardSeconds"] = timed(lambda: forward_once(model, ids, labels), args.repetitions)
    for mode in ("mezo", "lozo", "fo-sgd"):
        if mode in work:
            stepper = make(mode, model)
            out["stepSeconds"][mode] = timed(lambda: stepper.step(ids, labels), args.repetitions)
    if "sgemm" in work:
        out["sgemmGFLOPS"] = sgemm_gflops(args.repetitions, args.batch * args.length, HIDDEN, FFN)
    if "rss" in work:
        out["peakRSSBytes"] = {}
        for mode in MODES:
            cmd = [sys.executable, __file__, "--cache", args.cache, "--batch", str(args.batch), "--length", str(args.length),
                   "--layers", str(args.layers), "--threads", str(args.threads), "--rss", mode]
            line = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1]
            out["peakRSSBytes"][mode] = json.loads(line)["peakBytes"]
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
