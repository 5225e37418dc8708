"""Where regulation texts are fetched from: an HTTP mirror in the `{type}/{year}/{number}.md` layout of
mblonyox/data-peraturan, a local folder, or a tarball (air-gapped sites). One small interface:
`fetch(path, name, into)` writes the file's bytes into the partial file `into`, resuming it when it can.
"""

from __future__ import annotations

import shutil
import tarfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Protocol
from urllib.parse import quote

import httpx

CHUNK_BYTES = 64 * 1024
ATTEMPTS = 3  # a dropped connection is retried, resuming where it stopped
RETRY_PAUSE_S = 1.0

Progress = Callable[[int], None]  # called with each chunk's size in bytes


class SourceError(RuntimeError):
    """A file could not be fetched; the message is Indonesian and names the file and the source."""


class SourceUnreachable(SourceError):
    """No connection to the source at all: the other files need not be tried."""


class MissingAtSource(SourceError):
    """The source does not hold the file at all (HTTP 404, absent from a folder or tarball)."""


class Source(Protocol):
    description: str

    def fetch(self, path: str, name: str, into: Path, progress: Progress) -> None:
        """Complete `into` with the file's bytes. `path` is the layout path ("uu/2014/3.md"; empty when
        the file has none) and `name` the corpus file name ("uu-3-2014.md")."""


class HttpSource:
    """Raw files under a base URL; an interrupted download continues with an HTTP Range request."""

    def __init__(self, base_url: str, timeout_s: float = 30.0):
        if not base_url.startswith(("http://", "https://")):
            raise ValueError(f"alamat sumber harus http:// atau https://, bukan {base_url!r}")
        self.base_url = base_url.rstrip("/") + "/"
        self.description = self.base_url
        self.timeout = httpx.Timeout(timeout_s, connect=min(timeout_s, 10.0))

    def fetch(self, path: str, name: str, into: Path, progress: Progress) -> None:
        if not path:
            raise MissingAtSource(f"{name} tidak mempunyai alamat di sumber {self.description}")
        url = self.base_url + quote(path)
        for attempt in range(1, ATTEMPTS + 1):
            try:
                self._download(url, name, into, progress)
                return
            except MissingAtSource:
                raise
            except (httpx.HTTPError, OSError) as error:
                if attempt == ATTEMPTS:
                    kind = SourceUnreachable if isinstance(error, httpx.ConnectError | httpx.ConnectTimeout) else SourceError
                    raise kind(f"{name} gagal diunduh dari {url} setelah {ATTEMPTS} percobaan: {error}") from error
                time.sleep(RETRY_PAUSE_S * attempt)

    def _download(self, url: str, name: str, into: Path, progress: Progress) -> None:
        have = into.stat().st_size if into.exists() else 0
        headers = {"Range": f"bytes={have}-"} if have else {}
        with httpx.stream("GET", url, headers=headers, timeout=self.timeout, follow_redirects=True) as response:
            if response.status_code == 404:
                raise MissingAtSource(f"{name} tidak ada di {url} (HTTP 404)")
            if response.status_code == 416:  # the partial file already holds every byte
                return
            if response.status_code not in (200, 206):
                raise httpx.HTTPStatusError(f"HTTP {response.status_code}", request=response.request, response=response)
            resumed = response.status_code == 206
            if have and resumed:
                progress(have)
            with open(into, "ab" if resumed else "wb") as handle:
                for chunk in response.iter_bytes(CHUNK_BYTES):
                    handle.write(chunk)
                    progress(len(chunk))


class FolderSource:
    """A folder in the mirror's layout, or any folder holding the files under their corpus names
    (a copy of ../shared/corpus, say)."""

    def __init__(self, root: Path):
        self.root = root
        self.description = str(root)
        self._by_name: dict[str, Path] | None = None

    def _find(self, path: str, name: str) -> Path | None:
        if path and (self.root / path).is_file():
            return self.root / path
        if self._by_name is None:
            self._by_name = {}
            for file in sorted(self.root.rglob("*")):
                if file.is_file():
                    self._by_name.setdefault(file.name, file)
        return self._by_name.get(name)

    def fetch(self, path: str, name: str, into: Path, progress: Progress) -> None:
        found = self._find(path, name)
        if found is None:
            raise MissingAtSource(f"{name} tidak ada di folder sumber {self.root}")
        with open(found, "rb") as source, open(into, "wb") as target:
            while chunk := source.read(CHUNK_BYTES):
                target.write(chunk)
                progress(len(chunk))


class TarballSource:
    """A .tar/.tar.gz of the mirror (GitHub's archive has one top folder, which is ignored)."""

    def __init__(self, archive: Path):
        self.archive = archive
        self.description = str(archive)
        self._members: dict[str, tarfile.TarInfo] | None = None

    def _member(self, path: str, name: str) -> tarfile.TarInfo | None:
        if self._members is None:
            with tarfile.open(self.archive) as tar:
                self._members = {}
                for member in tar.getmembers():
                    if member.isfile():
                        self._members[member.name] = member
                        self._members.setdefault(Path(member.name).name, member)
        if path:
            for member_name, member in self._members.items():
                if member_name == path or member_name.endswith("/" + path):
                    return member
        return self._members.get(name)

    def fetch(self, path: str, name: str, into: Path, progress: Progress) -> None:
        try:
            member = self._member(path, name)
            if member is None:
                raise MissingAtSource(f"{name} tidak ada di arsip {self.archive}")
            with tarfile.open(self.archive) as tar, tar.extractfile(member) as source, open(into, "wb") as target:
                shutil.copyfileobj(source, target, CHUNK_BYTES)
                progress(member.size)
        except (tarfile.TarError, OSError) as error:
            raise SourceError(f"arsip {self.archive} tidak dapat dibaca: {error}") from error


def open_source(location: str) -> Source:
    """An HTTP(S) base URL, a folder or a tarball, by what `location` is."""
    if location.startswith(("http://", "https://")):
        return HttpSource(location)
    path = Path(location).expanduser()
    if path.is_dir():
        return FolderSource(path)
    if path.is_file() and tarfile.is_tarfile(path):
        return TarballSource(path)
    raise SourceError(
        f"Sumber korpus {location!r} tidak dikenali: berikan alamat http(s), folder, atau arsip .tar/.tar.gz "
        "(SENTRA_CORPUS_SOURCE)."
    )
