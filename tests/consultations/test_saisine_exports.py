"""Exports of a saisine's answers (CSV, XLSX) and its printable synthesis (PDF)."""

from __future__ import annotations

import base64
import csv
import io
import re
import zlib
from datetime import timedelta
from decimal import Decimal

import pytest
from flask import current_app
from flask_babel import force_locale
from openpyxl import load_workbook

from app.db import db, utcnow
from app.organisations.models import Sector
from app.organisations.queries import commune_by_insee
from app.organisations.services import add_host
from app.uploads.models import StoredFile
from app.users.models import Role
from consultations.saisines import exports, queries, rules, services
from consultations.saisines.models import Opinion
from tests import factories

QUESTIONS = [
    {"label": "Nombre de logements", "type": "integer", "unit": "logements", "required": True},
    {"label": "Commentaire", "type": "long_text"},
]
ACCENTS = "é à ç œ ’ «»"
MOTIVATION = f"Le projet réduit la zone d’activité « Les Prés » : {ACCENTS}."
LIEVIN, LENS = "62510", "62498"
FIXED_COLUMNS = 11  # commune ... number of versions, for a saisine that asks an opinion


@pytest.fixture(autouse=True)
def _french(_clean_database):
    """The builders run in an application context with a locale, as in a command."""
    with force_locale("fr"):
        yield


@pytest.fixture
def admin(org):
    return factories.user(org, Role.ADMIN, name="Agent EPCI")


def _saisine(org, **options):
    options.setdefault("questions", QUESTIONS)
    options.setdefault("kind", "both")
    return factories.saisine(org, **options)


def _answer(
    org,
    saisine,
    insee,
    opinion=Opinion.FAVORABLE,
    motivation="",
    answers=None,
    *,
    name=None,
    files=(),
    signer=None,
):
    commune = commune_by_insee(org, insee)
    signer = signer or factories.user(org, Role.MAYOR, commune=insee, name=name)
    data = services.ResponseData(
        opinion=opinion,
        motivation=motivation,
        answers={"nombre_de_logements": 12} if answers is None else answers,
        new_files=list(files),
        removed_attachment_ids=[],
    )
    with current_app.test_request_context():
        services.submit_response(signer, saisine, commune, data, None, utcnow(), "mayor")
    db.session.commit()
    return signer


def _stored(org, name):
    stored = StoredFile(
        organisation_id=org.id,
        original_name=name,
        storage_key=f"test/{name}",
        content_type="application/pdf",
        size=10,
        sha256="0" * 64,
    )
    db.session.add(stored)
    db.session.flush()
    return stored


def _table(saisine):
    return exports.answer_table(saisine, queries.dashboard(saisine, utcnow()))


def _by_commune(headers, rows):
    return {row[0]: dict(zip(headers, row, strict=True)) for row in rows}


def _csv_rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))


def _unescape(raw: bytes) -> bytes:
    simple = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}

    def one(match):
        token = match.group(1)
        if token[:1].isdigit():
            return bytes([int(token, 8)])
        return simple.get(token, token)

    return re.sub(rb"\\([0-7]{1,3}|.)", one, raw, flags=re.S)


def pdf_lines(content: bytes) -> str:
    """The text drawn by the PDF, one line per text operator (reportlab's WinAnsi fonts)."""
    streams = []
    for stream in re.findall(rb"stream\r?\n(.*?)endstream", content, re.S):
        stream = stream.strip()
        if stream.endswith(b"~>"):  # reportlab compresses pages with ASCII85 over Flate
            stream = zlib.decompress(base64.a85decode(stream[:-2]))
        streams.append(stream)
    strings = re.findall(rb"\(((?:\\.|[^\\)])*)\)\s*Tj", b"\n".join(streams), re.S)
    return "\n".join(_unescape(s).decode("cp1252") for s in strings)


def _pdf(saisine, org):
    rows = queries.dashboard(saisine, utcnow())
    tally, sectors = rules.tallies(rows, "Sans secteur")
    return exports.synthesis_pdf(saisine, rows, tally, sectors, org.name)


