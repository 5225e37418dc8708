"""The index fingerprint carries PARSER_VERSION instead of a hash of the parser's files, so a parsing
change must come with a version bump: this digest of what the parser makes of the shared corpus tells
when one is due. Moving or reformatting parser code leaves it alone."""

import hashlib
import json
from dataclasses import asdict

import pytest
from conftest import REGULATIONS, SEED, require_shared

from assistant.indexing.build import PARSER_VERSION
from assistant.ingest.catalog import Catalog
from assistant.ingest.loaders import load_file
from assistant.parse.structure import parse_document

pytestmark = pytest.mark.unit

# PARSER_VERSION -> sha256 of every passage the parser makes of the seven regulations and the seed,
# without a catalog (the catalog is a part of the fingerprint of its own).
PASSAGES_DIGEST = {
    "1": "a98ef450e281ebb1f6b6f75002c2b2c8f469272edc1993bc4342a3356f497adc",
    "2": "f1ae10d5137fcd8fcd3a30fce622b85f5bf1ddd12c4ff2f1c89d303c271daa19",  # item numbers stay with their item
}


def corpus_digest() -> str:
    digest = hashlib.sha256()
    for path in [*sorted(REGULATIONS.glob("*.md")), SEED]:
        for passage in parse_document(load_file(path), Catalog()).passages:
            digest.update(json.dumps(asdict(passage), ensure_ascii=False, sort_keys=True).encode("utf-8"))
    return digest.hexdigest()


def test_parsing_the_corpus_differently_comes_with_a_new_parser_version():
    require_shared()
    assert corpus_digest() == PASSAGES_DIGEST.get(PARSER_VERSION), (
        "Parsing changed: bump PARSER_VERSION (assistant/indexing/build.py) and record the new digest here."
    )
