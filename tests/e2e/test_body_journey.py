"""A meeting of a body from its convocation to its published minutes, in real browsers.

The EPCI's agent convenes the demo's "Groupe de travail mobilités"; one member acknowledges
from the link of their convocation e-mail, another gives them a proxy; the agent takes the
attendance and opens a vote; the members vote live (one of them on a phone-sized screen, for
themself and by proxy); the agent closes the vote, declares the meeting held, writes and
publishes the minutes, which the member then reads with the attendance and the votes by name.

Each person uses their own browser context, as on their own computer or phone. The e-mail is
read from the server's outbox table, as its recipient would open their mail.
"""

from __future__ import annotations

import re
import sqlite3
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.e2e.conftest import SERVER_LOG, _save_artifacts, chromium_missing_reason

if chromium_missing_reason():
    pytest.skip(chromium_missing_reason(), allow_module_level=True)

from playwright.sync_api import Page, expect  # noqa: E402

from app.demo import DEMO_PASSWORD, DOMAIN  # noqa: E402
from app.organisations.services import slugify  # noqa: E402
from tests.e2e.helpers import menu

pytestmark = pytest.mark.browser

ADMIN = f"admin@{DOMAIN}"
BODY = "Groupe de travail mobilités"
TITLE = "Séance sur le covoiturage domicile-travail"
VENUE = "Salle des fêtes, place de la Mairie"
ITEM = "Aires de covoiturage le long de la RD 58"
OPINION = "Le groupe de travail émet un avis favorable aux trois aires de covoiturage proposées."
MINUTES = "La séance est ouverte à 18 h. Le groupe examine le schéma des aires de covoiturage."
# Three of the eight members of the demo's working group (the first mayors by commune name).
COMMUNE_A, COMMUNE_B, COMMUNE_C = "Acheville", "Angres", "Annay"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def _mayor(commune: str) -> str:
    return f"Maire de {commune}"


def _mayor_email(commune: str) -> str:
    return f"maire.{slugify(commune).replace('-', '')}@{DOMAIN}"


def _log_in(page: Page, email: str) -> None:
    page.goto("/login")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter", exact=True).click()
    expect(page.get_by_role("button", name="Se déconnecter", include_hidden=True)).to_have_count(1)


def _menu(page: Page, name: str) -> None:
    menu(page, name)


def _flash(page: Page, text: str) -> None:
    expect(page.locator(".flashes").get_by_role("status")).to_have_text(text)


def _row(table, name: str):
    """The row of the table whose cell is exactly `name` (a member's name)."""
    return table.locator("tbody tr").filter(
        has=table.page.get_by_role("cell", name=name, exact=True)
    )


