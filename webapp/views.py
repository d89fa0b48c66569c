"""Pages for people: search, one pair, one interview (each has a JSON twin in api.py)."""

from __future__ import annotations

from flask import Blueprint
from flask import render_template
from flask import request
from flask import url_for
from markupsafe import Markup
from werkzeug.exceptions import BadRequest

from indexer.query import QueryError
from webapp import presenters
from webapp.params import FILTERS
from webapp.params import state_url

bp = Blueprint("pages", __name__)

TWIN_ARGS = ("q", "page", "per_page", "expand", "mode", "sort", *FILTERS)
EXAMPLES = ("CD7 CAR-T", "BCMA", "What is the role of CD7 CAR-T in T-cell ALL?")


@bp.get("/")
def search() -> tuple[str, int] | str:
    """The search page: the query box, results, filters and paging, or the empty state."""
    try:
        context = presenters.search_context(request.args)
    except (BadRequest, QueryError) as exc:
        message = exc.description if isinstance(exc, BadRequest) else str(exc)
        meant = [{"name": name, "url": state_url("pages.search", request.args.to_dict(),
                                                 interviewee=name, page=None)}
                 for name in getattr(exc, "meant", ())]
        return render("search.html", query=request.args.get("q", ""), error=message,
                      meant=meant), 400
    if not context["query"] and not context["filters"]:
        context.update(examples=EXAMPLES, stats=presenters.health_context())
    return render("search.html", **context)


@bp.get("/interviews")
def interviews() -> str:
    """Every interview, newest first: title, interviewee, date, number of questions."""
    return render("interviews.html", **presenters.interviews_context(request.args))


@bp.get("/pair/<pair_id>")
def pair(pair_id: str) -> str:
    """One question and its whole answer, with neighbours and related questions."""
    return render("pair.html", **presenters.pair_context(pair_id, request.args))


@bp.get("/interview/<interview_id>")
def interview(interview_id: str) -> str:
    """A whole interview in order."""
    return render("interview.html", **presenters.interview_context(interview_id, request.args))


def render(template: str, **context) -> str:
    """Render a page (linking its JSON twin); `*_html` values become Markup here only."""
    twin = request.endpoint.replace("pages.", "api.", 1)
    args = {k: v for k, v in request.args.items() if k in TWIN_ARGS}
    json_url = url_for(twin, **{**args, **(request.view_args or {})})
    return render_template(template, json_url=json_url, **as_markup(context))


def as_markup(value):
    """`value` with every string under a key ending in `_html` wrapped in Markup."""
    if isinstance(value, dict):
        return {key: (trusted(item) if key.endswith("_html") else as_markup(item))
                for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [as_markup(item) for item in value]
    return value


def trusted(html: str | list[str]) -> Markup | list[Markup]:
    """HTML produced by indexer.highlight (already escaped) marked safe for Jinja."""
    return [Markup(item) for item in html] if isinstance(html, list) else Markup(html)


@bp.app_template_global()
def search_url(params: dict, **changes) -> str:
    """The search page URL for `params` with some changed (None drops one)."""
    return state_url("pages.search", params, **changes)


bp.add_app_template_filter(presenters.nice_date, "nice_date")
bp.add_app_template_filter(presenters.nice_time, "nice_time")
bp.add_app_template_filter(presenters.counted, "counted")
bp.add_app_template_global(presenters.its_pairs, "its_pairs")
