"""The answering chain (LCEL): standalone question -> retrieve -> answer -> verify citations."""

from __future__ import annotations

import re
import threading
import time
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, fields, replace

from langchain_core.runnables import RunnableLambda

from ..config import Settings
from ..indexing.store import IndexLayout
from ..records import Answer, Citation, RetrievedPassage
from ..retrieval.index import LoadedIndex
from ..retrieval.lookups import Filters
from ..retrieval.references import PASAL, Reference, find_reference, without_regulation_mention
from ..retrieval.retriever import HybridRetriever, SearchResult
from ..text.pleasantries import without_pleasantries
from .backends import (
    AnswerBackend,
    ExtractiveBackend,
    LLMUnavailableError,
    compose_extractive,
    llm_context,
    load_backend,
    status_text,
)
from .citations import make_citation, render_citation, strip_unsupported
from .decline import DECLINE_FILE, DeclineModel, decline_input, shares_no_term, steers
from .extractive import (
    Selection,
    UnitScorer,
    hand_scores,
    quote_at_length,
    quote_named_pasal,
    select_quotes,
    with_current_wording,
    with_exceptions,
)
from .lead import compose_lead
from .units import UNIT_FEATURES, UNITS_FILE, UnitModel, learned_scorer

FOLLOW_UP = re.compile(r"\b(itu|tersebut|tadi|nya|bagaimana dengan|gimana dengan|kalau yang|lalu|terus|selanjutnya)\b", re.I)
BOLD = re.compile(r"\*\*(.+?)\*\*")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")

# Passages the answer may quote from when the caller leaves k at its default: the right ayat is
# often ranked just below k. A caller that sets k gets exactly k passages considered and listed.
QUOTE_POOL = 8

EMPTY_QUESTION = "Pertanyaan kosong. Silakan tulis pertanyaan tentang regulasi Sentra IKM."
NO_WORDS = "Pertanyaan tidak berisi kata yang dapat dicari. Silakan tulis pertanyaan dengan kata-kata."
LLM_FALLBACK = "Layanan LLM tidak dapat dihubungi; jawaban disusun langsung dari teks peraturan (mode ekstraktif)."
UNSUPPORTED_REMOVED = "Rujukan pasal dari model yang tidak ada dalam teks yang ditemukan telah dihapus."


# The records the chain's steps pass on: each step returns a new one holding what it computed, so
# no step changes what an earlier one produced.


@dataclass(frozen=True)
class Question:
    """A question after input hygiene."""

    text: str
    history: list[dict]
    k: int  # passages shown
    pool: int  # passages the answer may quote from
    filters: Filters
    notices: tuple[str, ...]


@dataclass(frozen=True)
class Condensed(Question):
    """A question as retrieval reads it."""

    bare: str  # the question less its greetings and thanks (what it asks, searched on its own)
    standalone: str  # the bare question; a follow-up joined to the question it follows


@dataclass(frozen=True)
class Retrieved(Condensed):
    """A question with the passages found for it (none when it has no word to search)."""

    passages: list[RetrievedPassage]  # the k shown
    quote_pool: list[RetrievedPassage]  # may reach past the k shown
    result: SearchResult | None
    retrieve_ms: float | None

    @property
    def reference(self) -> Reference | None:
        """A pasal the question names explicitly."""
        return self.result.reference if self.result else None

    @property
    def named_regulation(self) -> str | None:
        """A regulation the question names without a pasal."""
        return self.result.named_regulation if self.result else None


def advance(record: Question, step: type[Question], **computed) -> Question:
    """`record` as the next step's record: its fields kept, what the step computed added or replaced."""
    return step(**{**{f.name: getattr(record, f.name) for f in fields(record)}, **computed})


def clean_question(text: str, limit: int) -> tuple[str, list[str]]:
    """Drop control characters and invisible format characters (zero-width, BOM, bidi overrides),
    normalise Unicode, truncate overly long input with a notice."""
    notices = []
    text = CONTROL.sub(" ", unicodedata.normalize("NFKC", text or ""))
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf").strip()
    if len(text) > limit:
        text = truncate_at_word(text, limit)
        notices.append(f"Pertanyaan terlalu panjang dan dipotong menjadi paling banyak {limit} karakter.")
    return text, notices


