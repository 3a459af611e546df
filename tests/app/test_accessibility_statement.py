"""The accessibility statement the RGAA requires: reachable by anyone from every page's footer."""

from __future__ import annotations

import re


def test_every_page_footer_links_to_the_accessibility_statement_with_its_compliance(client, org):
    page = client.get("/").get_data(as_text=True)
    footer = re.search(r"<footer.*?</footer>", page, re.S).group(0)
    assert 'href="/accessibilite"' in footer
    assert "Accessibilité : partiellement conforme" in footer


def test_anyone_reads_the_statement_with_compliance_non_conformities_contact_and_recourse(
    client, org
):
    response = client.get("/accessibilite")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert page.count("<h1>") == 1 and "Déclaration d'accessibilité" in page
    for heading in (
        "État de conformité",
        "Contenus non accessibles",
        "Retour d'information et contact",
        "Voies de recours",
    ):
        assert f"<h2>{heading}</h2>".replace("'", "&#39;") in page or f"<h2>{heading}</h2>" in page
    assert "partiellement conforme" in page and "RGAA" in page
    assert "Défenseur des droits" in page and "Libre réponse 71120" in page
    assert org.name in page


def test_the_contact_address_is_the_configured_one(client, org, app):
    app.config["ACCESSIBILITY_CONTACT"] = "accessibilite@agglo.example"
    page = client.get("/accessibilite").get_data(as_text=True)
    assert 'href="mailto:accessibilite@agglo.example"' in page


def test_the_statement_is_in_english_when_english_is_chosen(client, org):
    client.post("/langue", data={"locale": "en", "next": "/accessibilite"})
    response = client.get("/accessibilite")
    assert response.status_code == 200
    assert 'lang="en"' in response.get_data(as_text=True)