# --- the answer table and the CSV ---------------------------------------------------------


def test_csv_has_one_row_per_target_commune_and_one_column_per_question(org):
    saisine = _saisine(org)
    _answer(org, saisine, LIEVIN, Opinion.UNFAVORABLE, MOTIVATION, {"nombre_de_logements": 12})

    content = exports.to_csv(*_table(saisine))

    assert content.startswith(b"\xef\xbb\xbf")
    assert content.decode("utf-8-sig").splitlines()[0].count(";") > 10
    header, *rows = _csv_rows(content)
    assert len(rows) == len(org.communes) == 36
    assert header[FIXED_COLUMNS:] == [
        "Nombre de logements (logements)",
        "Commentaire",
        "Pièces jointes générales",
    ]
    lievin = _by_commune(header, rows)["Liévin"]
    assert lievin["Code INSEE"] == LIEVIN
    assert lievin["Avis"] == "Défavorable"
    assert lievin["Motivation"] == MOTIVATION
    assert lievin["Nombre de logements (logements)"] == "12"
    assert lievin["Statut"] == "Réponse transmise"
    assert lievin["Signé en qualité de"] == "Maire"
    assert lievin["Nombre de versions"] == "1"
    assert re.fullmatch(r"\d\d/\d\d/\d{4} \d\d:\d\d", lievin["Transmise le (heure de Paris)"])
    lens = _by_commune(header, rows)["Lens"]
    assert lens["Avis"] == lens["Nombre de logements (logements)"] == ""
    assert lens["Population"] == str(commune_by_insee(org, LENS).population)


def test_csv_quotes_cells_with_separators_quotes_and_line_breaks(org):
    saisine = _saisine(org)
    tricky = 'Point 1 ; "réserve"\nPoint 2'
    _answer(org, saisine, LIEVIN, Opinion.FAVORABLE_WITH_RESERVATIONS, tricky)

    header, *rows = _csv_rows(exports.to_csv(*_table(saisine)))

    assert _by_commune(header, rows)["Liévin"]["Motivation"] == tricky
    assert len(rows) == 36


def test_export_cells_that_look_like_formulas_stay_text(org):
    saisine = _saisine(org)
    formula = '=HYPERLINK("http://example.com","clic")'
    _answer(org, saisine, LIEVIN, answers={"nombre_de_logements": 3, "commentaire": formula})
    headers, rows = _table(saisine)

    header, *csv_rows = _csv_rows(exports.to_csv(headers, rows))
    assert _by_commune(header, csv_rows)["Liévin"]["Commentaire"] == "'" + formula
    sheet = load_workbook(io.BytesIO(exports.to_xlsx(headers, rows, "t")))["Réponses"]
    cells = [c for c in sheet[2 + [r[0] for r in rows].index("Liévin")] if c.value == formula]
    assert cells and cells[0].data_type == "s"


def test_tacit_opinions_are_labelled_as_such(org):
    saisine = _saisine(org, silence="favourable")
    _answer(org, saisine, LIEVIN, Opinion.UNFAVORABLE, MOTIVATION)
    saisine.deadline = utcnow() - timedelta(minutes=1)
    services.close_saisine(saisine, utcnow())
    db.session.commit()

    table = _by_commune(*_table(saisine))

    assert table["Lens"]["Avis"] == "Favorable (avis tacite)"
    assert table["Lens"]["Statut"] == "Avis tacite"
    assert table["Liévin"]["Avis"] == "Défavorable"
    text = pdf_lines(_pdf(saisine, org))
    assert "Ces chiffres comprennent 35 avis tacites." in text
    assert re.search(r"\nLens\n62498\n32.697\nFavorable \(avis tacite\)\n", text)


