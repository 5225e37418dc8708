"""`corpus pull` and `corpus add`: fetch the catalog's regulation texts into the corpus folder, each
checked against the sha256 the catalog records and written atomically; a killed pull resumes.

A file already present in any corpus folder with the right checksum is not fetched again, so the
pull costs nothing where the corpus is in place. Downloads go to a hidden `.NAME.part` beside the
target (the loaders skip it) and replace the target only once whole and verified.
"""

from __future__ import annotations

import hashlib
import os
import re
from contextlib import AbstractContextManager
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path

import tomlkit
from tqdm import tqdm

from ..file_lock import exclusive_lock
from .catalog import Catalog, CatalogEntry
from .identity import read_identity
from .loaders import bulk_source_file
from .sources import MissingAtSource, Source, SourceError, SourceUnreachable, open_source

# Regulation ids `corpus add` accepts, and their folder in the mirror's layout.
LAYOUT_TYPES = {"uu": "UU", "pp": "PP", "perppu": "Perppu", "perpres": "Perpres"}
REGULATION_ID = re.compile(
    r"^\s*(?P<type>" + "|".join(LAYOUT_TYPES) + r")\s+(?:no(?:mor)?\.?\s*)?(?P<number>\d+)\s*(?:/|\s+tahun\s+)\s*(?P<year>\d{4})\s*$",
    re.I,
)


@dataclass(frozen=True)
class CorpusFile:
    regulation: str
    name: str  # file name in the corpus folder: "uu-3-2014.md"
    path: str  # path at the source: "uu/2014/3.md"; empty when no mirror holds it
    sha256: str


@dataclass(frozen=True)
class PullFailure:
    file: str
    message: str  # Indonesian, names the file and what went wrong


@dataclass
class PullReport:
    target: str
    source: str = ""
    present: list[str] = field(default_factory=list)  # already in place with the right checksum
    fetched: list[str] = field(default_factory=list)
    # Files no public mirror holds (the seed overview) that the source lacked too: noted, not failed.
    skipped: list[PullFailure] = field(default_factory=list)
    failures: list[PullFailure] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures

    def to_dict(self) -> dict:
        return asdict(self) | {"ok": self.ok}


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def corpus_files(catalog: Catalog) -> list[CorpusFile]:
    return [
        CorpusFile(entry.id, name, entry.source if len(entry.files) == 1 else "", entry.sha256)
        for entry in catalog.entries
        for name in entry.files
    ]


def find_in(corpus_dirs: list[Path], name: str) -> Path | None:
    for root in corpus_dirs:
        if root.is_file() and root.name == name:
            return root
        if root.is_dir():
            if (root / name).is_file():
                return root / name
            if found := next((p for p in sorted(root.rglob(name)) if p.is_file()), None):
                return found
    return None


def partial_path(target: Path, name: str) -> Path:
    return target / f".{name}.part"


def pull_lock(target: Path) -> AbstractContextManager[None]:
    """One pull per folder at a time: a second waits instead of writing the same partial files."""
    return exclusive_lock(target / ".pull.lock")


def fetch_verified(source: Source, file: CorpusFile, target: Path, show_progress: bool) -> Path:
    """Fetch one file into `target`, check its sha256 and move it into place; the file's path."""
    partial = partial_path(target, file.name)
    resumed = partial.stat().st_size if partial.exists() else 0
    with tqdm(
        desc=file.name, unit="B", unit_scale=True, disable=not show_progress, leave=False
    ) as bar:
        source.fetch(file.path, file.name, partial, bar.update)
    got = sha256_of(partial)
    if file.sha256 and got != file.sha256:
        partial.unlink()
        raise SourceError(
            f"{file.name} dari {source.description} ditolak: checksum sha256 tidak cocok dengan katalog "
            f"(diharapkan {file.sha256[:12]}…, diterima {got[:12]}…). Berkas tidak disimpan."
            + (" Unduhan dilanjutkan dari bagian yang tersimpan; jalankan ulang untuk mengunduh dari awal." if resumed else "")
        )
    with open(partial, "rb+") as handle:
        os.fsync(handle.fileno())
    final = target / file.name
    os.replace(partial, final)
    return final


