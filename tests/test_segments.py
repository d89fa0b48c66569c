"""The lean segment writer writes, byte for byte, the segment Whoosh's own writer writes."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import CORPUS
from conftest import FIXTURES
from whoosh.codec.whoosh3 import W3Codec
from whoosh.filedb.filestore import FileStorage
from whoosh.writing import SegmentWriter

from indexer import corpus
from indexer import store
from indexer.schema import make_schema
from indexer.segments import POSTING_COMPRESSION
from indexer.segments import LeanWriter


@pytest.fixture(scope="module")
def docs() -> list[dict]:
    """One document per pair of the shipped corpus and every parser fixture."""
    problems: list = []
    sources = corpus.collect([CORPUS, FIXTURES / "interviews"], problems)
    manifest = store.empty_manifest()
    return [doc for item in corpus.parse_all(sources, problems)
            for doc in corpus.index_file(item, manifest)]


def segment_files(folder: Path, writer_class, batches: list[list[dict]], **options) -> dict:
    """Write `batches` (one commit each, the last one merging all segments); return the
    content of every segment file, named by its extension in segment order."""
    ix = FileStorage(str(folder)).create().create_index(make_schema())
    if writer_class is SegmentWriter:  # Whoosh's own codec, with the blocks' zlib level ours
        options["codec"] = W3Codec(compression=POSTING_COMPRESSION)
    for number, batch in enumerate(batches, 1):
        writer = writer_class(ix, compound=False, **options)  # as indexer.store writes
        for doc in batch:
            writer.add_document(**doc)
        if number > 1:
            writer.delete_by_term("id", batch[0]["id"])
        writer.commit(optimize=number == len(batches) > 1)
    files = {}
    for number, segment in enumerate(ix._segments()):
        prefix = f"{segment.indexname}_{segment.segid}"
        for path in sorted(folder.glob(f"{prefix}*")):
            files[number, path.name[len(prefix):]] = path.read_bytes()
    return files


def test_the_corpus_gives_enough_to_compare(docs):
    assert len(docs) > 50
    assert {"question", "answer", "title", "position"} <= set(docs[0])


def postings(folder: Path) -> dict:
    """Every term's statistics and postings (document, weight, value bytes), as read back."""
    found = {}
    with FileStorage(str(folder)).open_index().reader() as reader:
        for fieldname, text in reader.all_terms():
            info = reader.term_info(fieldname, text)
            matcher = reader.postings(fieldname, text)
            found[fieldname, text] = [(info.doc_frequency(), info.weight(), info.min_length(),
                                       info.max_length(), info.max_weight())]
            while matcher.is_active():
                found[fieldname, text].append((matcher.id(), matcher.weight(), matcher.value()))
                matcher.next()
    return found


def test_a_build_writes_the_same_bytes(docs, tmp_path):
    whoosh = segment_files(tmp_path / "whoosh", SegmentWriter, [docs])
    lean = segment_files(tmp_path / "lean", LeanWriter, [docs])
    assert lean.keys() == whoosh.keys()
    assert lean == whoosh


def test_a_pool_gone_to_disk_writes_the_same_postings(docs, tmp_path):
    # limitmb=0: the pool writes a run after every field. Postings read back from runs no
    # longer share the value bytes of equal single positions (indexer.schema.one_position),
    # so the pickled blocks differ in bytes, not in what they hold.
    whoosh = segment_files(tmp_path / "whoosh", SegmentWriter, [docs])
    lean = segment_files(tmp_path / "lean", LeanWriter, [docs], limitmb=0)
    assert lean.keys() == whoosh.keys()
    assert {k: v for k, v in lean.items() if k[1] not in (".pst", ".trm")} == {
        k: v for k, v in whoosh.items() if k[1] not in (".pst", ".trm")}
    assert postings(tmp_path / "lean") == postings(tmp_path / "whoosh")


def test_updates_and_merges_write_the_same_bytes(docs, tmp_path):
    batches = [docs[:20], docs[20:40], docs[40:]]
    whoosh = segment_files(tmp_path / "whoosh", SegmentWriter, batches)
    lean = segment_files(tmp_path / "lean", LeanWriter, batches)
    assert lean == whoosh


def test_boosted_documents_write_the_same_bytes(docs, tmp_path):
    boosted = [{**doc, "_boost": 1.5, "_question_boost": 3.0} if n % 3 else doc
               for n, doc in enumerate(docs)]
    whoosh = segment_files(tmp_path / "whoosh", SegmentWriter, [boosted])
    assert segment_files(tmp_path / "lean", LeanWriter, [boosted]) == whoosh
