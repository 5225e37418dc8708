"""Second-stage rankers behind one interface: scores for a feature matrix, higher is better."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from ..text.analysis import ANALYSIS_VERSION
from .features import FEATURE_VERSION, FEATURES

log = logging.getLogger(__name__)

MANIFEST_FILE = "manifest.json"
RANKER_FILE = "ranker.lgb.txt"


class Ranker(Protocol):
    name: str

    def score(self, features: np.ndarray) -> np.ndarray: ...


class FusionRanker:
    """Reciprocal rank fusion of BM25 and dense: the ordering when no trained ranker is usable."""

    name = "rrf"
    _column = FEATURES.index("rrf")

    def score(self, features: np.ndarray) -> np.ndarray:
        return features[:, self._column].astype(np.float64)


class LearnedRanker:
    """A LightGBM lambdarank model over FEATURES."""

    name = "learned"

    def __init__(self, booster):
        if booster.feature_name() != list(FEATURES):
            raise ValueError("fitur model tidak sama dengan FEATURES")
        self.booster = booster

    @classmethod
    def from_file(cls, model_file: Path) -> LearnedRanker:
        import lightgbm

        return cls(lightgbm.Booster(model_file=str(model_file)))

    def score(self, features: np.ndarray) -> np.ndarray:
        if not len(features):
            return np.zeros(0)
        return self.booster.predict(features, num_threads=1)


@dataclass(frozen=True)
class Artifacts:
    """The learned parts shipped with the package (or rebuilt by `python -m assistant train`)."""

    directory: Path
    manifest: dict

    @classmethod
    def load(cls, directory: Path) -> Artifacts | None:
        """None when absent or trained on another feature schema (then nothing learned is used)."""
        try:
            manifest = json.loads((directory / MANIFEST_FILE).read_text(encoding="utf-8"))
        except (FileNotFoundError, json.JSONDecodeError):
            log.warning("no usable trained artifacts in %s; ranking by fusion", directory)
            return None
        if manifest.get("feature_version") != FEATURE_VERSION or manifest.get("features") != list(FEATURES):
            log.warning("artifacts in %s were trained on other features; ranking by fusion", directory)
            return None
        if manifest.get("analysis_version") != ANALYSIS_VERSION:
            # Term statistics feed the features: other analysis, other feature values.
            log.warning("artifacts in %s were trained with analysis version %s; ranking by fusion", directory, manifest.get("analysis_version"))
            return None
        return cls(directory, manifest)

    def file(self, name: str) -> Path:
        return self.directory / name

    def ranker(self) -> Ranker:
        path = self.file(RANKER_FILE)
        return LearnedRanker.from_file(path) if path.exists() else FusionRanker()