MAX_HISTORY_TURNS = 50  # the chain reads the latest user turn; fifty is a long conversation
HISTORY_CUT = "Giliran percakapan sebelumnya terlalu panjang dan dipotong menjadi paling banyak {limit} karakter."


def clean_history(history: list[dict] | None, limit: int) -> tuple[list[dict], list[str]]:
    """The last turns of a conversation, each cleaned and cut like a question (a user turn is read
    as a question: by the follow-up rule and by the steering guard); malformed turns are dropped."""
    turns, notices = [], []
    for turn in (history or [])[-MAX_HISTORY_TURNS:]:
        if not isinstance(turn, dict) or turn.get("role") not in ("user", "assistant"):
            continue
        content = turn.get("content")
        if not isinstance(content, str):
            continue
        text, cut = clean_question(content, limit)
        if cut and turn["role"] == "user":
            notices.append(HISTORY_CUT.format(limit=limit))
        turns.append({"role": turn["role"], "content": text})
    return turns, list(dict.fromkeys(notices))


def truncate_at_word(text: str, limit: int) -> str:
    """At most `limit` characters, ending at a word boundary where one exists: half a word is a
    word the corpus never uses."""
    cut = text[:limit]
    if text[limit:limit + 1].isspace() or not re.search(r"\s", cut):
        return cut.rstrip()
    return re.split(r"\s+(?=\S*$)", cut)[0].rstrip()


# "Apa itu TPL?" asks what something is: its "itu" points at the noun after it, not back in the talk.
DEFINITION_ITU = re.compile(r"\bapa(?:kah)?\s+itu\s+(?=\w)", re.I)
# Reciprocal rank fusion's constant (Cormack et al. 2009): it only orders the union of two short lists.
FOLLOW_UP_RRF_K = 60


def standalone_question(question: str, history: list[dict]) -> str:
    """The question as search reads it: less its greetings and thanks, and a follow-up ("bagaimana
    dengan provinsi?") carrying the previous question's subject along.

    Measured on the 34 follow-ups of train (evidence in the top 5): 0.794 with this rule, 0.794 when any
    question of five words or fewer was a follow-up too, 0.735 when every question was, 0.588 when none
    was; the length rule joined a quarter of self-contained questions to an unrelated previous one."""
    question = without_pleasantries(question)
    previous = [without_pleasantries(t["content"]) for t in history if t.get("role") == "user" and t.get("content")]
    if not previous or PASAL.search(question):  # a question naming its pasal stands on its own
        return question
    if FOLLOW_UP.search(DEFINITION_ITU.sub(" ", question)):
        return f"{previous[-1]} {question}"
    return question


def previous_citation(history: list[dict], aliases: dict[str, str]) -> Reference | None:
    """The pasal the last answer of the conversation cites first (its main provision), when the
    conversation's last turn is that answer."""
    last = history[-1] if history else {}
    if last.get("role") != "assistant" or not isinstance(last.get("content"), str):
        return None
    # The quotes' headings are bold; the lead before them quotes clauses that may mention other pasal.
    for heading in BOLD.findall(last["content"]):
        if reference := find_reference(heading, aliases):
            return reference
    return find_reference(last["content"], aliases)


def fuse(*rankings: list[RetrievedPassage]) -> list[RetrievedPassage]:
    """One ranking from several by reciprocal rank fusion; ties keep the earlier ranking's order."""
    scores: dict[str, float] = {}
    passages = {}
    for ranking in rankings:
        for item in ranking:
            scores[item.passage.id] = scores.get(item.passage.id, 0.0) + 1.0 / (FOLLOW_UP_RRF_K + item.rank)
            passages.setdefault(item.passage.id, item.passage)
    order = sorted(scores, key=lambda pid: -scores[pid])
    return [RetrievedPassage(rank, scores[pid], passages[pid]) for rank, pid in enumerate(order, start=1)]


