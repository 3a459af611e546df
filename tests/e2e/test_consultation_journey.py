"""A citizen consultation from an inhabitant's sign-up to the EPCI's published answer.

A new inhabitant signs up, confirms their address from the link of the e-mail, accepts the
terms of participation and proposes an idea for the banks of the Souchez (post-moderated: it is
published at once); a demo inhabitant supports it and reports another proposal; the admin
hides the reported proposal from the moderation queue, which then disappears for the public.
The banks' consultation is still open for contributions, so the EPCI's answer ("ce que nous en
retenons") is written on a proposal of the cycling plan, in its feedback phase, and read by a
visitor.

Each person uses their own browser context. The e-mail is read from the server's outbox table.
"""

from __future__ import annotations

import re
import sqlite3
import uuid
from pathlib import Path

import pytest

from tests.e2e.conftest import SERVER_LOG, _save_artifacts, chromium_missing_reason

if chromium_missing_reason():
    pytest.skip(chromium_missing_reason(), allow_module_level=True)

from playwright.sync_api import Page, expect  # noqa: E402

from app.demo import DEMO_PASSWORD, DOMAIN  # noqa: E402
from tests.e2e.helpers import menu

pytestmark = pytest.mark.browser

ADMIN = f"admin@{DOMAIN}"
RESIDENT = f"habitant.01@{DOMAIN}"
BERGES = "Aménagement des berges de la Souchez"
VELO = "Plan vélo intercommunal"
THEME = "Nature et biodiversité"
PASSWORD = "Une-phrase-de-passe-solide-2026"
REPORT_REASON = "Ce texte contient des données personnelles sur un voisin."
HIDE_REASON = "Données personnelles d'un tiers : contraire aux conditions de participation."
FEEDBACK = "Nous retenons cette idée : elle sera étudiée avec le schéma cyclable 2027."


def _log_in(page: Page, email: str, password: str = DEMO_PASSWORD) -> None:
    page.goto("/login")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter", exact=True).click()
    expect(page.get_by_role("button", name="Se déconnecter", include_hidden=True)).to_have_count(1)


def _menu(page: Page, name: str) -> None:
    menu(page, name)


def _flash(page: Page, text: str) -> None:
    expect(page.locator(".flashes").get_by_role("status")).to_have_text(text)


def _open_consultation(page: Page, title: str) -> None:
    _menu(page, "Consultations")
    expect(page.get_by_role("heading", level=1)).to_have_text("Consultations des habitants")
    page.get_by_role("link", name=title, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)


def _confirmation_link(database: Path, email: str) -> str:
    """The link of the confirmation e-mail sent to `email`, as its recipient reads it."""
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as connection:
        row = connection.execute(
            "SELECT body_text FROM mail_outbox WHERE to_address = ? ORDER BY id DESC LIMIT 1",
            (email,),
        ).fetchone()
    assert row is not None, f"no e-mail to {email}"
    found = re.search(r"https?://\S+/inscription/confirmation/\S+", row[0])
    assert found, row[0]
    return found.group(0)


@pytest.fixture
def outbox_database(live_server, pytestconfig) -> Path:
    """The server's SQLite database, in its instance folder next to its log."""
    database = pytestconfig.stash[SERVER_LOG].parent / "instance" / "concerto.db"
    assert database.exists(), database
    return database


@pytest.fixture
def open_browser(browser, live_server, request):
    """Open another person's browser: a fresh context; its page is saved if the test fails."""
    opened = []

    def open_(person: str) -> Page:
        context = browser.new_context(
            base_url=live_server, locale="fr-FR", viewport={"width": 1280, "height": 900}
        )
        context.set_default_timeout(10_000)
        tab = context.new_page()
        opened.append((person, context, tab))
        return tab

    yield open_
    report = getattr(request.node, "rep_call", None)
    for person, context, tab in opened:
        if report is not None and report.failed:
            _save_artifacts(tab, f"{request.node.nodeid}-{person}", None)
        context.close()


