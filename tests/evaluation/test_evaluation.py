from assistant.evaluation.metrics import Metrics, covers, evaluate, first_hit_rank, trigrams

SPAN = "dilakukan dengan cara menempatkan tenaga ahli, TPL, dan/atau Konsultan IKM pada unit usaha IKM"


def test_span_hits_a_passage_that_holds_it_despite_ocr_noise():
    passage = "(1) Pendampingan ^dilakukan dengan cara menempatkan tenaga ahli, TPL, dan/atau Konsultan IKM pada unit usaha IKM dan/atau Sentra IKM."
    assert covers(trigrams(SPAN), passage)


def test_span_misses_a_passage_with_only_a_part_of_it():
    assert not covers(trigrams(SPAN), "menempatkan tenaga ahli pada unit usaha")


def test_first_hit_rank_and_metrics():
    spans = [trigrams(SPAN)]
    ranked = ["teks lain sama sekali", SPAN + " dan seterusnya"]
    assert first_hit_rank(spans, ranked) == 2
    metrics = Metrics()
    metrics.add(2)
    metrics.add(None)
    result = metrics.to_dict()
    assert result["hit@1"] == 0.0 and result["hit@3"] == 0.5 and result["mrr@10"] == 0.25


def test_latencies_are_summarised_inside_the_range_observed():
    from assistant.evaluation.metrics import latency_summary

    assert latency_summary([float(ms) for ms in range(10, 210, 10)]) == {"p50": 105.0, "p95": 190.5}
    assert latency_summary([42.0]) == {"p50": 42.0, "p95": 42.0}
    assert latency_summary([]) == {"p50": 0.0, "p95": 0.0}


def test_follow_ups_are_reported_as_a_group_of_their_own():
    passages = ["Pemerintah Daerah membangun sentra di wilayahnya.", "Izin usaha diterbitkan oleh bupati setempat."]
    items = [
        {"id": "a", "question": "Siapa yang membangun sentra?", "answerable": True,
         "evidence": [{"text": "Pemerintah Daerah membangun sentra"}]},
        {"id": "b", "question": "Kalau izinnya?", "answerable": True, "history": [{"role": "user", "content": "x"}],
         "evidence": [{"text": "Izin usaha diterbitkan oleh bupati"}]},
    ]
    result = evaluate(items, lambda question: list(reversed(passages)))
    assert result["groups"]["history:lanjutan"]["count"] == 1
    assert result["groups"]["history:lanjutan"]["hit@1"] == 1.0
    assert result["overall"]["count"] == 2
