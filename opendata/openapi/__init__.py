"""The OpenAPI 3.1 description of /api/v1."""

from __future__ import annotations

from opendata.openapi.paths import CSV_ENDPOINTS, CURSOR_PATHS, ENDPOINTS, FILTERS, operation
from opendata.openapi.schemas import SCHEMAS

__all__ = ["CSV_ENDPOINTS", "CURSOR_PATHS", "ENDPOINTS", "description"]


def description(server_url: str) -> dict:
    paths: dict[str, dict] = {}
    for path, summary, schema, tag, paged, ids in ENDPOINTS:
        paths[path] = operation(
            summary, schema, tag=tag, paged=paged, ids=ids, cursor=path in CURSOR_PATHS
        )
        if path in FILTERS:
            paths[path]["get"]["parameters"] += FILTERS[path]
    for path, summary, tag, ids in CSV_ENDPOINTS:
        paths[path] = operation(summary, {}, tag=tag, ids=ids, csv=True)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Concerto open data API",
            "version": "1.0.0",
            "description": (
                "Read-only public data of the organisation: communes, saisines with their "
                "aggregated results, opinions and votes of bodies, citizen consultations and "
                "their published proposals, AMI funded projects, dossiers of the decision "
                "path with their timelines. A personal token "
                "(Authorization: Bearer) gives its holder's access. Lists are paged by "
                "`page` and `per_page`; the large ones also by `cursor` (follow their "
                "`next` link), which reads a far page as fast as the first."
            ),
        },
        "servers": [{"url": server_url}],
        "security": [{}, {"bearerAuth": []}],
        "paths": paths,
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
        },
    }