def pull_corpus(
    catalog: Catalog, corpus_dirs: list[Path], location: str, show_progress: bool = False
) -> PullReport:
    """Fetch every catalog file that no corpus folder holds with the right checksum into the first
    corpus folder. The source is opened only when something is missing."""
    target = corpus_dirs[0]
    report = PullReport(target=str(target))
    source: Source | None = None
    unreachable = ""
    with pull_lock(target):
        for file in corpus_files(catalog):
            found = find_in(corpus_dirs, file.name)
            if found is not None and (not file.sha256 or sha256_of(found) == file.sha256):
                report.present.append(file.name)
                continue
            if found is not None and found.parent != target and target not in found.parents:
                report.failures.append(PullFailure(
                    file.name,
                    f"{file.name} di {found} tidak cocok dengan checksum katalog dan berada di luar folder "
                    f"unduhan {target}, jadi tidak ditimpa. Periksa atau hapus berkas itu.",
                ))
                continue
            if unreachable:
                report.failures.append(PullFailure(file.name, f"{file.name} tidak dicoba: {unreachable}"))
                continue
            try:
                source = source or open_source(location)
            except SourceError as error:  # the source itself is unusable: every file would fail alike
                report.failures.append(PullFailure("", str(error)))
                break
            report.source = source.description
            try:
                fetch_verified(source, file, target, show_progress)
                report.fetched.append(file.name)
            except MissingAtSource as error:
                if file.path:
                    report.failures.append(PullFailure(file.name, str(error)))
                else:
                    report.skipped.append(PullFailure(
                        file.name,
                        f"{file.name} ({file.regulation}) dilewati: tidak ada sumber publiknya; salin berkas itu ke "
                        f"{target} bila Anda memilikinya.",
                    ))
            except SourceUnreachable as error:
                report.failures.append(PullFailure(file.name, str(error)))
                unreachable = f"sumber {source.description} tidak dapat dihubungi."
            except SourceError as error:
                report.failures.append(PullFailure(file.name, str(error)))
    return report


def parse_regulation_id(text: str) -> tuple[str, str, str]:
    """"UU 20/2008" -> ("UU", "20", "2008"); a ValueError in Indonesian otherwise."""
    match = REGULATION_ID.match(text)
    if match is None:
        raise ValueError(
            f"Nomor peraturan {text!r} tidak dikenali. Tulis seperti \"UU 20/2008\" atau \"PP 29 Tahun 2018\" "
            f"(jenis: {', '.join(LAYOUT_TYPES.values())})."
        )
    return LAYOUT_TYPES[match["type"].lower()], str(int(match["number"])), match["year"]


def add_regulation(
    catalog_path: Path, corpus_dirs: list[Path], location: str, regulation_id: str, show_progress: bool = False
) -> CatalogEntry:
    """Fetch one more regulation by its id and append its catalog entry (with the sha256 of what was
    fetched). The text must name the regulation asked for, else nothing is kept."""
    kind, number, year = parse_regulation_id(regulation_id)
    wanted = f"{kind} {number}/{year}"
    catalog = Catalog.load(catalog_path)
    if catalog.entry_for_regulation(wanted):
        raise ValueError(f"{wanted} sudah ada dalam katalog {catalog_path}; jalankan `corpus pull` untuk mengunduhnya.")
    name = bulk_source_file({"type": kind, "number": number, "year": year})
    file = CorpusFile(wanted, name, f"{kind.lower()}/{year}/{number}.md", sha256="")
    target = corpus_dirs[0]
    with pull_lock(target):
        path = fetch_verified(open_source(location), file, target, show_progress)
    identity = read_identity(path.read_text(encoding="utf-8", errors="replace"), name)
    if identity.regulation != wanted:
        path.unlink()
        raise SourceError(
            f"Berkas {file.path} di sumber memuat {identity.regulation or 'dokumen tanpa identitas'}, bukan {wanted}; "
            "tidak disimpan."
        )
    entry = CatalogEntry(
        id=wanted,
        files=(name,),
        title=identity.title,
        source=file.path,
        sha256=sha256_of(path),
        status="berlaku",
        status_note=f"Ditambahkan dengan `corpus add` pada {date.today().isoformat()}; status berlakunya belum diperiksa.",
    )
    append_entry(catalog_path, entry)
    return entry


def append_entry(catalog_path: Path, entry: CatalogEntry) -> None:
    """Append a [[regulation]] table at the end of the catalog (TOML lets an array of tables go on
    after other tables), leaving the hand-written part untouched; written atomically."""
    table = tomlkit.table()
    for key in ("id", "files", "source", "sha256", "title", "status", "status_note"):
        value = getattr(entry, key)
        table[key] = list(value) if isinstance(value, tuple) else value
    aot = tomlkit.aot()
    aot.append(table)
    document = tomlkit.document()
    document["regulation"] = aot
    block = tomlkit.dumps(document)
    text = catalog_path.read_text(encoding="utf-8") if catalog_path.exists() else ""
    temporary = catalog_path.with_name(f".{catalog_path.name}.tmp")
    temporary.write_text(text.rstrip("\n") + "\n\n" + block, encoding="utf-8")
    Catalog.load(temporary)  # refuse to publish a catalog that does not parse
    os.replace(temporary, catalog_path)
