"""The `--json` output contract shared by the CLI and the HTTP API. Field names are stable."""

from __future__ import annotations

from dataclasses import asdict

from ..records import Answer
from .citations import cited_pasal


def answer_to_dict(answer: Answer, item_id: str | None = None) -> dict:
    """The `ask --json` contract (documented in README; field names are stable)."""
    return {
        "id": item_id,
        "question": answer.question,
        "answer": answer.answer,
        "abstained": answer.abstained,
        "citations": [asdict(c) for c in answer.citations],
        "passages": [
            {
                "rank": item.rank,
                "score": item.score,
                "passage_id": item.passage.id,
                "regulation": item.passage.regulation,
                "pasal": cited_pasal(item.passage),
                "source_file": item.passage.source_file,
                "text": item.passage.text,
            }
            for item in answer.passages
        ],
        "timings_ms": answer.timings_ms,
        "notices": answer.notices,
    }
