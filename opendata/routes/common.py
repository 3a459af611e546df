"""What every API response shares: the viewer from the bearer token, JSON errors, paging."""

from __future__ import annotations

from dataclasses import dataclass

from flask import g, jsonify, request, url_for

from app.db import db, utcnow
from app.i18n import _
from opendata import rules, services


def json_error(status: int, code: str, message: str, **extra):
    response = jsonify({"error": {"code": code, "message": message, **extra}})
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


def authenticate():
    """Before each API request: the token's holder, or anonymous; a bad token is a 401.

    Session cookies are ignored: the API sees only what the token gives, so that no page of
    another site can read it with a signed-in person's cookie.
    """
    g.api_user = None
    secret = rules.bearer_token(request.headers.get("Authorization"))
    if secret is None:
        return None
    user = services.authenticate(g.organisation.id, secret, utcnow()) if secret else None
    if user is None:
        db.session.rollback()
        return json_error(401, "invalid_token", _("Jeton d'accès inconnu, révoqué ou mal formé."))
    g.api_user = user
    return None


def commit_token_use(response):
    """The token's last use, flushed by authenticate, is saved with the response; what a
    token reads is kept out of shared caches."""
    response.vary.add("Authorization")
    if g.get("api_user") is not None:
        db.session.commit()
        response.headers["Cache-Control"] = "private, no-store"
    return response


def viewer():
    return g.get("api_user")


def paging():
    return rules.paging(request.args)


@dataclass
class Cursors:
    """The cursors of a list read by keyset (None: no such page)."""

    next: str | None = None
    prev: str | None = None
    last: str | None = None
    #: the page was sought by cursor: its number is not known
    sought: bool = False


def listing(
    endpoint: str,
    items: list,
    total: int,
    page: rules.Paging,
    cursors: Cursors | None = None,
    **values,
):
    """The list envelope: data, meta and links (also as a Link header).

    A list read by keyset gives `cursors`: its next link then carries a cursor (constant time
    however far), as do prev and last on a page itself reached by cursor."""
    pages = rules.page_count(total, page.per_page)

    def link(number: int | None = None, cursor: str | None = None) -> str:
        return url_for(
            endpoint,
            page=number,
            cursor=cursor,
            per_page=page.per_page,
            _external=True,
            **values,
        )

    links = {
        "self": link(page.page),
        "first": link(1),
        "last": link(pages),
        "next": link(page.page + 1) if page.page < pages else None,
        "prev": link(page.page - 1) if 1 < page.page <= pages else None,
    }
    if cursors is not None:
        if cursors.next:
            links["next"] = link(cursor=cursors.next)
        elif cursors.sought:
            links["next"] = None
        if cursors.sought:
            links["self"] = link(cursor=page.cursor)
            links["prev"] = link(cursor=cursors.prev) if cursors.prev else None
            links["last"] = link(cursor=cursors.last) if cursors.last else link(1)
    response = jsonify(
        {
            "data": items,
            "meta": {
                "page": None if cursors and cursors.sought else page.page,
                "per_page": page.per_page,
                "total": total,
                "pages": pages,
            },
            "links": links,
        }
    )
    response.headers["Link"] = ", ".join(
        f'<{url}>; rel="{rel}"' for rel, url in links.items() if url and rel != "self"
    )
    return response


def single(data: dict):
    return jsonify({"data": data})
