"""When to decline: pure checks over retrieved passages, no index needed."""

from assistant.decline import datum_gap
from assistant.extractive import TermWeights
from assistant.records import RetrievedPassage
from conftest import passage

# "sentra" is rarer than the other words, as in the corpus: it is what such a question is about.
WEIGHTS = TermWeights({"sentra": 2, "ikm": 10, "lahan": 10, "luas": 10, "bangun": 30, "ki": 30, "hektar": 5, "minimal": 20}, 100)


def retrieved(*texts: str) -> list[RetrievedPassage]:
    return [RetrievedPassage(n, 1.0, passage(f"p{n}", "PP 142/2015", str(n), text)) for n, text in enumerate(texts, start=1)]


def test_a_datum_stated_of_something_else_does_not_answer():
    question = "luas lahan minimal untuk membangun sentra IKM"
    elsewhere = retrieved(
        "(2) Kawasan Industri bagi IKM dapat dibangun dengan luas lahan paling sedikit 5 (lima) hektar.",
        "(3) Lahan sebagaimana dimaksud pada ayat (2) dapat ditetapkan sebagai sentra IKM.",
    )
    assert datum_gap(question, elsewhere, WEIGHTS)
    stated = retrieved("(1) Sentra IKM dibangun di atas lahan dengan luas paling sedikit 1 (satu) hektar.")
    assert not datum_gap(question, stated, WEIGHTS)


def test_a_question_that_asks_no_datum_is_not_held_to_one():
    assert not datum_gap("lahan untuk sentra IKM", retrieved("Lahan dapat ditetapkan sebagai sentra IKM."), WEIGHTS)
