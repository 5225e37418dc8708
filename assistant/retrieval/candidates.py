"""Candidates for the second stage: the union of BM25's and the dense ranker's top N, with both
scores known for every candidate (not only for the ranker that found it)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

# Per ranker. On the unseen dev-like set the union of both top-50 lists already held the evidence
# of 0.95 of questions (BM25 alone 0.90, dense alone 0.78); the learned stage orders that union.
CANDIDATE_DEPTH = 50


@dataclass(frozen=True)
class Candidates:
    """Parallel arrays, one row per candidate passage (positions into the index's passages)."""

    positions: np.ndarray  # int
    lexical_score: np.ndarray  # BM25 score, 0 where no query term matches
    lexical_rank: np.ndarray  # 1-based rank among all matching passages; depth+1 past the depth
    dense_score: np.ndarray  # cosine similarity to the query
    dense_rank: np.ndarray  # 1-based rank in the dense top N; depth+1 outside it
    raw_dense_score: np.ndarray | None = None  # cosine to the query before the query adapter moved it

    def __len__(self) -> int:
        return len(self.positions)

    @property
    def lexical_top(self) -> float:
        return float(self.lexical_score.max()) if len(self) else 0.0

    @property
    def dense_top(self) -> float:
        return float(self.dense_score.max()) if len(self) else 0.0


def gather(
    lexical_scores: np.ndarray | None,
    lexical: list[tuple[int, float]],
    dense: list[tuple[int, float]],
    cosine: Callable[[list[int]], list[float]],
    depth: int = CANDIDATE_DEPTH,
    extra: list[tuple[int, float | None]] = (),
) -> Candidates:
    """`lexical_scores`: BM25 scores of every passage (None when the query has no term); `lexical`
    and `dense`: each ranker's top N as (position, score), best first; `extra`: more candidates
    (a named regulation's own top passages) with their cosine where known; `cosine(positions)`:
    cosines of candidates the dense search did not return (not called while it returned nothing:
    the dense index is unavailable)."""
    lexical_rank = {position: rank for rank, (position, _) in enumerate(lexical, start=1)}
    dense_rank = {position: rank for rank, (position, _) in enumerate(dense, start=1)}
    cosines = {position: value for position, value in [*dense, *extra] if value is not None}
    positions = list(dict.fromkeys([p for p, _ in lexical] + [p for p, _ in dense] + [p for p, _ in extra]))
    unknown = [p for p in positions if p not in cosines]
    if unknown and dense:
        cosines.update(zip(unknown, cosine(unknown)))
    array = np.array(positions, dtype=np.int64)
    if lexical_scores is None or not positions:
        lexical_score = np.zeros(len(array), dtype=np.float32)
    else:
        lexical_score = lexical_scores[array].astype(np.float32)
    return Candidates(
        positions=array,
        lexical_score=lexical_score,
        lexical_rank=np.array([lexical_rank.get(p, depth + 1) for p in positions], dtype=np.float32),
        dense_score=np.array([cosines.get(p, 0.0) for p in positions], dtype=np.float32),
        dense_rank=np.array([dense_rank.get(p, depth + 1) for p in positions], dtype=np.float32),
    )