def conversation_search(
    retriever: HybridRetriever, bare: str, standalone: str, history: list[dict], k: int, filters: Filters
) -> tuple[SearchResult, list[RetrievedPassage]]:
    """The k passages found for a question in its conversation (`standalone`: the question as a
    follow-up reads it; `bare`: on its own), and the search of `standalone` (its features, reference)."""
    result = retriever.search(standalone, k=k, filters=filters)
    rankings = [result.passages]
    follow_up = standalone != bare
    if follow_up:
        # A follow-up read with the previous question may not be one: what the question finds on
        # its own keeps its place (train, self-contained questions given an unrelated previous
        # one: evidence in the top 5 0.954 fused, 0.905 joined only, 0.963 alone).
        rankings.insert(0, retriever.search(bare, k=k, filters=filters).passages)
    if cited := previous_citation(history, retriever.index.aliases):
        # A follow-up asks what the last answer's provision leads to: its other ayat, or the
        # articles that refer back to it (its sanction, deadline, exception). A question that
        # does not read as one may still be (8 of train's 34 follow-ups carry no marker), so it
        # is offered only the best of them. Train's 34 follow-ups, evidence in the top 5, 5-fold CV:
        # 0.529 without, 0.794 as here (0.735 ordered by term coverage instead of the ranker).
        # Chosen with the shipped ranker (dev has no follow-ups): 0.765 without, 0.824 for marked
        # follow-ups only, 0.912 as here, 0.941 offering every question all of them; self-contained
        # questions after an unrelated answer (327): 0.936, 0.933, 0.930, 0.917.
        rankings.append(retriever.around(bare, cited, k=k if follow_up else 1, filters=filters))
    return result, fuse(*rankings)[:k] if len(rankings) > 1 else result.passages


@dataclass(frozen=True)
class IndexBound:
    """Everything an answer reads that comes with one published index build; replaced whole when a
    new build is published, so a question never pairs one build's passages with another's lookups."""

    index: LoadedIndex
    retriever: HybridRetriever
    decline_model: DeclineModel | None
    unit_scorer: UnitScorer

    @classmethod
    def of(cls, settings: Settings, index: LoadedIndex, decline_model: DeclineModel | None = None) -> IndexBound:
        index.warm()
        artifacts = index.artifacts
        # Without a trained classifier only steering, missing sources and unshared words are declined.
        if decline_model is None and artifacts:
            decline_model = DeclineModel.load(artifacts.file(DECLINE_FILE))
        unit_scorer: UnitScorer = hand_scores
        if artifacts and artifacts.manifest.get("unit_features") == list(UNIT_FEATURES):
            if model := UnitModel.load(artifacts.file(UNITS_FILE)):
                unit_scorer = learned_scorer(model)
        retriever = HybridRetriever(index=index, k=settings.top_k, depth=settings.candidate_depth)
        return cls(index, retriever, decline_model, unit_scorer)