def test_answers_to_an_older_questionnaire_line_up_with_the_current_questions(org, admin):
    saisine = _saisine(org)
    _answer(org, saisine, LIEVIN, answers={"nombre_de_logements": 40, "commentaire": "Ancien"})
    services.new_questionnaire_version(admin, saisine)
    renamed = next(q for q in saisine.current_questions if q.key == "nombre_de_logements")
    services.update_question(
        admin, renamed, label="Logements prévus", type=renamed.type, required=True, unit="lgts"
    )
    db.session.commit()

    headers, rows = _table(saisine)

    assert "Logements prévus (lgts)" in headers and "Nombre de logements (logements)" not in headers
    lievin = _by_commune(headers, rows)["Liévin"]
    assert lievin["Logements prévus (lgts)"] == 40
    assert lievin["Commentaire"] == "Ancien"


def test_file_answers_show_the_names_of_the_attached_files(org):
    questions = [*QUESTIONS, {"label": "Plan", "type": "file"}]
    saisine = _saisine(org, questions=questions)
    files = [(None, _stored(org, "délibération.pdf")), ("plan", _stored(org, "plan.pdf"))]
    _answer(org, saisine, LIEVIN, files=files)

    lievin = _by_commune(*_table(saisine))["Liévin"]

    assert lievin["Plan"] == "plan.pdf"
    assert lievin["Pièces jointes générales"] == "délibération.pdf"


def test_amendments_are_counted_and_drafts_are_not_exported_as_answers(org):
    saisine = _saisine(org)
    mayor = _answer(org, saisine, LIEVIN, answers={"nombre_de_logements": 1})
    _answer(org, saisine, LIEVIN, answers={"nombre_de_logements": 2}, signer=mayor)
    staff = factories.user(org, Role.COMMUNE_STAFF, commune=LENS)
    draft = services.ResponseData(Opinion.FAVORABLE, "", {"nombre_de_logements": 9}, [], [])
    services.save_draft(staff, saisine, commune_by_insee(org, LENS), draft, None)
    db.session.commit()

    table = _by_commune(*_table(saisine))

    assert table["Liévin"]["Nombre de versions"] == 2
    assert table["Liévin"]["Nombre de logements (logements)"] == 2
    assert table["Lens"]["Statut"] == "Brouillon en cours"
    assert table["Lens"]["Nombre de logements (logements)"] == ""
    assert table["Lens"]["Avis"] == ""


def test_a_data_collection_has_no_opinion_columns(org):
    saisine = _saisine(org, kind="data")
    _answer(org, saisine, LIEVIN, opinion=None)

    headers, rows = _table(saisine)

    assert "Avis" not in headers and "Motivation" not in headers
    assert _by_commune(headers, rows)["Liévin"]["Nombre de logements (logements)"] == 12


def test_communes_come_in_alphabetical_order_accents_aside(org):
    names = [row[0] for row in _table(_saisine(org))[1]]

    assert names.index("Éleu-dit-Leauwette") < names.index("Estevelles")
    assert names[0] == "Ablain-Saint-Nazaire" and names[-1] == "Wingles"


# --- XLSX ---------------------------------------------------------------------------------


def test_xlsx_has_the_same_rows_with_numbers_as_numbers_and_a_synthesis_sheet(org):
    saisine = _saisine(org)
    decimal = {"label": "Surface", "type": "decimal", "unit": "m²"}
    services.add_question(factories.user(org, Role.ADMIN), saisine, **decimal, required=False)
    db.session.commit()
    answers = {"nombre_de_logements": 12, "surface": "1250.5"}
    _answer(org, saisine, LIEVIN, Opinion.UNFAVORABLE, MOTIVATION, answers)
    headers, rows = _table(saisine)
    tally, _sectors = rules.tallies(queries.dashboard(saisine, utcnow()), "Sans secteur")

    content = exports.to_xlsx(headers, rows, "Saisine", exports.synthesis_table(saisine, tally))

    book = load_workbook(io.BytesIO(content))
    sheet = book["Réponses"]
    values = list(sheet.values)
    assert list(values[0]) == headers and len(values) == 1 + 36
    assert sheet.freeze_panes == "A2" and sheet["A1"].font.bold
    lievin = _by_commune(list(values[0]), [list(v) for v in values[1:]])["Liévin"]
    assert lievin["Population"] == commune_by_insee(org, LIEVIN).population
    assert lievin["Nombre de logements (logements)"] == 12
    assert lievin["Surface (m²)"] == pytest.approx(1250.5)
    assert lievin["Motivation"] == MOTIVATION
    summary = {row[0]: row[1:] for row in book["Synthèse"].values if row[0]}
    assert summary["Communes consultées"][0] == 36
    assert summary["Réponses transmises"][0] == 1
    assert summary["Défavorable"][0] == 1
    assert summary["Défavorable"][2] == commune_by_insee(org, LIEVIN).population


