"""What every API response shares: the viewer from the bearer token, JSON errors, paging."""

from __future__ import annotations

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


def listing(endpoint: str, items: list, total: int, page: rules.Paging, **values):
    """The list envelope: data, meta and links (also as a Link header)."""
    pages = rules.page_count(total, page.per_page)

    def link(number: int) -> str:
        return url_for(endpoint, page=number, per_page=page.per_page, _external=True, **values)

    links = {
        "self": link(page.page),
        "first": link(1),
        "last": link(pages),
        "next": link(page.page + 1) if page.page < pages else None,
        "prev": link(page.page - 1) if 1 < page.page <= pages else None,
    }
    response = jsonify(
        {
            "data": items,
            "meta": {
                "page": page.page,
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
