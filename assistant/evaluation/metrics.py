"""`python -m assistant eval`: retrieval quality against evidence spans (hit@k, MRR@10)."""

from __future__ import annotations

import json
import random
import statistics
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..ingest.ocr import repair
from ..text.analysis import raw_tokens


def p95(values: list[float]) -> float:
    """The 95th percentile, inside the range observed (statistics' inclusive method)."""
    return statistics.quantiles(values, n=20, method="inclusive")[-1] if len(values) > 1 else values[0]


def latency_summary(values: list[float]) -> dict[str, float]:
    """p50 and p95 of latencies in ms, rounded to 0.1; zeros when nothing was timed."""
    if not values:
        return {"p50": 0.0, "p95": 0.0}
    return {"p50": round(statistics.median(values), 1), "p95": round(p95(values), 1)}

SEED = 13
FOLDS = 5
HIT_THRESHOLD = 0.8  # share of an evidence span's word 3-grams that must occur in the passage
CUTOFFS = (1, 3, 5, 10)

Ranker = Callable[[str], list[str]]  # question -> ranked passage texts (best first)


def trigrams(text: str) -> set[tuple[str, str, str]]:
    tokens = raw_tokens(repair(text))
    if len(tokens) < 3:
        return {tuple(tokens + [""] * (3 - len(tokens)))} if tokens else set()
    return {tuple(tokens[i : i + 3]) for i in range(len(tokens) - 2)}


def covers(evidence: set, passage_text: str) -> bool:
    if not evidence:
        return False
    return len(evidence & trigrams(passage_text)) >= HIT_THRESHOLD * len(evidence)


def first_hit_rank(evidence_spans: list[set], ranked_texts: list[str]) -> int | None:
    for rank, text in enumerate(ranked_texts, start=1):
        if any(covers(span, text) for span in evidence_spans):
            return rank
    return None


def folds(count: int, parts: int = FOLDS) -> np.ndarray:
    """A fold number for each of `count` questions, shuffled with a fixed seed."""
    order = list(range(count))
    random.Random(SEED).shuffle(order)
    fold = np.zeros(count, dtype=np.int64)
    for n, i in enumerate(order):
        fold[i] = n % parts
    return fold


