"""Interview Q&A indexer: parse interviews into question/answer pairs and search them."""

from indexer.query import QueryError
from indexer.query import parse
from indexer.search import Hit
from indexer.search import SearchIndex
from indexer.search import SearchResults
from indexer.store import IndexMissing
from indexer.store import StoreError

__all__ = ["Hit", "IndexMissing", "QueryError", "SearchIndex", "SearchResults", "StoreError",
           "parse"]