class Assistant:
    """Answers questions with citations. One instance per process; safe to call from many threads."""

    def __init__(
        self,
        settings: Settings,
        index: LoadedIndex | None = None,
        backend: AnswerBackend | None = None,
        decline_model: DeclineModel | None = None,
    ):
        self.settings = settings
        self._decline_override = decline_model
        self.bound = IndexBound.of(settings, index or LoadedIndex.open(settings), decline_model)
        self._reload_lock = threading.Lock()
        self.backend = backend or load_backend(settings)
        condense = RunnableLambda(self._condense, name="condense")
        self.retrieval = condense | RunnableLambda(self._retrieve, name="retrieve")
        # A generator step: `stream` yields each growing Answer, `invoke` returns the last (final) one.
        self.chain = self.retrieval | RunnableLambda(self._answer, name="answer")

    # The parts of the current build (one attribute read each: a swap replaces them together).
    index = property(lambda self: self.bound.index)
    retriever = property(lambda self: self.bound.retriever)
    decline_model = property(lambda self: self.bound.decline_model)
    unit_scorer = property(lambda self: self.bound.unit_scorer)
    weights = property(lambda self: self.bound.index.terms.weights)

    def reload_if_published(self) -> str | None:
        """Open the build `index` published since this one was loaded, then swap it in; the new build's
        name, or None when nothing changed. Questions keep being answered from the old build meanwhile."""
        if self.index.build is None:  # an index built in memory (benchmarks): nothing to follow
            return None
        with self._reload_lock:
            published = IndexLayout(self.settings.index_dir).current_build()
            if published is None or published == self.index.build:
                return None
            fresh = LoadedIndex(self.settings, published, embedder=self.index.embedder)
            self.bound = IndexBound.of(self.settings, fresh, self._decline_override)
            return published.name

    # --- public API ------------------------------------------------------------------------------

    def ask(self, question: str, history: list[dict] | None = None, k: int | None = None, filters: Filters | None = None) -> Answer:
        return self.chain.invoke(self._question(question, history, k, filters))

    def stream(
        self, question: str, history: list[dict] | None = None, k: int | None = None, filters: Filters | None = None
    ) -> Iterator[Answer]:
        """Yields the answer as it grows (LLM backends stream tokens); the last one is final."""
        yield from self.chain.stream(self._question(question, history, k, filters))

    def quote_candidates(self, question: str, history: list[dict] | None = None) -> tuple[str, list[RetrievedPassage], str | None]:
        """What the quotes of an answer are chosen from: the question as quoting reads it, the passages
        it may quote, and the regulation it names (for training the unit model on the same inputs)."""
        state = self.retrieval.invoke(self._question(question, history, None, None))
        return self.quoting_question(state.standalone), state.quote_pool, state.named_regulation

    def quoting_question(self, standalone: str) -> str:
        return without_regulation_mention(standalone, self.index.aliases)

    # --- chain steps -----------------------------------------------------------------------------

    def _question(self, question: str, history: list[dict] | None, k: int | None, filters: Filters | None) -> Question:
        text, notices = clean_question(question, self.settings.max_question_chars)
        turns, history_notices = clean_history(history, self.settings.max_question_chars)
        return Question(
            text=text,
            history=turns,
            k=k or self.settings.top_k,
            pool=k or max(self.settings.top_k, QUOTE_POOL),
            filters=filters or Filters(),
            notices=tuple(notices + history_notices),
        )

    def _condense(self, question: Question) -> Condensed:
        return advance(
            question, Condensed, bare=without_pleasantries(question.text), standalone=standalone_question(question.text, question.history)
        )

    def _retrieve(self, state: Condensed) -> Retrieved:
        if not re.search(r"\w", state.standalone):
            return advance(state, Retrieved, passages=[], quote_pool=[], result=None, retrieve_ms=None)
        started = time.perf_counter()
        result, passages = conversation_search(
            self.retriever, state.bare, state.standalone, state.history, k=state.pool, filters=state.filters
        )
        retrieve_ms = round((time.perf_counter() - started) * 1000, 1)
        notices = state.notices
        if (degraded := self.index.degraded) and degraded not in notices:
            notices += (degraded,)
        return advance(
            state,
            Retrieved,
            passages=passages[: state.k],
            quote_pool=passages,
            result=result,
            retrieve_ms=retrieve_ms,
            notices=notices,
        )

    def _answer(self, state: Retrieved) -> Iterator[Answer]:
        started = time.perf_counter()
        # The answers of one question share this dict: the time the answer took is added to it
        # once the last one is out, as callers of `stream` read it off the final answer.
        timings_ms = {} if state.retrieve_ms is None else {"retrieve": state.retrieve_ms}
        base = Answer(
            question=state.text,
            answer="",
            abstained=True,
            passages=state.passages,
            timings_ms=timings_ms,
            notices=list(state.notices),
            standalone_question=state.standalone,
        )
        if not state.text:
            yield replace(base, answer=EMPTY_QUESTION)
            return
        if not state.passages:
            yield replace(base, answer=NO_WORDS)
            return
        steered = steers(state.text, state.history)  # declined as such, whatever source it names
        if not steered and (absent := self._absent_provision(state.reference)):
            yield replace(base, answer=absent, passages=[])  # nothing of another provision is quoted for it
            return
        missing = None if steered else self.index.missing_source(state.standalone)
        if steered or missing or self._unanswerable(state):
            yield replace(base, answer=self._decline_text(state.passages, missing))
            return
        selections = self._select(state)
        citations = [
            make_citation(s.item.passage, s.quote, self.index.pasal_status(s.item.passage), s.ayat, s.role, s.point)
            for s in selections
        ]
        # A quote may come from below the top k, or be the current wording of an amended pasal:
        # list that passage too, so every citation is backed by a passage in the answer.
        shown = {item.passage.id for item in state.passages}
        extra = {s.item.passage.id: s.item for s in selections if s.item.passage.id not in shown}
        base = replace(base, abstained=False, passages=state.passages + list(extra.values()))
        yield from self._generate(state, base, citations)
        timings_ms["answer"] = round((time.perf_counter() - started) * 1000, 1)

    def _absent_provision(self, reference: Reference | None) -> str | None:
        """The pasal or ayat a question names does not exist in its regulation (which is indexed):
        say so, with the range that does exist."""
        if reference is None or reference.regulation not in self.index.regulations:
            return None
        numbers = self.index.pasal_numbers(reference.regulation)
        if not numbers:
            return None
        if reference.pasal not in numbers:
            return (
                f"{reference.regulation} tidak memiliki Pasal {reference.pasal}; pasalnya {numbers[0]}–{numbers[-1]} "
                f"({len(numbers)} pasal). Periksa kembali nomor pasal yang dimaksud."
            )
        ayat = self.index.ayat_numbers(reference.regulation, reference.pasal)
        if reference.ayat and ayat and int(reference.ayat) not in ayat:
            return (
                f"Pasal {reference.pasal} {reference.regulation} tidak memiliki ayat ({reference.ayat}); "
                f"ayatnya ({ayat[0]})–({ayat[-1]}). Periksa kembali nomor ayat yang dimaksud."
            )
        return None

    def _unanswerable(self, state: Retrieved) -> bool:
        """The classifier judges the corpus does not answer; a pasal asked for by number is answered."""
        # Trained with both rankers: while only BM25 answers, its judgement does not hold.
        if state.reference is not None or state.result is None or self.index.degraded:
            return False
        features = decline_input(self.index, state.standalone, state.result)
        return shares_no_term(features) or (self.decline_model is not None and self.decline_model.declines(features))

    def _select(self, state: Retrieved) -> list[Selection]:
        named = state.reference
        if named and (quotes := quote_named_pasal(state.quote_pool, named.regulation, named.pasal, named.ayat)):
            # A pasal asked for by number is quoted at length, and so is its current wording.
            return with_exceptions(with_current_wording(quotes, self.index.amending_passages, quote_at_length))
        question = self.quoting_question(state.standalone)

        def relevant(items: list[RetrievedPassage]) -> list[Selection]:
            return select_quotes(question, items, self.weights, state.named_regulation, self.unit_scorer)

        return with_exceptions(with_current_wording(relevant(state.quote_pool), self.index.amending_passages, relevant))

    def _generate(self, state: Retrieved, base: Answer, citations: list[Citation]) -> Iterator[Answer]:
        context = llm_context(citations)

        def extractive() -> str:  # composed only when it is the answer: an LLM that answers needs none
            # A pasal asked for by number is read as written: its quote is the answer, with no lead.
            lead = "" if state.reference else compose_lead(self.quoting_question(state.standalone), citations, self.weights)
            return compose_extractive(citations, lead)

        if isinstance(self.backend, ExtractiveBackend):  # its text is the verified quotes themselves
            yield replace(base, answer=extractive(), citations=citations)
            return
        text = ""
        try:
            for token in self.backend.stream(state.standalone, citations, context):
                text += token
                yield replace(base, answer=text, citations=citations)
        except LLMUnavailableError:
            yield replace(
                base, answer=extractive(), citations=citations, notices=base.notices + [LLM_FALLBACK]
            )
            return
        text, removed = strip_unsupported(text, [item.passage for item in base.passages])
        notices = base.notices + ([UNSUPPORTED_REMOVED] if removed else [])
        sources = "\n".join(
            f"- {render_citation(c)}" + (f" — {status}" if (status := status_text(c)) else "") for c in citations
        )
        yield replace(base, answer=f"{text.strip()}\n\n**Sumber:**\n{sources}", citations=citations, notices=notices)

    def _decline_text(self, passages: list[RetrievedPassage], missing_source: str | None = None) -> str:
        pointers = []
        for item in passages[:3]:
            citation = make_citation(item.passage, "", self.index.pasal_status(item.passage))
            pointers.append(f"- {render_citation(citation)}")
        reason = (
            f"Maaf, {missing_source} tidak termasuk dalam korpus peraturan yang tersedia, sehingga kami tidak "
            "dapat menjawab berdasarkan ketentuan tersebut."
            if missing_source
            else "Maaf, peraturan yang tersedia dalam korpus tidak memuat jawaban atas pertanyaan ini, "
            "sehingga kami tidak dapat menyebutkan pasal yang mengaturnya."
        )
        return f"{reason}\n\nKetentuan terdekat yang mungkin terkait:\n" + "\n".join(dict.fromkeys(pointers))
