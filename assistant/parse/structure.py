"""Parse a regulation text into its structure and citable passages.

Pipeline (all pure, no I/O): OCR repair -> identity -> segments (preamble, body, closing,
penjelasan, lampiran) -> top-level pasal chain -> units (pasal, amendment items, penjelasan,
lampiran blocks, sections) -> passages within the token budget.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import pairwise

from ..ingest.catalog import Catalog
from ..ingest.identity import read_identity
from ..ingest.ocr import DIGIT_LOOKALIKES, repair
from ..records import Passage, RegulationIdentity, SourceDocument
from .pasal_chain import Candidate, best_chain, find_candidates
from .passages import TokenCounter, Unit, build_passages, estimate_tokens

DEFAULT_MAX_TOKENS = 350  # mirrors Settings.max_passage_tokens; parsing must not read the environment


@dataclass(frozen=True)
class ParsedDocument:
    identity: RegulationIdentity
    pasal: list[str]
    passages: list[Passage]
    warnings: list[str]
    cleaned_text: str
    # Spans of structural markup consumed into `heading`/`hierarchy` instead of passage text
    # ("Pasal 5", "BAB II ASAS", title lines); coverage checks count them as accounted for.
    markup: list[tuple[int, int]] = field(default_factory=list)


_PENJELASAN = re.compile(r"PENJELASAN\s+ATAS\s+(?:UNDANG|PERATURAN)")
_LAMPIRAN = re.compile(r"\bLAMPIRAN\s+(?:[IVX]+\s+)?(?:UNDANG|PERATURAN)")
_PASAL_DEMI_PASAL = re.compile(r"\bII\.?\s*PASAL\s+DEMI\s+PASA\S*")
_CLOSING = re.compile(r"Agar setiap orang mengetahuinya")
_HIERARCHY = re.compile(r"\b(?:BAB\s+[IVXLC]+[A-Z]?|Bagian\s+(?:Ke[a-z]+|Pertama)(?:\s+[A-Z]\b)?|Paragraf\s+\d+[A-Z]?)(?=\s)")
_HIERARCHY_LEVEL = {"BAB": 0, "Bagian": 1, "Paragraf": 2}
_MAX_HEADING_CHARS = 300
_PREAMBLE_PARTS = re.compile(r"\b(?:Menimbang|Mengingat|MEMUTUSKAN|MEMUTUS\S*:)")
_MIN_PREAMBLE_PART = 120


def parse_document(
    doc: SourceDocument,
    catalog: Catalog | None = None,
    count_tokens: TokenCounter = estimate_tokens,
    max_tokens: int = DEFAULT_MAX_TOKENS,
) -> ParsedDocument:
    text = repair(doc.text)
    identity = read_identity(text, doc.source_file)
    if catalog is not None:
        identity = catalog.merge(identity, doc.source_file)
    builder = _Builder(text, identity)
    builder.parse()
    passages = build_passages(builder.units, text, identity, doc.source_file, count_tokens, max_tokens)
    return ParsedDocument(
        identity=identity,
        pasal=builder.pasal,
        passages=passages,
        warnings=builder.warnings,
        cleaned_text=text,
        markup=builder.markup,
    )


class _Builder:
    """Collects units, markup spans and warnings while walking the segments of one text."""

    def __init__(self, text: str, identity: RegulationIdentity) -> None:
        self.text = text
        self.identity = identity
        self.reg = identity.regulation
        self.units: list[Unit] = []
        self.markup: list[tuple[int, int]] = []
        self.warnings: list[str] = []
        self.pasal: list[str] = []

    def parse(self) -> None:
        text = self.text
        penjelasan = _PENJELASAN.search(text)
        lampiran = _LAMPIRAN.search(text, penjelasan.start() if penjelasan else 0)
        body_end = min([m.start() for m in (penjelasan, lampiran) if m] + [len(text)])
        chain = best_chain(find_candidates(text, 0, body_end))
        if not chain:
            self._sections(0, len(text))
            return
        self._body(chain, body_end)
        if penjelasan:
            self._penjelasan(penjelasan.start(), lampiran.start() if lampiran else len(text))
        if lampiran:
            self._lampiran(lampiran.start(), len(text))

    # -- body -------------------------------------------------------------------------------

    def _body(self, chain: list[Candidate], body_end: int) -> None:
        closing = None
        for match in _CLOSING.finditer(self.text, chain[-1].end, body_end):
            closing = match
        content_end = closing.start() if closing else body_end
        heads = [self._heading_block(cand, chain[i - 1].end if i else 0) for i, cand in enumerate(chain)]
        self._preamble(0, heads[0][0])
        levels: list[str] = ["", "", ""]
        self._report_gaps(chain)
        for index, cand in enumerate(chain):
            block_start, headings = heads[index]
            for level, title in headings:
                levels[level] = title
                levels[level + 1 :] = [""] * (2 - level)
            start = self._skip_duplicate_heading(cand)
            end = heads[index + 1][0] if index + 1 < len(chain) else content_end
            end = self._cut_trailing_duplicate(cand, chain[index + 1] if index + 1 < len(chain) else None, start, end)
            self.markup.append((block_start, start))
            self.pasal.append(cand.label)
            if not self.text[start:end].strip():
                self.warnings.append(f"Pasal {cand.label} tanpa isi (teks hilang pada sumber)")
            self._pasal_units(cand.label, tuple(t for t in levels if t), start, end)
        if closing:
            self.units.append(Unit("preamble", "", f"{self.reg} Penutup", (), closing.start(), body_end))

    def _report_gaps(self, chain: list[Candidate]) -> None:
        for prev, cand in pairwise(chain):
            if not cand.suffix and cand.number > prev.number + 1:
                missing = ", ".join(str(n) for n in range(prev.number + 1, cand.number))
                self.warnings.append(f"Pasal tidak ditemukan: {missing}")
        if chain[0].number != 1:
            self.warnings.append(f"Pasal pertama bernomor {chain[0].label}, bukan 1")

    def _heading_block(self, cand: Candidate, floor: int) -> tuple[int, list[tuple[int, str]]]:
        """BAB/Bagian/Paragraf headings right before a pasal heading -> (block start, [(level, title)])."""
        window_start = max(floor, cand.start - _MAX_HEADING_CHARS * 3)
        matches = list(_HIERARCHY.finditer(self.text, window_start, cand.start))
        for first in range(len(matches)):
            block = matches[first:]
            if not self._is_heading_start(block[0].start()):
                continue
            titles = []
            for index, match in enumerate(block):
                stop = block[index + 1].start() if index + 1 < len(block) else cand.start
                title = " ".join(self.text[match.start() : stop].split())
                titles.append((_HIERARCHY_LEVEL[match.group(0).split()[0]], title))
            if all(len(title) <= _MAX_HEADING_CHARS for _, title in titles):
                return block[0].start(), titles
        return cand.start, []

    def _is_heading_start(self, pos: int) -> bool:
        before = self.text[max(0, pos - 10) : pos]
        return pos == 0 or before.endswith("\n") or bool(re.search(r"(?:[.;:)\d]|Bagian|Paragraf)\s*$", before))

    def _skip_duplicate_heading(self, cand: Candidate) -> int:
        """"Pasal 112 1 Pasal 112 ...": a repeated heading right after the chosen one is markup too."""
        pattern = re.compile(rf"\s*(?:\S{{1,3}}\s+)?Pas\S{{1,2}}\s+{cand.number}\s?{cand.suffix}\b\.?")
        match = pattern.match(self.text, cand.end)
        if match:
            self.warnings.append(f"Judul Pasal {cand.label} ganda")
            return match.end()
        return cand.end

    def _cut_trailing_duplicate(self, cand: Candidate, nxt: Candidate | None, start: int, end: int) -> int:
        """A duplicate of the next heading just before it ("Pasal 2O" then "Pasal 20") leaves this unit."""
        if nxt is None or end != nxt.start:
            return end
        tail = re.search(rf"Pas\S{{1,2}}\s+[0-9OIlT ]{{1,5}}{nxt.suffix}\.?\s*(?:\S{{1,3}}\s*)?$", self.text[start:end])
        if tail and re.sub(r"\D", "", tail.group(0).translate(DIGIT_LOOKALIKES)) == str(nxt.number):
            self.markup.append((start + tail.start(), end))
            self.warnings.append(f"Judul Pasal {nxt.label} ganda")
            return start + tail.start()
        return end

    def _preamble(self, start: int, end: int) -> None:
        """Title, Menimbang, Mengingat and Memutuskan, each its own unit."""
        cuts = [start]
        for match in _PREAMBLE_PARTS.finditer(self.text, start, end):
            if match.start() - cuts[-1] >= _MIN_PREAMBLE_PART:  # "Menimbang Menimbang Mengingat" lists are noise
                cuts.append(match.start())
        for a, b in zip(cuts, cuts[1:] + [end]):
            if b > a:
                self.units.append(Unit("preamble", "", f"{self.reg} Pembukaan", (), a, b))

    def _pasal_units(self, label: str, hierarchy: tuple[str, ...], start: int, end: int) -> None:
        heading = f"{self.reg} Pasal {label}"
        items = amendment_items(self.text, start, end)
        if not items:
            self.units.append(Unit("pasal", label, heading, hierarchy, start, end))
            return
        law = amended_law(self.text[start : items[0].start])
        self.units.append(Unit("pasal", label, heading, hierarchy, start, items[0].start))
        for item, nxt in zip(items, items[1:] + [None]):
            target = f"{law} Pasal {item.target}" if law else f"Pasal {item.target}"
            self.units.append(
                Unit(
                    "pasal",
                    label,
                    f"{heading} (mengubah {target})",
                    hierarchy,
                    item.start,
                    nxt.start if nxt else end,
                    amends=target,
                )
            )

    # -- penjelasan -------------------------------------------------------------------------

    def _penjelasan(self, start: int, end: int) -> None:
        heading = f"{self.reg} Penjelasan"
        demi = _PASAL_DEMI_PASAL.search(self.text, start, end)
        chain = best_chain(find_candidates(self.text, demi.end() if demi else start, end))
        umum_end = demi.start() if demi else (chain[0].start if chain else end)
        self.units.append(Unit("penjelasan", "", f"{heading} Umum", (), start, umum_end))
        if demi:
            self.markup.append((demi.start(), demi.end()))
        known = set(self.pasal)
        for cand, nxt in zip(chain, chain[1:] + [None]):
            if cand.label not in known:
                self.warnings.append(f"Penjelasan Pasal {cand.label} tanpa pasal di batang tubuh")
            self.markup.append((cand.start, cand.end))
            unit_end = nxt.start if nxt else end
            if not self.text[cand.end : unit_end].strip():
                self.warnings.append(f"Penjelasan Pasal {cand.label} tanpa isi")
            self.units.append(Unit("penjelasan", cand.label, f"{heading} Pasal {cand.label}", (), cand.end, unit_end))

    # -- lampiran and plain documents ---------------------------------------------------------

    def _lampiran(self, start: int, end: int) -> None:
        for a, b, title in heading_blocks(self.text, start, end):
            self.units.append(Unit("lampiran", "", f"{self.reg} Lampiran — {title}", (), a, b))

    def _sections(self, start: int, end: int) -> None:
        # One unit per paragraph: an overview mentions its topic everywhere, so whole sections
        # would match every question about it; a paragraph carries one idea.
        for a, b, title in heading_blocks(self.text, start, end):
            for pa, pb in paragraph_spans(self.text, a, b):
                self.units.append(Unit("section", "-", f"{self.reg} — {title}", (), pa, pb))


# -- amending articles ("Ketentuan Pasal 15 diubah sehingga berbunyi sebagai berikut: ...") -----


@dataclass(frozen=True)
class AmendmentItem:
    start: int
    target: str  # pasal of the amended law, e.g. "15", "48A"


_NUM = r"[0-9OIlT]{1,3}(?: [0-9]{1,2})?[A-Z]?"
_ITEM = re.compile(
    r"(?:(?<=\n)|(?<=[.:;)] )|(?<=\d ))(?:\d{1,3}\.? )?(?:"
    rf"Ketentuan (?:ayat \(\d+\) |huruf [a-z] |angka \d+ )*Pasal (?:berikut: )?(?P<changed>{_NUM})\b[^.:]{{0,120}}?(?:diubah|dihapus)"
    rf"|Di antara (?:Pasal|BAB|Bagian|Paragraf) .{{1,80}}? disisipkan .{{1,120}}?yakni (?:Pasal )?(?P<inserted>{_NUM})\b"
    rf"|Pasal (?P<deleted>{_NUM}) dihapus)"
)
_AMENDED_LAW = re.compile(
    r"(?P<kind>Peraturan Pemerintah Pengganti Undang-Undang|Undang-Undang)\s+(?:Nomor\s+)?(?P<number>[0-9OIl]{1,3})\s+"
    r"Tahun\s+(?P<year>\d{4})"
)


def _number(raw: str) -> str:
    return raw.replace(" ", "").translate(DIGIT_LOOKALIKES) if raw[0].isdigit() or raw[0] in "OIlT" else raw


def amendment_items(text: str, start: int, end: int) -> list[AmendmentItem]:
    """Items of an amending pasal; only when the pasal announces amendments at all."""
    if not re.search(r"berikut|dihapus|disisipkan", text[start:end]):
        return []
    items = []
    for match in _ITEM.finditer(text, start, end):
        raw = match.group("changed") or match.group("inserted") or match.group("deleted")
        items.append(AmendmentItem(match.start(), _number(raw)))
    return items


def amended_law(intro: str) -> str:
    """"... beberapa ketentuan dalam Undang-Undang Nomor 3 Tahun 2014 ..." -> "UU 3/2014"."""
    match = _AMENDED_LAW.search(intro)
    if match is None:
        return ""
    kind = "Perppu" if match.group("kind").startswith("Peraturan") else "UU"
    return f"{kind} {_number(match.group('number'))}/{match.group('year')}"


# -- heading-led blocks (lampiran, plain documents) ---------------------------------------------

_CAPS_WORD = re.compile(r"[A-Z0-9][A-Z0-9&/().,:-]*")


def caps_heading(line: str) -> str:
    """Leading ALL-CAPS phrase of a line (at least two words), e.g. "PRINSIP-PRINSIP PEMBANGUNAN SENTRA IKM"."""
    words = line.split()
    taken = []
    for word in words:
        # numbers ("NO. 23 TAHUN 2014") continue a heading but cannot start one
        if not _CAPS_WORD.fullmatch(word) or not (re.search(r"[A-Z]{2}", word) or (taken and word[0].isdigit())):
            # an acronym opening the first sentence ("UU No. 3") is not part of the heading
            if taken and re.match(r"No\.?$|Nomor$|\d", word) and len(taken[-1]) <= 3:
                taken.pop()
            break
        taken.append(word)
    return " ".join(taken).rstrip(":") if len(taken) >= 2 else ""


def paragraph_spans(text: str, start: int, end: int, min_chars: int = 200) -> list[tuple[int, int]]:
    """Line-separated paragraphs of [start, end); short ones (headings, fragments) join the next."""
    spans: list[tuple[int, int]] = []
    pos = start
    pending = start
    for line in text[start:end].splitlines(keepends=True):
        pos += len(line)
        if pos - pending >= min_chars:
            spans.append((pending, pos))
            pending = pos
    if pending < end:
        if spans and end - pending < min_chars:
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((pending, end))
    return spans


def heading_blocks(text: str, start: int, end: int) -> list[tuple[int, int, str]]:
    """Split at lines that open with an ALL-CAPS heading; a heading-only line joins the block below."""
    blocks: list[tuple[int, int, str]] = []
    pos = start
    for line in text[start:end].splitlines(keepends=True):
        title = caps_heading(line)
        previous_is_title_only = blocks and not text[blocks[-1][0] : blocks[-1][1]].strip()[len(blocks[-1][2]) :].strip(" :")
        if title and blocks and previous_is_title_only and blocks[-1][2]:
            blocks[-1] = (blocks[-1][0], pos + len(line), f"{blocks[-1][2]} — {title}")
        elif title or not blocks:
            blocks.append((pos, pos + len(line), title))
        else:
            blocks[-1] = (blocks[-1][0], pos + len(line), blocks[-1][2])
        pos += len(line)
    return blocks
