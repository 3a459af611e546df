"""Two associations of the network match and exchange a message.

Two new associations sign up (each confirms its address from the link of the e-mail) and put
their entry in the directory. The first finds the second in the directory and marks its
interest: nothing of the second's contact shows yet. The second marks interest back: they
are matched, it opens the thread and writes. The first logs in again, sees the unread message
on its matches page, reads it and replies.

The journey creates what it needs through the pages and does not rely on the demo's network
data. One browser, one person at a time (log in, log out).
"""

from __future__ import annotations

import re
import sqlite3
import uuid
from pathlib import Path

import pytest

from tests.e2e.conftest import SERVER_LOG, chromium_missing_reason

if chromium_missing_reason():
    pytest.skip(chromium_missing_reason(), allow_module_level=True)

from playwright.sync_api import Page, expect  # noqa: E402

pytestmark = pytest.mark.browser

PASSWORD = "une phrase de passe du réseau"
QUESTION = "Bonjour !\nNous cherchons un local pour des ateliers le mercredi.\nEn avez-vous un ?"
ANSWER = "Oui, notre salle est libre le mercredi après-midi. Passez nous voir !"


def _flash(page: Page, pattern) -> None:
    expect(page.locator(".flashes")).to_contain_text(pattern)


def _log_in(page: Page, email: str) -> None:
    page.goto("/login")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter", exact=True).click()
    expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible()


def _log_out(page: Page) -> None:
    page.get_by_role("button", name="Se déconnecter").click()
    expect(page.get_by_role("button", name="Se déconnecter")).to_have_count(0)


def _confirmation_link(database: Path, email: str) -> str:
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
    database = pytestconfig.stash[SERVER_LOG].parent / "instance" / "concerto.db"
    assert database.exists(), database
    return database


def _sign_up(page: Page, database: Path, who: dict) -> None:
    """A new association and its person's account, confirmed from the e-mail's link."""
    page.goto("/ami/associations/inscription")
    page.get_by_label(re.compile(r"^Votre nom")).fill(who["person"])
    page.get_by_label(re.compile(r"^Adresse e-mail")).fill(who["email"])
    page.get_by_label(re.compile(r"^Mot de passe")).fill(PASSWORD)
    page.get_by_label(re.compile(r"^Confirmez le mot de passe")).fill(PASSWORD)
    page.get_by_label(re.compile(r"^Nom de l'association")).fill(who["name"])
    page.get_by_label(re.compile(r"^Numéro RNA")).fill(who["rna"])
    page.get_by_label(re.compile(r"^Personne à contacter")).fill(who["person"])
    page.get_by_label(re.compile(r"^E-mail de contact")).fill(who["contact"])
    page.get_by_label(re.compile(r"^Téléphone de contact")).fill(who["phone"])
    page.get_by_role("button", name="Créer le compte de l'association").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Confirmez votre adresse")
    page.goto(_confirmation_link(database, who["email"]))
    page.get_by_role("button", name="Confirmer mon adresse").click()
    _flash(page, "Votre adresse e-mail est confirmée")


def _join_the_directory(page: Page) -> None:
    page.goto("/ami/reseau")
    page.get_by_role("link", name="Ma fiche dans l'annuaire").click()
    page.get_by_label("Apparaître dans l'annuaire").check()
    page.get_by_role("button", name="Enregistrer la fiche").click()
    _flash(page, "apparaît dans l'annuaire")


def _open_entry(page: Page, name: str) -> None:
    page.goto("/ami/annuaire")
    page.get_by_label("Mots recherchés").fill(name)
    page.get_by_role("button", name="Rechercher").click()
    page.get_by_role("link", name=name, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(name)


def _open_matches(page: Page) -> None:
    page.goto("/ami/reseau")
    page.get_by_role("link", name=re.compile(r"^Mises en relation")).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Mises en relation de")


def test_two_associations_match_and_exchange_a_message(page: Page, outbox_database: Path):
    token = uuid.uuid4().hex[:6]
    first = {
        "name": f"Atelier des possibles {token}",
        "person": "Agnès Atelier",
        "email": f"agnes.{token}@example.org",
        "contact": f"contact.atelier.{token}@example.org",
        "phone": "03 21 11 22 33",
        "rna": "W623009871",
    }
    second = {
        "name": f"Maison des savoirs {token}",
        "person": "Baptiste Savoirs",
        "email": f"baptiste.{token}@example.org",
        "contact": f"contact.savoirs.{token}@example.org",
        "phone": "03 21 44 55 66",
        "rna": "W623009872",
    }
    for who in (first, second):
        _sign_up(page, outbox_database, who)
        _log_in(page, who["email"])
        _join_the_directory(page)
        _log_out(page)

    # The first association finds the second and marks its interest: no contact yet.
    _log_in(page, first["email"])
    _open_entry(page, second["name"])
    body = page.locator("main")
    expect(body).not_to_contain_text(second["contact"])
    expect(body).not_to_contain_text(second["phone"])
    page.get_by_role("button", name=re.compile(r"^Marquer mon intérêt")).click()
    _flash(page, f"Votre intérêt pour {second['name']} est enregistré")
    expect(page.locator("main")).not_to_contain_text(second["contact"])
    _log_out(page)

    # The second marks interest back: the match shows the contact and opens the thread.
    _log_in(page, second["email"])
    _open_entry(page, first["name"])
    page.get_by_role("button", name=re.compile(r"^Marquer mon intérêt")).click()
    _flash(page, "Intérêt réciproque")
    expect(page.locator("main")).to_contain_text(first["contact"])
    _open_matches(page)
    row = page.get_by_role("row").filter(has_text=first["name"])
    expect(row).to_contain_text(first["contact"])
    expect(row).to_contain_text(first["phone"])
    row.get_by_role("link", name=f"Échanger avec {first['name']}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Messages avec {first['name']}")
    page.get_by_label(re.compile(r"^Votre message")).fill(QUESTION)
    page.get_by_role("button", name="Envoyer le message").click()
    _flash(page, "Votre message est envoyé.")
    sent = page.locator(".thread__message").last
    expect(sent).to_contain_text(second["name"])
    expect(sent).to_contain_text(second["person"])
    expect(sent.locator(".thread__body")).to_have_text(QUESTION)
    _log_out(page)

    # The first sees the unread message, reads it and replies.
    _log_in(page, first["email"])
    _open_matches(page)
    row = page.get_by_role("row").filter(has_text=second["name"])
    expect(row).to_contain_text("1 message non lu")
    expect(row).to_contain_text(second["contact"])
    row.get_by_role("link", name=f"Échanger avec {second['name']}").click()
    received = page.locator(".thread__message").filter(has_text=second["person"])
    expect(received.locator(".thread__body")).to_have_text(QUESTION)
    expect(received).to_contain_text("nouveau")
    page.get_by_label(re.compile(r"^Votre message")).fill(ANSWER)
    page.get_by_role("button", name="Envoyer le message").click()
    _flash(page, "Votre message est envoyé.")
    messages = page.locator(".thread__message .thread__body")
    expect(messages).to_have_text([QUESTION, ANSWER])
    _open_matches(page)
    expect(page.get_by_role("row").filter(has_text=second["name"])).not_to_contain_text("non lu")