def _fits_the_screen(page: Page) -> None:
    """No sideways scrolling: the page is no wider than the viewport."""
    width = page.viewport_size["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url


def _acknowledgement_link(database: Path, email: str) -> str:
    """The link of the convocation e-mail sent to `email`, as its recipient reads it."""
    subject = f"Convocation : {BODY} — {TITLE}"
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as connection:
        row = connection.execute(
            "SELECT body_text FROM mail_outbox WHERE to_address = ? AND subject = ?"
            " ORDER BY id DESC LIMIT 1",
            (email, subject),
        ).fetchone()
    assert row is not None, f"no convocation e-mail to {email}"
    found = re.search(r"https?://\S+/mes-instances/convocations/\S+", row[0])
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

    def open_(person: str, viewport: dict = DESKTOP) -> Page:
        context = browser.new_context(base_url=live_server, locale="fr-FR", viewport=viewport)
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


def test_admin_convenes_members_acknowledge_give_a_proxy_vote_live_and_minutes_are_published(
    page, open_browser, outbox_database
):
    admin = page
    a_name, b_name, c_name = _mayor(COMMUNE_A), _mayor(COMMUNE_B), _mayor(COMMUNE_C)
    day: date = datetime.now(ZoneInfo("Europe/Paris")).date() + timedelta(days=5)

    # 1. The admin creates a meeting of the working group, with an item to vote on, and
    #    convenes its members.
    _log_in(admin, ADMIN)
    _menu(admin, "Instances")
    expect(admin.get_by_role("heading", level=1)).to_have_text("Instances")
    admin.get_by_role("link", name=BODY, exact=True).click()
    expect(admin.get_by_role("heading", level=1)).to_have_text(BODY)
    member_rows = admin.get_by_role("table", name="Membres", exact=True).locator("tbody tr")
    expect(member_rows).to_have_count(8)
    members = [text.strip() for text in member_rows.locator("td:first-child").all_inner_texts()]
    assert {a_name, b_name, c_name} <= set(members), members
    others = [name for name in members if name not in (a_name, c_name)]

    admin.get_by_role("link", name="Nouvelle séance").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text(f"Nouvelle séance — {BODY}")
    suggestion = admin.get_by_text(re.compile(r"^Commune suggérée \(à tour de rôle\) : "))
    host = re.sub(r"^.* : (.*)\.$", r"\1", suggestion.inner_text().strip())
    expect(admin.get_by_label("Commune d'accueil").locator("option:checked")).to_have_text(host)
    admin.get_by_label("Intitulé").fill(TITLE)
    admin.get_by_label("Date").fill(day.isoformat())
    admin.get_by_label("Heure de début").fill("18:00")
    admin.get_by_label("Heure de fin").fill("20:00")
    admin.get_by_label("Salle et adresse").fill(VENUE)
    admin.get_by_role("button", name="Enregistrer la séance").click()
    _flash(admin, "Séance créée : composez son ordre du jour, puis convoquez.")
    expect(admin.get_by_role("heading", level=1)).to_have_text(f"{BODY} — {TITLE}")
    facts = admin.locator("dl.facts")
    expect(facts).to_contain_text(host)
    expect(facts).to_contain_text(VENUE)
    expect(facts).to_contain_text("En préparation")

    admin.get_by_label("Intitulé du point").fill(ITEM)
    admin.get_by_label("Ce point appelle un vote (avis formel)").check()
    admin.get_by_label("Texte de l'avis soumis au vote").fill(OPINION)
    admin.get_by_role("button", name="Ajouter le point").click()
    _flash(admin, "Point ajouté à l'ordre du jour.")
    item = admin.get_by_role("region", name=f"1. {ITEM}")
    expect(item).to_contain_text("Vote prévu")
    expect(item).to_contain_text(OPINION)

    admin.locator("summary", has_text="Convoquer les membres").click()  # two-step confirmation
    admin.get_by_role("button", name="Convoquer les membres").click()
    _flash(admin, "Convocations envoyées aux 8 membres.")
    expect(facts).to_contain_text("Convoquée — convoquée le")
    expect(admin.get_by_role("button", name="Convoquer les membres")).to_have_count(0)
    expect(admin.locator("#convocations + p")).to_contain_text(
        "0 accusé de réception sur 8 convocations."
    )

    # 2. Member A, not logged in, opens the link of their convocation e-mail and confirms,
    #    on their phone.
    member_a = open_browser("member-a", viewport=PHONE)
    member_a.goto(_acknowledgement_link(outbox_database, _mayor_email(COMMUNE_A)))
    expect(member_a.get_by_role("heading", level=1)).to_have_text(f"Convocation : {BODY}")
    expect(
        member_a.get_by_text(f"{a_name}, vous êtes convoqué(e) à la séance « {TITLE} »")
    ).to_be_visible()
    expect(member_a.get_by_role("listitem").filter(has_text=ITEM)).to_be_visible()
    member_a.get_by_role("button", name="J'accuse réception de la convocation").click()
    _flash(member_a, "Réception de la convocation confirmée. Merci.")
    expect(member_a.get_by_text(re.compile(r"^Réception confirmée le "))).to_be_visible()
    expect(member_a.get_by_role("button", name="J'accuse réception")).to_have_count(0)
    _fits_the_screen(member_a)

    # 3. Member B logs in, acknowledges in the platform and gives a proxy to member A.
    member_b = open_browser("member-b")
    _log_in(member_b, _mayor_email(COMMUNE_B))
    _menu(member_b, "Mes instances")
    expect(member_b.get_by_role("heading", level=1)).to_have_text("Mes instances")
    convocation = member_b.get_by_role("row").filter(has_text=TITLE)
    expect(convocation).to_contain_text("à confirmer")
    convocation.get_by_role("link", name=TITLE).click()
    expect(member_b.get_by_role("heading", level=1)).to_have_text(f"{BODY} — {TITLE}")
    expect(
        member_b.get_by_text("Vous n'avez pas encore accusé réception de cette convocation.")
    ).to_be_visible()
    member_b.get_by_role("button", name="J'accuse réception de la convocation").click()
    _flash(member_b, "Réception de la convocation confirmée. Merci.")
    expect(member_b.get_by_text(re.compile(r"^Réception confirmée le "))).to_be_visible()

    member_b.get_by_role(
        "radio", name="Je serai absent(e) et je donne pouvoir à un autre membre"
    ).check()
    member_b.get_by_label("Membre à qui vous donnez pouvoir").select_option(
        label=f"{a_name} — {COMMUNE_A}"
    )
    member_b.get_by_role("button", name="Enregistrer ma réponse").click()
    _flash(member_b, f"Votre pouvoir est donné à {a_name}. Merci.")
    expect(
        member_b.get_by_text(f"Votre réponse : représenté(e) — pouvoir donné à {a_name}")
    ).to_be_visible()
    expect(
        member_b.get_by_role(
            "radio", name="Je serai absent(e) et je donne pouvoir à un autre membre"
        )
    ).to_be_checked()

    # 4. The admin sees the receipts and the proxy, takes the attendance, opens the vote.
    admin.reload()
    expect(admin.locator("#convocations + p")).to_contain_text(
        "2 accusés de réception sur 8 convocations."
    )
    b_convocation = _row(admin.get_by_role("table", name="Convocations"), b_name)
    expect(b_convocation).to_contain_text("Représenté(e)")
    expect(b_convocation.get_by_role("cell").nth(4)).to_have_text(a_name)

    admin.get_by_role("link", name="Présences, quorum et votes").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text("Présences, quorum et votes")
    attendance = admin.get_by_role("table", name="Présences des membres")
    expect(_row(attendance, b_name)).to_contain_text(f"pouvoir à {a_name}")
    expect(_row(attendance, a_name)).to_contain_text(f"détient le pouvoir de {b_name}")
    admin.get_by_role("checkbox", name=a_name, exact=True).check()
    admin.get_by_role("checkbox", name=c_name, exact=True).check()
    admin.get_by_role("button", name="Enregistrer les présences cochées").click()
    _flash(admin, "Présences enregistrées.")
    for name in others:
        admin.get_by_role("button", name=f"Absent — {name}", exact=True).click()
        _flash(admin, "Présences enregistrées.")
        expect(_row(attendance, name).get_by_role("cell").nth(5)).to_have_text("absent(e)")
    for name in (a_name, c_name):
        row = _row(attendance, name)
        expect(row.get_by_role("cell").nth(5)).to_have_text("présent(e)")
        expect(row.get_by_role("checkbox")).to_be_checked()
    expect(admin.locator("#quorum")).to_have_text(
        "Pas de quorum pour cette instance : 2 présents + 1 représentés sur 8."
    )

    vote_panel = admin.get_by_role("region", name=f"1. {ITEM}")
    vote_panel.get_by_role("button", name="Ouvrir le vote").click()
    _flash(admin, f"Vote ouvert sur le point « {ITEM} ».")
    expect(vote_panel).to_contain_text("Vote ouvert")

    # 5. Member A logs in on their phone and votes for themself and, by proxy, for member B;
    #    member C votes on a computer.
    _log_in(member_a, _mayor_email(COMMUNE_A))
    _menu(member_a, "Mes instances")
    member_a.get_by_role("row").filter(has_text=TITLE).get_by_role("link", name=TITLE).click()
    expect(member_a.get_by_role("heading", level=1)).to_have_text(f"{BODY} — {TITLE}")
    expect(
        member_a.get_by_text(
            f"Vous détenez le pouvoir de {b_name} : vous votez pour ce membre s'il est absent."
        )
    ).to_be_visible()
    expect(member_a.get_by_role("heading", name="Vote en cours")).to_be_visible()
    own = member_a.locator("form").filter(
        has=member_a.get_by_role("group", name="Votre vote", exact=True)
    )
    proxy_legend = f"Vote pour {b_name} ({COMMUNE_B}), qui vous a donné pouvoir"
    proxy = member_a.locator("form").filter(
        has=member_a.get_by_role("group", name=proxy_legend, exact=True)
    )
    _fits_the_screen(member_a)
    for form in (own, proxy):
        form.get_by_role("button").scroll_into_view_if_needed()
        expect(form.get_by_role("button")).to_be_in_viewport()
        box = form.get_by_role("button").bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]

    own.get_by_role("radio", name="Pour", exact=True).check()
    own.get_by_role("button", name="Voter", exact=True).click()
    _flash(member_a, "Vote enregistré.")
    expect(member_a.get_by_role("status").filter(has_text="Vote enregistré : Pour")).to_be_visible()

    proxy.get_by_role("radio", name="Contre", exact=True).check()
    proxy.get_by_role("button", name=f"Voter pour {b_name}").click()
    _flash(member_a, f"Vote enregistré pour {b_name}, par pouvoir.")
    expect(
        member_a.get_by_role("status").filter(
            has_text=f"Vote enregistré pour {b_name} ({COMMUNE_B}) (par pouvoir) : Contre"
        )
    ).to_be_visible()
    expect(member_a.get_by_role("button", name=re.compile(r"^Voter"))).to_have_count(0)
    _fits_the_screen(member_a)

    member_c = open_browser("member-c")
    _log_in(member_c, _mayor_email(COMMUNE_C))
    _menu(member_c, "Mes instances")
    member_c.get_by_role("row").filter(has_text=TITLE).get_by_role("link", name=TITLE).click()
    member_c.get_by_role("group", name="Votre vote", exact=True).get_by_role(
        "radio", name="Pour", exact=True
    ).check()
    member_c.get_by_role("button", name="Voter", exact=True).click()
    _flash(member_c, "Vote enregistré.")
    expect(member_c.get_by_role("status").filter(has_text="Vote enregistré : Pour")).to_be_visible()

    # 6. The admin closes the vote, declares the meeting held, writes and publishes the minutes.
    admin.get_by_role("link", name="Actualiser").click()
    vote_panel.get_by_role("button", name="Clore le vote").click()
    _flash(admin, "Avis adopté : 2 pour, 1 contre, 0 abstentions.")
    expect(vote_panel).to_contain_text("Vote clos")
    expect(vote_panel).to_contain_text("avis adopté")
    expect(vote_panel).to_contain_text(
        "pour : 2, contre : 1, abstentions : 0, ne prennent pas part au vote : 0"
    )

    admin.get_by_role("button", name="Déclarer la séance tenue").click()
    expect(admin).to_have_url(re.compile(r"/proces-verbal$"))
    _flash(admin, "Séance déclarée tenue : le procès-verbal peut être rédigé.")
    expect(admin.get_by_role("heading", level=1)).to_have_text("Procès-verbal")
    admin.get_by_label("Compte rendu des débats").fill(MINUTES)
    admin.get_by_role("button", name="Enregistrer le procès-verbal").click()
    _flash(admin, "Procès-verbal enregistré.")
    expect(admin.get_by_role("heading", name="Aperçu du compte rendu")).to_be_visible()
    admin.get_by_label("Publier aussi pour le public").check()
    admin.get_by_role("button", name="Publier le procès-verbal").click()
    _flash(admin, "Procès-verbal publié : les membres en sont informés par e-mail.")
    expect(
        admin.get_by_text(re.compile(r"^Publié le .* aux membres et au public\.$"))
    ).to_be_visible()

    # Member A reads the minutes: the attendance, the proxy, the vote by name.
    member_a.reload()
    expect(member_a.locator("dl.facts")).to_contain_text("procès-verbal publié", ignore_case=True)
    expect(member_a.get_by_role("main")).to_contain_text(
        "Avis adopté — pour : 2, contre : 1, abstentions : 0, ne prennent pas part au vote : 0"
    )
    member_a.get_by_role("link", name="Lire le procès-verbal").click()
    expect(member_a.get_by_role("heading", level=1)).to_have_text(
        f"Procès-verbal : {BODY} — {TITLE}"
    )
    expect(member_a.get_by_role("region", name="Compte rendu")).to_have_text(MINUTES)
    presence = member_a.get_by_role("region", name="Présences")
    expect(presence).to_contain_text("Présents : 2 — représentés : 1 — absents : 5, sur 8 membres.")
    expect(presence.locator("h3:text-is('Présents') + p")).to_have_text(
        f"{a_name} ({COMMUNE_A}), {c_name} ({COMMUNE_C})"
    )
    expect(presence.locator("h3:text-is('Représentés') + p")).to_have_text(
        f"{b_name} ({COMMUNE_B}), pouvoir à {a_name}"
    )
    votes = member_a.get_by_role("region", name="Avis et votes")
    expect(votes.get_by_role("heading", name=f"1. {ITEM}")).to_be_visible()
    expect(votes).to_contain_text(OPINION)
    expect(votes).to_contain_text("Avis adopté")
    by_name = votes.get_by_role("table", name="Votes par membre").locator("tbody tr")
    expect(by_name).to_have_count(3)
    for index, (member, choice) in enumerate(
        [
            (f"{a_name} ({COMMUNE_A})", "Pour"),
            (f"{b_name} ({COMMUNE_B}) (par pouvoir)", "Contre"),
            (f"{c_name} ({COMMUNE_C})", "Pour"),
        ]
    ):
        expect(by_name.nth(index).get_by_role("cell")).to_have_text([member, choice])
    _fits_the_screen(member_a)

    # Published for the public too: readable without logging in.
    visitor = open_browser("visitor")
    visitor.goto(member_a.url)
    expect(visitor.get_by_role("heading", level=1)).to_have_text(
        f"Procès-verbal : {BODY} — {TITLE}"
    )
    expect(
        visitor.get_by_role("navigation", name="Menu principal").get_by_role(
            "link", name="Se connecter"
        )
    ).to_be_visible()
