"""`train` end to end on a few made-up items over the small real index: every artifact is written,
loads, and is what the retriever and the chain then use."""

import json

import numpy as np
import pytest
from support.training_items import made_up_items

from assistant.answering.decline import DECLINE_FILE, DeclineModel
from assistant.answering.units import UNIT_FEATURES, UNITS_FILE
from assistant.evaluation.metrics import folds
from assistant.evaluation.train import fit_decline, train
from assistant.retrieval.query_adapter import ADAPTER_FILE, QueryAdapter, fit_adapter
from assistant.retrieval.rankers import MANIFEST_FILE, RANKER_FILE, Artifacts, LearnedRanker
from assistant.retrieval.retriever import HybridRetriever

pytestmark = pytest.mark.integration

@pytest.fixture(scope="module")
def trained(small_index, tmp_path_factory):
    folder = tmp_path_factory.mktemp("latih")
    path = folder / "train.jsonl"
    items = made_up_items(small_index)
    first = items[0]  # and a follow-up on the provision the first one asks about, after its answer
    pasal = next(p.pasal for p in small_index.passages if first["evidence"][0]["text"] in " ".join(p.text.split()))
    items.append({**first, "id": "lanjutan-0", "question": "Lalu bagaimana ketentuannya?",
                  "history": [{"role": "user", "content": first["question"]},
                              {"role": "assistant", "content": f"Menurut **Pasal {pasal} PP No. 29 Tahun 2018**: …"}]})
    path.write_text("\n".join(json.dumps(item) for item in items), encoding="utf-8")
    out = folder / "artefak"
    report = train(small_index, path, out, progress=False, log=lambda message: None)
    return report, out


def test_training_writes_every_artifact_and_reports_cross_validated_figures(trained):
    report, out = trained
    for name in (RANKER_FILE, ADAPTER_FILE, DECLINE_FILE, UNITS_FILE, MANIFEST_FILE):
        assert (out / name).exists(), name
    manifest = json.loads((out / MANIFEST_FILE).read_text())
    assert manifest["cross_validated"] == report
    assert report["retrieval"]["count"] == 15 and 0.0 <= report["retrieval"]["mrr@10"] <= 1.0
    # The follow-up is searched as the chain searches it: the cited pasal is offered.
    assert report["follow_ups"]["count"] == 1 and report["follow_ups"]["hit@5"] == 1.0
    assert set(report["dense_only"]) == {"e5", "e5 + adapter"}
    assert {"threshold", "answered_answerable", "declined_unanswerable"} <= set(report["decline"])
    assert set(report["units"]["learned"]) == set(report["units"]["hand"]) == {"gold_citation", "key_facts", "key_facts_lead"}
    assert manifest["unit_features"] == list(UNIT_FEATURES)


def test_the_unit_model_chooses_the_quotes(trained, small_settings, tmp_path):
    import shutil

    from assistant.answering.chain import Assistant
    from assistant.answering.extractive import hand_scores
    from assistant.retrieval.index import LoadedIndex

    _, out = trained
    settings = small_settings.model_copy(update={"artifacts_dir": out})
    assistant = Assistant(settings, index=LoadedIndex.open(settings))
    assert assistant.unit_scorer is not hand_scores
    without = tmp_path / "tanpa-unit"
    shutil.copytree(out, without)
    (without / UNITS_FILE).unlink()
    bare = small_settings.model_copy(update={"artifacts_dir": without})
    assert Assistant(bare, index=LoadedIndex.open(bare)).unit_scorer is hand_scores
    from assistant.parse.units import unit_candidates

    question, pool, named = assistant.quote_candidates("Bagaimana ketentuan pembangunan Sentra IKM oleh pemerintah daerah?")
    candidates = unit_candidates(pool)
    scores = assistant.unit_scorer(question, assistant.weights, None, named, candidates)
    assert len(scores) == len(candidates) > 0 and all(0.0 <= s <= 1.0 for s in scores)


def test_the_artifacts_load_and_drive_the_search(trained, small_index):
    _, out = trained
    artifacts = Artifacts.load(out)
    assert artifacts is not None and isinstance(artifacts.ranker(), LearnedRanker)
    adapter = QueryAdapter.load(artifacts.file(ADAPTER_FILE))
    assert adapter.matrix is not None and adapter.matrix.shape == (384, 384)
    assert DeclineModel.load(artifacts.file(DECLINE_FILE)) is not None
    retriever = HybridRetriever(index=small_index, k=5, ranker=artifacts.ranker(), adapter=adapter)
    result = retriever.search("Bagaimana ketentuan pembangunan Sentra IKM oleh pemerintah daerah?")
    assert len(result.passages) == 5 and result.features is not None


def test_artifacts_of_another_feature_schema_are_not_used(trained, tmp_path):
    _, out = trained
    manifest = json.loads((out / MANIFEST_FILE).read_text())
    (tmp_path / MANIFEST_FILE).write_text(json.dumps({**manifest, "feature_version": "lama"}))
    assert Artifacts.load(tmp_path) is None
    assert Artifacts.load(tmp_path / "tidak-ada") is None


def test_the_adapter_moves_queries_towards_the_passages_that_answer_them():
    rng = np.random.default_rng(0)
    passages = rng.normal(size=(60, 8)).astype(np.float32)
    passages /= np.linalg.norm(passages, axis=1, keepdims=True)
    # Queries skewed away from their answers by one systematic distortion, plus noise.
    distortion = np.eye(8, dtype=np.float32) + 0.8 * rng.normal(size=(8, 8)).astype(np.float32)
    answers = rng.integers(0, 60, size=40)
    queries = passages[answers] @ distortion.T + 0.05 * rng.normal(size=(40, 8)).astype(np.float32)
    queries /= np.linalg.norm(queries, axis=1, keepdims=True)
    adapter = fit_adapter(queries, [np.array([a]) for a in answers], passages)

    def closeness(adapt) -> float:
        return float(np.mean([passages[a] @ adapt(q) for q, a in zip(queries, answers)]))

    assert closeness(adapter.apply) > closeness(lambda q: q) + 0.02
    query = queries[0]
    assert QueryAdapter().apply(query) is query  # none fit: the identity


def test_folds_are_fixed_and_balanced():
    first, second = folds(23), folds(23)
    assert (first == second).all()
    assert sorted(np.bincount(first).tolist()) == [4, 4, 5, 5, 5]


def test_the_decline_threshold_keeps_answering_the_answerable(small_index):
    from assistant.answering.decline import DECLINE_FEATURES, DeclineInput

    rng = np.random.default_rng(1)
    inputs, labels = [], []
    for n in range(60):
        unanswerable = n % 5 == 0
        values = rng.normal(size=len(DECLINE_FEATURES)).astype(np.float32)
        values[0] += -2.0 if unanswerable else 2.0  # top_score: weak for the unanswerable
        inputs.append(DeclineInput(values, frozenset({"tarif"} if unanswerable and n % 2 == 0 else set())))
        labels.append(int(unanswerable))
    model, report = fit_decline(inputs, np.array(labels))
    assert report["answered_answerable"] >= 0.95
    assert report["declined_unanswerable"] >= 0.75
    assert model.declines(DeclineInput(np.full(len(DECLINE_FEATURES), -3.0, dtype=np.float32), frozenset()))
