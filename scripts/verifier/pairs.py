"""Labelled pairs for the verifier: reading the shared sets, the held-out fold, leakage filters."""

from __future__ import annotations

import csv
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Pair:
    stored: str
    query: str
    label: int  # 1: the stored answer is right for the query
    kind: str
    source: str


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text.strip().lower())


def in_held_out_fold(stored: str, query: str) -> bool:
    """The same rule as `bench/semantic-quality` (`--fold held-out`): half the pairs, by hash."""
    digest = hashlib.sha256(f"{stored}\n{query}".encode("utf-8")).digest()
    return digest[0] % 2 == 0


def read_qqp(path: Path) -> list[Pair]:
    with path.open(newline="", encoding="utf-8") as handle:
        return [
            Pair(row["question1"], row["question2"], int(row["is_duplicate"]), "qqp", path.name)
            for row in csv.DictReader(handle)
            if row["question1"].strip() and row["question2"].strip()
        ]


def read_lookalikes(path: Path) -> list[Pair]:
    pairs = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            pairs.append(Pair(row["a"], row["b"], int(row["label"]), row["kind"], path.name))
    return pairs


def read_negation(path: Path) -> list[Pair]:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        # CANNOT's label 1 means "negates": a cache must not serve it.
        return [
            Pair(row["premise"], row["hypothesis"], 1 - int(row["label"]), "negation", path.name)
            for row in reader
        ]


def dev_texts(eval_dir: Path) -> set[str]:
    """Every text of the sets figures are reported on; no training pair may share one."""
    texts: set[str] = set()
    for pair in read_qqp(eval_dir / "qqp_dev.csv"):
        texts.update((normalise(pair.stored), normalise(pair.query)))
    for pair in read_negation(eval_dir / "negation_dev.tsv"):
        texts.update((normalise(pair.stored), normalise(pair.query)))
    for pair in read_lookalikes(eval_dir / "lookalikes_dev.jsonl"):
        if in_held_out_fold(pair.stored, pair.query):
            texts.update((normalise(pair.stored), normalise(pair.query)))
    return texts


def without_leaks(pairs: list[Pair], banned: set[str]) -> list[Pair]:
    return [
        pair
        for pair in pairs
        if normalise(pair.stored) not in banned and normalise(pair.query) not in banned
    ]
