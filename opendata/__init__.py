"""Open data: the read-only JSON API under /api/v1, its OpenAPI description and human page,
CSV exports for open data portals, and the personal API tokens of the profile."""

from opendata import permissions  # noqa: F401  (registers the rules)
from opendata.routes.api import bp as api_bp
from opendata.routes.tokens import bp as tokens_bp

blueprints = (api_bp, tokens_bp)
