"""Request arguments, validated: paging, filters, the synonym switch, and links that carry them.

Bad values abort with 400 and a message that says what is allowed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field

from flask import abort
from flask import current_app
from flask import url_for

from indexer.search import MODES
from indexer.search import SORTS

FILTERS = ("interviewee", "interview", "year")
YES = ("", "1", "true", "yes", "on")
NO = ("0", "false", "no", "off")
WHOLE_NUMBER = re.compile(r"[0-9]{1,9}")


@dataclass
class SearchParams:
    """What a search request asks for, validated."""

    q: str = ""
    page: int = 1
    per_page: int = 10
    filters: dict[str, str] = field(default_factory=dict)
    expand: bool = True
    mode: str = ""  # "" (the app's default), keyword or hybrid
    sort: str = ""  # "" (relevance) or newest


def search_params(args: Mapping[str, str]) -> SearchParams:
    """Validate the search arguments; abort(400) with a message saying what is wrong."""
    config = current_app.config
    return SearchParams(
        q=args.get("q", ""),
        page=whole_number(args, "page", 1, 1, None),
        per_page=whole_number(args, "per_page", config["PER_PAGE"], 1, config["MAX_PER_PAGE"]),
        filters={name: args[name].strip() for name in FILTERS if args.get(name, "").strip()},
        expand=flag(args, "expand"),
        mode=choice(args, "mode", MODES),
        sort=choice(args, "sort", SORTS),
    )


def choice(args: Mapping[str, str], name: str, allowed: tuple[str, ...]) -> str:
    """One of `allowed`, or "" when absent."""
    raw = args.get(name, "").strip().lower()
    if raw and raw not in allowed:
        abort(400, f"The {name} parameter must be one of {', '.join(allowed)}; "
                   f"got {raw[:40]!r}.")
    return raw


def whole_number(args: Mapping[str, str], name: str, default: int, low: int,
                 high: int | None) -> int:
    """An integer argument within [low, high], or the default when absent."""
    raw = args.get(name, "").strip()
    if not raw:
        return default
    value = int(raw) if WHOLE_NUMBER.fullmatch(raw) else None
    if value is None or value < low or (high is not None and value > high):
        limits = f"from {low} to {high}" if high is not None else f"of at least {low}"
        abort(400, f"The {name} parameter must be a whole number {limits}; got {raw[:40]!r}.")
    return value


def flag(args: Mapping[str, str], name: str) -> bool:
    """A yes/no argument (absent means yes)."""
    raw = args.get(name, "").strip().lower()
    if raw not in YES + NO:
        abort(400, f"The {name} parameter must be 1 or 0; got {raw[:40]!r}.")
    return raw in YES


def canonical_params(params: SearchParams, query: str) -> dict:
    """The search's state as URL arguments, defaults left out: the query, filters, page,
    per_page, synonyms, mode and sort. Every link from the results to a pair or an interview
    carries it, and "Back to results" returns to it (templates change one value and link)."""
    values = {"q": query, **params.filters,
              "per_page": params.per_page,
              "expand": None if params.expand else 0, "mode": params.mode or None,
              "sort": params.sort if params.sort == "newest" else None,
              "page": params.page if params.page > 1 else None}
    if params.per_page == current_app.config["PER_PAGE"]:
        values["per_page"] = None
    return {k: v for k, v in values.items() if v not in (None, "")}


def state_url(endpoint: str, state: dict, **changes) -> str:
    """The URL of `endpoint` carrying a search's state with some values changed (None drops
    one; `_anchor` and the endpoint's own arguments pass through): the one way pages and the
    API link within a search."""
    merged = {**state, **changes}
    return url_for(endpoint, **{k: v for k, v in merged.items() if v not in (None, "")})