def test_inhabitant_signs_up_proposes_supports_reports_and_admin_moderates_and_answers(
    page, open_browser, outbox_database
):
    admin = page
    token = uuid.uuid4().hex[:8]
    email = f"nouvel.habitant.{token}@example.org"
    name = f"Inès Habitante {token}"
    title = f"Un verger partagé sur les berges {token}"
    body = "Je propose de planter un verger partagé près de l'écluse, entretenu par le quartier."

    # 1. A new inhabitant signs up, confirms their address, accepts the terms and proposes.
    inhabitant = open_browser("inhabitant")
    inhabitant.goto("/inscription")
    expect(inhabitant.get_by_role("heading", level=1)).to_have_text("Créer un compte habitant")
    inhabitant.get_by_label("Nom affiché").fill(name)
    inhabitant.get_by_label("Adresse e-mail").fill(email)
    inhabitant.get_by_label(re.compile(r"^Mot de passe")).fill(PASSWORD)
    inhabitant.get_by_label("Confirmez le mot de passe").fill(PASSWORD)
    inhabitant.get_by_role("button", name="Créer mon compte").click()
    expect(inhabitant.get_by_role("heading", level=1)).to_have_text(
        "Confirmez votre adresse e-mail"
    )
    expect(inhabitant.get_by_role("status").filter(has_text=email)).to_be_visible()

    inhabitant.goto(_confirmation_link(outbox_database, email))
    expect(inhabitant.get_by_role("heading", level=1)).to_have_text(
        "Confirmer votre adresse e-mail"
    )
    inhabitant.get_by_role("button", name="Confirmer mon adresse").click()
    _flash(inhabitant, "Votre adresse e-mail est confirmée. Vous pouvez vous connecter.")
    _log_in(inhabitant, email, PASSWORD)

    _open_consultation(inhabitant, BERGES)
    inhabitant.get_by_role("link", name="Faire une proposition").click()
    _flash(inhabitant, "Avant de contribuer, acceptez les conditions de participation.")
    expect(inhabitant.get_by_role("heading", level=1)).to_have_text("Conditions de participation")
    inhabitant.get_by_label("Afficher mon nom sur mes contributions").check()
    inhabitant.get_by_label("J'ai lu et j'accepte les conditions de participation").check()
    inhabitant.get_by_role("button", name="Accepter et participer").click()
    _flash(inhabitant, "Merci ! Vous pouvez maintenant contribuer.")
    expect(inhabitant.get_by_role("heading", level=1)).to_have_text("Faire une proposition")
    # The banks' consultation is post-moderated: no notice of a prior validation.
    expect(inhabitant.get_by_text("publiées après validation")).to_have_count(0)
    inhabitant.get_by_label("Titre de la proposition").fill(title)
    inhabitant.get_by_label("Votre proposition").fill(body)
    inhabitant.get_by_label("Thématique").select_option(label=THEME)
    inhabitant.get_by_role("button", name="Envoyer la proposition").click()
    _flash(inhabitant, "Merci ! Votre proposition est publiée.")
    expect(inhabitant.get_by_role("heading", level=1)).to_have_text(title)
    article = inhabitant.get_by_role("article").filter(has_text=body)
    expect(article).to_contain_text(f"Par {name}")
    expect(article).to_contain_text(THEME)
    expect(inhabitant.locator("#support")).to_contain_text("0 soutien")
    proposal_url = inhabitant.url

    # 2. A demo inhabitant finds it on the consultation, supports it, and reports another one.
    resident = open_browser("resident")
    _log_in(resident, RESIDENT)
    _open_consultation(resident, BERGES)
    listing = resident.get_by_role("article").filter(
        has=resident.get_by_role("heading", name=title, exact=True)
    )
    expect(listing).to_contain_text("0 soutien")
    listing.get_by_role("link", name=title).click()
    expect(resident.get_by_role("heading", level=1)).to_have_text(title)
    resident.get_by_role("button", name="Soutenir cette proposition").click()
    _flash(resident, "Merci pour votre soutien !")
    expect(resident.locator("#support")).to_contain_text("1 soutien")
    expect(resident.get_by_text("Vous soutenez cette proposition.")).to_be_visible()
    expect(resident.get_by_role("button", name="Retirer mon soutien")).to_be_visible()
    inhabitant.reload()
    expect(inhabitant.locator("#support")).to_contain_text("1 soutien")

    resident.get_by_role("link", name=f"← {BERGES}").click()
    # The newest proposals come first: ours, then the one reported.
    other = resident.locator("article.proposal").nth(1).get_by_role("link")
    other_title = other.inner_text().strip()
    assert other_title != title
    other.click()
    expect(resident.get_by_role("heading", level=1)).to_have_text(other_title)
    reported_url = resident.url
    reported_path = re.sub(r"^https?://[^/]+", "", reported_url)
    resident.get_by_role("link", name="Signaler cette proposition").click()
    expect(resident.get_by_role("heading", level=1)).to_have_text("Signaler un contenu")
    resident.get_by_label("Pourquoi ce contenu pose-t-il problème ?").fill(REPORT_REASON)
    resident.get_by_role("button", name="Signaler aux modérateurs").click()
    _flash(resident, "Merci : votre signalement est transmis aux modérateurs.")
    expect(resident.get_by_role("heading", level=1)).to_have_text(other_title)

    # 3. The admin finds the report from the home page and hides the proposal.
    _log_in(admin, ADMIN)
    _menu(admin, "Accueil")
    admin.get_by_role("link", name=re.compile(r"^\d+ contenus? signalés?$")).click()
    expect(admin.get_by_role("heading", level=1)).to_have_text("Modération des consultations")
    item = admin.get_by_role("article").filter(has_text=REPORT_REASON)
    expect(item).to_have_count(1)
    expect(item.get_by_role("heading", level=2)).to_have_text(f"Proposition : {other_title}")
    expect(item).to_contain_text("1 signalement")
    item.get_by_role("link", name="Modérer").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text("Modérer la proposition")
    expect(admin.locator("dl.facts")).to_contain_text("post-modération")
    expect(admin.get_by_role("listitem").filter(has_text=REPORT_REASON)).to_be_visible()
    admin.get_by_label("Motif").fill(HIDE_REASON)
    admin.get_by_role("button", name="Masquer").click()
    _flash(admin, "Décision de modération enregistrée.")
    expect(admin.locator("dl.facts")).to_contain_text("Masqué")
    expect(admin.get_by_role("listitem").filter(has_text=HIDE_REASON)).to_contain_text("masqué")
    expect(admin.get_by_role("button", name="Rétablir")).to_be_visible()

    # The public no longer sees it: neither in the list nor at its address.
    visitor = open_browser("visitor")
    visitor.goto("/consultations/")
    visitor.get_by_role("link", name=BERGES, exact=True).click()
    expect(visitor.get_by_role("heading", level=1)).to_have_text(BERGES)
    expect(visitor.get_by_role("link", name=title, exact=True)).to_be_visible()
    expect(visitor.locator(f'a[href="{reported_path}"]')).to_have_count(0)
    response = visitor.goto(reported_url)
    assert response is not None and response.status == 404, reported_url
    visitor.goto(proposal_url)
    expect(visitor.get_by_role("heading", level=1)).to_have_text(title)

    # 4. The banks' consultation is not yet in its feedback phase: the admin answers a
    #    proposal of the cycling plan, which is, and a visitor reads the answer.
    _menu(admin, "Gérer les consultations")
    admin.get_by_role("link", name=VELO, exact=True).click()
    expect(admin.get_by_role("heading", level=1)).to_have_text(VELO)
    admin.get_by_role("link", name="Propositions", exact=True).click()
    admin.get_by_label("Statut").select_option("published")
    admin.get_by_label("Suite donnée").select_option("none")
    admin.get_by_role("button", name="Afficher").click()
    expect(admin).to_have_url(re.compile(r"feedback=none"))
    answered = admin.locator("article.proposal").first.get_by_role("link")
    velo_title = answered.inner_text().strip()
    answered.click()
    expect(admin.get_by_role("heading", level=1)).to_have_text(velo_title)
    velo_id = re.search(r"/propositions/(\d+)$", admin.url).group(1)
    expect(admin.get_by_text("début du retour aux habitants")).to_have_count(0)
    admin.get_by_role("radio", name="Retenue en partie").check()
    admin.get_by_label("Ce que nous en retenons").fill(FEEDBACK)
    admin.get_by_role("button", name="Enregistrer la réponse").click()
    _flash(admin, "Réponse à la proposition enregistrée.")
    expect(admin.get_by_role("radio", name="Retenue en partie")).to_be_checked()

    visitor.goto("/consultations/")
    visitor.get_by_role("link", name=VELO, exact=True).click()
    expect(visitor.get_by_role("heading", level=1)).to_have_text(VELO)
    search = visitor.get_by_role("search", name="Rechercher et filtrer les propositions")
    search.get_by_label("Rechercher", exact=True).fill(velo_title)
    search.get_by_role("button", name="Afficher").click()
    # Several proposals may share a title: this one is found by its address.
    link = visitor.locator(f'a[href$="/propositions/{velo_id}"]')
    card = visitor.locator("article.proposal").filter(has=link)
    expect(card).to_contain_text("Retenue en partie")
    link.click()
    expect(visitor.get_by_role("heading", level=1)).to_have_text(velo_title)
    answer = visitor.get_by_role("region", name=re.compile(r"^Réponse de "))
    expect(answer).to_contain_text("Retenue en partie")
    expect(answer).to_contain_text(FEEDBACK)