def test_csv_writes_decimals_with_a_comma(org):
    saisine = _saisine(org, questions=[{"label": "Surface", "type": "decimal", "unit": "m²"}])
    _answer(org, saisine, LIEVIN, answers={"surface": "1250.5"})

    header, *rows = _csv_rows(exports.to_csv(*_table(saisine)))

    assert _by_commune(header, rows)["Liévin"]["Surface (m²)"] == "1250,5"
    assert Decimal("1250.5") in _by_commune(*_table(saisine))["Liévin"].values()


def test_decimal_answers_in_exponent_form_are_exported_as_plain_numbers(org):
    # the questionnaire's parser stores "1000" as "1E+3" (Decimal.normalize)
    saisine = _saisine(org, questions=[{"label": "Surface", "type": "decimal", "unit": "m²"}])
    _answer(org, saisine, LIEVIN, answers={"surface": "1E+3"})
    _answer(org, saisine, LENS, answers={"surface": "1E+400"})
    headers, rows = _table(saisine)

    table = _by_commune(headers, rows)
    assert table["Liévin"]["Surface (m²)"] == 1000
    assert table["Lens"]["Surface (m²)"] == "1E+400 m²"  # beyond a spreadsheet's precision
    header, *csv_rows = _csv_rows(exports.to_csv(headers, rows))
    assert _by_commune(header, csv_rows)["Liévin"]["Surface (m²)"] == "1000"


# --- PDF ----------------------------------------------------------------------------------


def test_synthesis_pdf_lists_opinions_with_motivations_and_silent_communes(org):
    saisine = _saisine(org, reference="2026-PLUi-03")
    lievin = commune_by_insee(org, LIEVIN)
    sector = Sector(organisation_id=org.id, name="Secteur de Liévin")
    db.session.add(sector)
    db.session.flush()
    lievin.sector_id = sector.id
    db.session.commit()
    _answer(org, saisine, LIEVIN, Opinion.UNFAVORABLE, MOTIVATION, name="Laurent Duporge")
    _answer(org, saisine, LENS, Opinion.FAVORABLE, "Accord du conseil municipal.")

    content = _pdf(saisine, org)

    assert content.startswith(b"%PDF")
    text = pdf_lines(content)
    assert "Liévin : Défavorable" in text and "Lens : Favorable" in text
    assert MOTIVATION in text and "Accord du conseil municipal." in text
    assert "Laurent Duporge" in text
    assert "2026-PLUi-03" in text and "Article L153-15 du code de l'urbanisme" in text
    assert "Secteur de Liévin" in text and "Sans secteur" in text
    assert "Avion" in text and "Ablain-Saint-Nazaire" in text  # did not answer
    silent = text.split("Communes n'ayant pas répondu")[-1].splitlines()
    assert "Avion" in silent and "Liévin" not in silent
    assert re.search(r"Page 1 sur \d+", text)


def test_synthesis_pdf_survives_characters_its_font_cannot_draw_and_markup(org):
    saisine = _saisine(org)
    motivation = "Surface ≥ 2 ha, <b>non</b> & 中 😀 \x07 fin"
    _answer(org, saisine, LIEVIN, Opinion.UNFAVORABLE, motivation)

    text = pdf_lines(_pdf(saisine, org))

    # reportlab draws the escaped markup as separate pieces of one line
    assert "Surface >= 2 ha, <b>non</b> & ? ? fin" in text.replace("\n", "")


