"""The API's description: valid OpenAPI 3.1, its human page, and a property-based run of
schemathesis against it (WSGI, no server) on a bounded budget."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from openapi_spec_validator import validate
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests.opendata.data import HOST, token_for, world

BASE = f"http://{HOST}"


def test_the_description_is_valid_openapi_3_1(client, org):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.get_json()
    validate(spec)
    assert spec["openapi"] == "3.1.0"
    assert spec["servers"][0]["url"].endswith("/api/v1")
    assert "/dossiers/{dossier_id}" in spec["paths"] and "/communes.csv" in spec["paths"]


def test_every_api_route_is_described(app, org):
    from opendata import openapi

    spec = openapi.description("http://localhost/api/v1")
    described = {"/api/v1" + path for path in spec["paths"]}
    routes = {
        rule.rule.replace("<int:", "{").replace(">", "}")
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("opendata.")
    }
    undocumented = routes - described - {"/api/v1/", "/api/v1/openapi.json", "/api/v1/<path:rest}"}
    assert undocumented == set()


def test_the_human_page_lists_the_endpoints_and_is_linked_from_the_footer(client, org):
    page = client.get("/api/v1/")
    assert page.status_code == 200
    html = page.data.decode()
    assert "<h1>" in html and "/api/v1/saisines" in html and "openapi.json" in html
    assert "/api/v1/communes.csv" in html
    assert 'href="/api/v1/"' in client.get("/consultations/").data.decode()


def test_every_endpoint_has_a_french_label_on_the_human_page():
    from opendata import openapi
    from opendata.routes.docs import LABELS

    paths = {e[0] for e in openapi.ENDPOINTS} | {e[0] for e in openapi.CSV_ENDPOINTS}
    assert set(LABELS) == paths


def test_the_human_page_is_translated(client, org):
    client.post("/langue", data={"locale": "en"})
    assert client.get("/api/v1/").status_code == 200


def _operations(app):
    import schemathesis

    from opendata import openapi

    with app.test_request_context():
        spec = openapi.description("http://localhost/api/v1")
    schema = schemathesis.openapi.from_dict(spec)
    return [result.ok() for result in schema.get_all_operations()]


#: examples per operation and role: about 20 operations × 2 roles × this, in a few seconds
EXAMPLES = 5


@pytest.mark.parametrize("role", ["anonymous", "admin"])
def test_schemathesis_finds_no_server_error_and_no_response_off_the_schema(app, org, role):
    w = world(org)
    headers = {"Authorization": f"Bearer {token_for(w.admin)}"} if role == "admin" else {}
    for operation in _operations(app):

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def check(case):
            # a cursor is an opaque token signed by the server: a generated one is refused
            # (400, in the schema), which is right; every other check still applies
            excluded = [positive_data_acceptance] if (case.query or {}).get("cursor") else []
            case.call_and_validate(
                app=app,
                base_url="http://localhost/api/v1",
                headers=headers,
                excluded_checks=excluded,
            )

        check()
