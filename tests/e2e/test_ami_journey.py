"""The AMI cohésion sociale from an association's application to the jury's decision.

The demo association writes its one-sheet application to the open call (the counter of each
field follows the typing), saves the draft, submits it and gets its receipt number, then
downloads the PDF to print. The EPCI checks that it is eligible and seats the demo jury member
on the call's jury. The jury member, on a phone, declares no conflict of interest and scores
the application. The EPCI opens the deliberation, funds the application within the maximum the
rules allow, and notifies the decision; the association reads it with the jury's advice.

Each person uses their own browser context.
"""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import SERVER_LOG, _save_artifacts, chromium_missing_reason

if chromium_missing_reason():
    pytest.skip(chromium_missing_reason(), allow_module_level=True)

from playwright.sync_api import Page, expect  # noqa: E402

from app.demo import DEMO_PASSWORD, DOMAIN  # noqa: E402
from tests.e2e.helpers import menu

pytestmark = pytest.mark.browser

ADMIN = f"admin@{DOMAIN}"
ASSOCIATION = f"association@{DOMAIN}"
JURY = f"jury@{DOMAIN}"
TITLE = "Ateliers numériques pour les mères du quartier"
ADVICE = "Rapprochez-vous de la médiathèque de Liévin pour les ateliers du samedi."
PHONE = {"width": 390, "height": 844}


def _log_in(page: Page, email: str) -> None:
    page.goto("/login")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter", exact=True).click()
    expect(page.get_by_role("button", name="Se déconnecter", include_hidden=True)).to_have_count(1)


def _menu(page: Page, name: str) -> None:
    menu(page, name)


def _flash(page: Page, pattern) -> None:
    expect(page.locator(".flashes")).to_contain_text(pattern)