def test_synthesis_pdf_of_a_long_motivation_runs_over_several_pages(org):
    saisine = _saisine(org)
    _answer(org, saisine, LIEVIN, Opinion.UNFAVORABLE, "Une réserve détaillée. " * 1500)

    text = pdf_lines(_pdf(saisine, org))

    assert re.search(r"Page 4 sur (\d+)", text)
    assert "Avion" in text.split("Communes n'ayant pas répondu")[-1]


# --- routes -------------------------------------------------------------------------------

URLS = {
    "export.csv": "text/csv; charset=utf-8",
    "export.xlsx": exports.XLSX_MIMETYPE,
    "synthese.pdf": "application/pdf",
}


@pytest.mark.parametrize(("name", "mimetype"), URLS.items())
def test_admin_downloads_the_exports_as_attachments(client, org, admin, login, name, mimetype):
    saisine = _saisine(org, reference="2026-PLUi/03 Été")
    _answer(org, saisine, LIEVIN, Opinion.UNFAVORABLE, MOTIVATION)
    login(client, admin)

    response = client.get(f"/concertation/saisines/{saisine.id}/{name}")

    assert response.status_code == 200
    assert response.headers["Content-Type"] == mimetype
    stem, suffix = name.split(".")
    kind = "synthese" if stem == "synthese" else "reponses"
    expected = f"attachment; filename=saisine-2026-plui-03-ete-{kind}.{suffix}"
    assert response.headers["Content-Disposition"] == expected
    assert "no-store" in response.headers["Cache-Control"]
    if suffix == "pdf":
        assert MOTIVATION in pdf_lines(response.data)
    elif suffix == "xlsx":
        assert load_workbook(io.BytesIO(response.data))["Réponses"].max_row == 37
    else:
        assert MOTIVATION in response.data.decode("utf-8-sig")


@pytest.mark.parametrize("name", URLS)
def test_exports_are_refused_to_a_mayor_and_ask_anonymous_people_to_log_in(
    client, org, login, name
):
    saisine = _saisine(org)
    url = f"/concertation/saisines/{saisine.id}/{name}"

    anonymous = client.get(url)
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    login(client, factories.user(org, Role.MAYOR, commune=LIEVIN))
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("name", URLS)
def test_exports_of_another_organisations_saisine_are_not_found(
    client, org, other_org, admin, login, name
):
    add_host(org, "localhost")
    db.session.commit()
    theirs = _saisine(other_org)
    login(client, admin)

    assert client.get(f"/concertation/saisines/{theirs.id}/{name}").status_code == 404
    ours = _saisine(org)
    assert client.get(f"/concertation/saisines/{ours.id}/{name}").status_code == 200


def test_csv_export_costs_the_same_queries_for_36_or_92_communes(client, org, login, count_queries):
    add_host(org, "localhost")
    db.session.commit()
    amp = factories.organisation("200054807", host="amp.test")
    counts = {}
    for place, host in ((org, "localhost"), (amp, "amp.test")):
        saisine = _saisine(place)
        for commune in place.communes[:2]:
            files = [(None, _stored(place, f"deliberation-{commune.insee_code}.pdf"))]
            _answer(place, saisine, commune.insee_code, Opinion.UNFAVORABLE, "Non.", files=files)
        login(client, factories.user(place, Role.ADMIN), host=host)
        url = f"/concertation/saisines/{saisine.id}/export.csv"
        client.get(url, base_url=f"http://{host}")  # warm up: caches filled once per process
        db.session.expire_all()
        with count_queries() as counter:
            response = client.get(url, base_url=f"http://{host}")
        assert response.status_code == 200
        assert len(_csv_rows(response.data)) == 1 + len(saisine.targets)
        counts[len(saisine.targets)] = counter.count

    assert list(counts) == [36, 92]
    assert counts[36] == counts[92]