def load_items(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


@dataclass
class Metrics:
    count: int = 0
    hits: dict[int, int] | None = None
    reciprocal_rank: float = 0.0

    def add(self, rank: int | None) -> None:
        self.hits = self.hits or {k: 0 for k in CUTOFFS}
        self.count += 1
        for k in CUTOFFS:
            if rank is not None and rank <= k:
                self.hits[k] += 1
        if rank is not None and rank <= 10:
            self.reciprocal_rank += 1.0 / rank

    def to_dict(self) -> dict:
        hits = self.hits or {k: 0 for k in CUTOFFS}
        n = max(self.count, 1)
        return {
            "count": self.count,
            **{f"hit@{k}": round(hits[k] / n, 4) for k in CUTOFFS},
            "mrr@10": round(self.reciprocal_rank / n, 4),
        }


def standalone_of(item: dict) -> str:
    """The question as the product searches it: a follow-up carries its history's subject."""
    from ..answering.chain import standalone_question

    return standalone_question(item["question"], item.get("history") or [])


def evaluate(items: list[dict], ranker: Ranker, question_of: Callable[[dict], str] = lambda item: item["question"]) -> dict:
    """Metrics over answerable items, overall and per style and difficulty, plus per-item ranks."""
    overall = Metrics()
    groups: dict[str, Metrics] = defaultdict(Metrics)
    per_item = []
    latencies = []
    for item in items:
        if not item.get("answerable"):
            continue
        spans = [trigrams(e["text"]) for e in item.get("evidence", [])]
        started = time.perf_counter()
        ranked = ranker(question_of(item))
        latencies.append((time.perf_counter() - started) * 1000)
        rank = first_hit_rank(spans, ranked[:10])
        overall.add(rank)
        for key in ("style", "difficulty"):
            if item.get(key):
                groups[f"{key}:{item[key]}"].add(rank)
        if item.get("history"):  # a follow-up, searched as `question_of` reads it with its conversation
            groups["history:lanjutan"].add(rank)
        per_item.append({"id": item["id"], "rank": rank})
    return {
        "overall": overall.to_dict(),
        "groups": {name: metrics.to_dict() for name, metrics in sorted(groups.items())},
        "items": per_item,
        "latency_ms": latency_summary(latencies),
    }


def format_table(results: dict[str, dict]) -> str:
    """Rows: systems; columns: hit@k and MRR@10 overall, then per group for the first system."""
    header = f"{'sistem':<28}" + "".join(f"{'hit@' + str(k):>8}" for k in CUTOFFS) + f"{'MRR@10':>8}{'p95 ms':>9}"
    lines = [header, "-" * len(header)]
    for name, result in results.items():
        o = result["overall"]
        lines.append(
            f"{name:<28}"
            + "".join(f"{o[f'hit@{k}']:>8.3f}" for k in CUTOFFS)
            + f"{o['mrr@10']:>8.3f}{result['latency_ms']['p95']:>9.1f}"
        )
    first_name, first = next(iter(results.items()))
    lines += ["", f"Per kelompok ({first_name}):"]
    for group, m in first["groups"].items():
        lines.append(
            f"  {group:<26}" + "".join(f"{m[f'hit@{k}']:>8.3f}" for k in CUTOFFS) + f"{m['mrr@10']:>8.3f}  n={m['count']}"
        )
    return "\n".join(lines)


def normalized_text(text: str) -> str:
    return " ".join(repair(text).lower().replace("^", " ").split())


def cites_gold(item: dict, citations: list) -> bool:
    gold = [item.get("citation"), *item.get("additional_citations", [])]
    cited = {(c.regulation, c.pasal) for c in citations}
    return any((g["regulation"], str(g["pasal"])) in cited for g in gold if g)


def has_key_facts(item: dict, answer_text: str) -> bool:
    text = normalized_text(answer_text)
    return all(normalized_text(fact) in text for fact in item.get("key_facts", []))


# What a reader takes in before deciding whether to read on: the key facts should be there.
LEAD_CHARS = 400


def evaluate_answers(items: list[dict], ask: Callable[[str], object]) -> dict:
    """Answer-level metrics: declining, gold citations, key facts (anywhere, and in the first
    LEAD_CHARS characters), latency. `ask` returns an Answer."""
    answerable = unanswerable = answered = declined = gold = facts = lead_facts = 0
    follow_ups = follow_ups_shown = 0
    per_item, latencies = [], []
    for item in items:
        started = time.perf_counter()
        answer = ask(item["question"], item.get("history"))
        latencies.append((time.perf_counter() - started) * 1000)
        row = {"id": item["id"], "answerable": item["answerable"], "abstained": answer.abstained}
        if item["answerable"]:
            answerable += 1
            answered += not answer.abstained
            row["cites_gold"] = not answer.abstained and cites_gold(item, answer.citations)
            row["key_facts"] = not answer.abstained and has_key_facts(item, answer.answer)
            row["key_facts_lead"] = not answer.abstained and has_key_facts(item, answer.answer[:LEAD_CHARS])
            gold += row["cites_gold"]
            facts += row["key_facts"]
            lead_facts += row["key_facts_lead"]
            if item.get("history"):  # the passages the chain found with the conversation, as shown
                spans = [trigrams(e["text"]) for e in item.get("evidence", [])]
                row["evidence_shown"] = first_hit_rank(spans, [p.passage.text for p in answer.passages]) is not None
                follow_ups += 1
                follow_ups_shown += row["evidence_shown"]
        else:
            unanswerable += 1
            declined += answer.abstained
        per_item.append(row)
    return {
        "answered_answerable": round(answered / max(answerable, 1), 4),
        "declined_unanswerable": round(declined / max(unanswerable, 1), 4),
        "gold_citation": round(gold / max(answerable, 1), 4),
        "key_facts": round(facts / max(answerable, 1), 4),
        "key_facts_lead": round(lead_facts / max(answerable, 1), 4),
        "follow_ups_evidence_shown": round(follow_ups_shown / follow_ups, 4) if follow_ups else None,
        "counts": {"answerable": answerable, "unanswerable": unanswerable, "follow_ups": follow_ups},
        "latency_ms": latency_summary(latencies),
        "items": per_item,
    }


def format_answer_metrics(metrics: dict) -> str:
    counts = metrics["counts"]
    return "\n".join(
        [
            "",
            f"Jawaban ({counts['answerable']} dapat dijawab, {counts['unanswerable']} tidak):",
            f"  menjawab yang dapat dijawab : {metrics['answered_answerable']:.3f}",
            f"  menolak yang tidak dapat    : {metrics['declined_unanswerable']:.3f}",
            f"  sitasi emas ada             : {metrics['gold_citation']:.3f}",
            f"  fakta kunci ada             : {metrics['key_facts']:.3f}",
            f"  fakta kunci di {LEAD_CHARS} karakter awal: {metrics['key_facts_lead']:.3f}",
            *(
                [f"  lanjutan, bukti di passage yang ditampilkan ({counts['follow_ups']}): {shown:.3f}"]
                if (shown := metrics.get("follow_ups_evidence_shown")) is not None
                else []
            ),
            f"  latensi p50/p95             : {metrics['latency_ms']['p50']:.0f} / {metrics['latency_ms']['p95']:.0f} ms",
        ]
    )
