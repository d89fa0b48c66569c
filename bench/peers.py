"""Two peers over the same corpus and questions: SQLite FTS5 (bm25) and Tantivy (en_stem)."""

from __future__ import annotations

import json
import re
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

from bench.build import dir_size

WORD = re.compile(r"\w+")
SNIPPET_TOKENS = 32
SNIPPET_CHARS = 260
Peer = tuple[Callable[[str], list[tuple[str, str]]], dict]


def load_pairs(corpus: Path) -> list[dict]:
    """The corpus's pairs: id, question, answer."""
    with open(corpus, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def words(text: str) -> list[str]:
    """The query's distinct words, in order, free of any syntax characters."""
    return list(dict.fromkeys(w.lower() for w in WORD.findall(text)))


def fts5_query(text: str) -> str:
    """An FTS5 MATCH expression: the OR of the query's words, each quoted."""
    return " OR ".join(f'"{w}"' for w in words(text))


def sqlite_build(corpus: Path, folder: Path) -> Peer:
    """Index the corpus in an FTS5 table (porter, question+answer); its search function."""
    started = time.perf_counter()
    path = folder / "fts5.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE VIRTUAL TABLE qa USING fts5(id UNINDEXED, question, answer, "
                 "tokenize='porter unicode61')")
    with conn:
        conn.executemany("INSERT INTO qa(id, question, answer) VALUES (?, ?, ?)",
                         ((p["id"], p["question"], p["answer"]) for p in load_pairs(corpus)))
    conn.execute("INSERT INTO qa(qa) VALUES ('optimize')")
    conn.commit()
    seconds = time.perf_counter() - started
    sql = ("SELECT id, snippet(qa, 2, '<mark>', '</mark>', '…', ?) FROM qa "
           "WHERE qa MATCH ? ORDER BY bm25(qa) LIMIT 10")

    def search(text: str) -> list[tuple[str, str]]:
        match = fts5_query(text)
        return conn.execute(sql, (SNIPPET_TOKENS, match)).fetchall() if match else []

    return search, {"build_s": round(seconds, 3), "size_mb": round(dir_size(folder) / 1e6, 2)}


def tantivy_build(corpus: Path, folder: Path) -> Peer:
    """Index the corpus with Tantivy (en_stem, question+answer); its search function."""
    import tantivy

    started = time.perf_counter()
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("id", stored=True, tokenizer_name="raw")
    builder.add_text_field("question", stored=True, tokenizer_name="en_stem")
    builder.add_text_field("answer", stored=True, tokenizer_name="en_stem")
    schema = builder.build()
    path = folder / "tantivy"
    path.mkdir()
    index = tantivy.Index(schema, path=str(path))
    writer = index.writer()
    for pair in load_pairs(corpus):
        writer.add_document(tantivy.Document(id=pair["id"], question=pair["question"],
                                             answer=pair["answer"]))
    writer.commit()
    writer.wait_merging_threads()
    index.reload()
    seconds = time.perf_counter() - started
    searcher = index.searcher()

    def search(text: str) -> list[tuple[str, str]]:
        cleaned = " ".join(words(text))
        if not cleaned:
            return []
        query = index.parse_query(cleaned, ["question", "answer"])
        snippets = tantivy.SnippetGenerator.create(searcher, query, schema, "answer")
        snippets.set_max_num_chars(SNIPPET_CHARS)
        out = []
        for _score, address in searcher.search(query, 10).hits:
            doc = searcher.doc(address)
            out.append((doc["id"][0], snippets.snippet_from_doc(doc).to_html()))
        return out

    return search, {"build_s": round(seconds, 3), "size_mb": round(dir_size(path) / 1e6, 2),
                    "version": getattr(tantivy, "__version__", "")}


def tantivy_missing() -> str | None:
    """Why tantivy cannot be imported, or None when it can."""
    try:
        import tantivy  # noqa: F401
    except ImportError as exc:
        return (f"tantivy is not importable ({exc}); install the bench extra: "
                "pip install -e '.[bench]'")
    return None


PEERS: dict[str, Callable[[Path, Path], Peer]] = {"sqlite_fts5": sqlite_build,
                                                   "tantivy": tantivy_build}