def _person(browser, live_server, request, viewport=None) -> Page:
    context = browser.new_context(
        base_url=live_server,
        locale="fr-FR",
        viewport=viewport or {"width": 1280, "height": 900},
        is_mobile=viewport is not None,
        has_touch=viewport is not None,
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    request.node.pages = [*getattr(request.node, "pages", []), page]
    return page


def _open_call_hub(admin: Page) -> None:
    _menu(admin, "Gérer l'AMI")
    admin.get_by_role("link", name=re.compile(r"^AMI cohésion sociale 20(?!21)\d\d$")).click()


def test_an_association_applies_and_the_jury_decides(browser, live_server, request):
    try:
        _journey(browser, live_server, request)
    except BaseException:
        log = request.config.stash.get(SERVER_LOG, None)
        for n, page in enumerate(getattr(request.node, "pages", [])):
            _save_artifacts(page, f"{request.node.nodeid}-{n}", log)
        raise


def _journey(browser, live_server, request) -> None:
    # --- the association writes and submits its application -------------------------------
    association = _person(browser, live_server, request)
    _log_in(association, ASSOCIATION)
    _menu(association, "Mes candidatures AMI")
    association.get_by_role("link", name="Candidater", exact=True).click()
    association.get_by_role("button", name="Commencer le dossier").click()

    association.get_by_label("Titre de l'action").fill(TITLE)
    counter = association.locator("#title-count")
    expect(counter).to_contain_text("caractères restants")
    association.get_by_label("Thématique").select_option(label="Inclusion numérique")
    association.get_by_role("group", name=re.compile("QPV touchés")).get_by_role(
        "checkbox"
    ).first.check()
    association.get_by_label("Public visé").fill("Mères de familles des cités de Liévin")
    association.get_by_label("Part de femmes dans le public (%)").fill("90")
    association.get_by_label("Objectifs", exact=True).fill(
        "Rendre les mères autonomes dans leurs démarches en ligne."
    )
    association.get_by_label("Actions prévues").fill("Douze ateliers de deux heures.")
    association.get_by_label("Budget total de l'action (€)").fill("10000")
    association.get_by_label("Montant demandé (€)").fill("9000")
    association.get_by_role("button", name="Enregistrer le brouillon").click()
    _flash(association, "enregistré")

    association.get_by_role("button", name="Déposer le dossier").first.click()
    _flash(association, re.compile(r"AMI-20\d\d-\d{3}"))
    expect(association.get_by_role("heading", level=2, name=TITLE)).to_be_visible()
    pdf_link = association.get_by_role("link", name=re.compile("Télécharger le PDF"))
    response = association.request.get(pdf_link.get_attribute("href"))
    assert response.ok and response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")

    # --- the EPCI checks eligibility and seats the jury member ------------------------------
    admin = _person(browser, live_server, request)
    _log_in(admin, ADMIN)
    _open_call_hub(admin)
    admin.get_by_role("link", name="Recevabilité des candidatures").click()
    admin.get_by_role("row", name=re.compile(TITLE)).get_by_role("link").first.click()
    expect(admin.locator("body")).to_contain_text("Taux appliqué : 80")
    for question in (
        "Le dossier est-il complet ?",
        "L'association est-elle valide ?",
        "La thématique fait-elle partie de l'appel ?",
    ):
        admin.get_by_role("group", name=re.compile(re.escape(question))).get_by_label(
            "Oui", exact=True
        ).check()
    admin.get_by_role("group", name=re.compile("Décision")).get_by_label(
        "Recevable", exact=True
    ).check()
    admin.get_by_role("button", name="Enregistrer et informer l'association").click()
    _flash(admin, "ecevable")

    _open_call_hub(admin)
    admin.get_by_role("link", name="Jury", exact=True).click()
    admin.get_by_label("Personne").select_option(label=f"Membre du jury AMI ({JURY})")
    admin.locator("form").filter(has=admin.get_by_label("Personne")).get_by_label(
        "Collège"
    ).select_option(label="Conseillers citoyens")
    admin.get_by_role("button", name="Ajouter au jury").click()
    expect(admin.locator("body")).to_contain_text(JURY)

    # --- the jury member scores on a phone ---------------------------------------------------
    jury = _person(browser, live_server, request, viewport=PHONE)
    _log_in(jury, JURY)
    jury.goto("/ami/jury")
    jury.get_by_role("link", name=re.compile(r"^AMI cohésion sociale 20(?!21)\d\d$")).click()
    jury.get_by_role("link", name=re.compile(TITLE)).click()
    jury.get_by_label("Je n'ai aucun lien d'intérêt avec ce porteur").check()
    jury.get_by_role("button", name="Enregistrer ma déclaration").click()
    groups = jury.locator("fieldset.jury-criterion, fieldset").filter(
        has=jury.get_by_label("4", exact=True)
    )
    assert groups.count() >= 3
    for n in range(groups.count()):
        groups.nth(n).get_by_label("4", exact=True).check()
    jury.get_by_role("button", name="Enregistrer mes notes").click()
    _flash(jury, "otes")

    # --- the EPCI deliberates, decides and notifies ----------------------------------------
    _open_call_hub(admin)
    admin.get_by_role("link", name="Délibération et décisions").click()
    admin.get_by_role("button", name="Ouvrir la délibération").click()
    admin.get_by_role("link", name=re.compile(f"Décider.*{re.escape(TITLE)}")).click()
    admin.get_by_label("Financé", exact=True).check()
    expect(admin.get_by_label("Montant attribué (euros)")).to_have_value(re.compile(r"^8000"))
    admin.get_by_label("Motivation (interne, non communiquée à l'association)").fill(
        "Public éloigné du numérique, action précise et chiffrée."
    )
    admin.get_by_label("Conseils du jury pour l'association").fill(ADVICE)
    admin.get_by_role("button", name="Enregistrer la décision").click()
    _flash(admin, "écision")
    notify = re.compile(r"Notifier \d+ décisions? aux associations")
    admin.locator("summary", has_text=notify).click()  # the two-step confirmation
    admin.get_by_role("button", name=notify).click()
    _flash(admin, "otifi")

    # --- the association reads the decision -------------------------------------------------
    _menu(association, "Mes candidatures AMI")
    association.get_by_role("link", name=TITLE).click()
    expect(association.locator("body")).to_contain_text("Financé")
    expect(association.locator("body")).to_contain_text("8\u202f000")
    association.get_by_role("link", name=re.compile("décision", re.I)).first.click()
    expect(association.locator("body")).to_contain_text(ADVICE)
    expect(association.locator("body")).not_to_contain_text("Public éloigné du numérique")
