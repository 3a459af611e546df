"""The organisation's visual identity: the admin's page, the logo and colours served, the rules."""

import io

import pytest
from sqlalchemy import select

from app.db import db
from app.organisations import services as org_services
from app.organisations.models import Branding
from app.organisations.rules import contrast_ratio, darker, readable_on_white, relative_luminance
from app.users.models import Role
from tests import factories

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00"
    b"\x00\x00IEND\xaeB`\x82"
)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64
URL = "/territoire/identite"


@pytest.fixture
def admin(org):
    return factories.user(org, Role.ADMIN, name="Agent EPCI")


def _post(client, **fields):
    data = {"display_name": "", "accent_colour": "", **fields}
    return client.post(URL, data=data, content_type="multipart/form-data")


def _branding(org):
    db.session.expire_all()
    return db.session.scalar(select(Branding).where(Branding.organisation_id == org.id))


# --- the pure rules ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        ("#000000", "#ffffff", 21.0),
        ("#ffffff", "#ffffff", 1.0),
        ("#000091", "#ffffff", 14.91),
        ("#767676", "#ffffff", 4.54),
        ("#777777", "#ffffff", 4.48),
        ("#ffffff", "#000091", 14.91),
    ],
)
def test_contrast_ratio_follows_the_wcag_formula(first, second, expected):
    assert contrast_ratio(first, second) == pytest.approx(expected, abs=0.01)


def test_relative_luminance_goes_from_black_to_white():
    assert relative_luminance("#000000") == 0
    assert relative_luminance("#FFFFFF") == pytest.approx(1)


def test_a_colour_is_readable_on_white_from_four_and_a_half_to_one():
    assert readable_on_white("#767676") and readable_on_white("#000091")
    assert not readable_on_white("#777777") and not readable_on_white("#ffcc00")


def test_a_malformed_colour_is_refused_by_the_rules():
    for value in ("000091", "#00009", "#00009g", "red", "", "#0000911"):
        with pytest.raises(ValueError):
            relative_luminance(value)


def test_the_darker_shade_keeps_the_hue_and_contrasts_more():
    assert darker("#8080ff") == "#6060bf"
    assert contrast_ratio(darker("#000091"), "#ffffff") >= contrast_ratio("#000091", "#ffffff")


# --- the admin's page ----------------------------------------------------------------------


def test_admin_saves_name_logo_and_colour_and_every_page_shows_them(client, org, admin, login):
    login(client, admin)
    assert "Identité visuelle" in client.get("/").text
    response = _post(
        client,
        display_name="Agglo de Lens-Liévin",
        accent_colour="#1F4E79",
        logo=(io.BytesIO(PNG), "logo.png"),
    )
    assert response.status_code == 302
    branding = _branding(org)
    assert branding.display_name == "Agglo de Lens-Liévin"
    assert branding.accent_colour == "#1f4e79"
    assert branding.logo.content_type == "image/png"
    page = client.get("/ami/").text
    assert f'src="/identite/logo?v={branding.logo_id}" alt="Agglo de Lens-Liévin"' in page
    assert 'href="/identite/couleurs.css?v=1f4e79"' in page
    assert "<title>" in page and "Agglo de Lens-Liévin</title>" in page


def test_admin_keeps_the_logo_when_saving_without_a_file_and_can_remove_it(
    client, org, admin, login
):
    login(client, admin)
    _post(client, accent_colour="#000091", logo=(io.BytesIO(JPEG), "logo.jpg"))
    assert _branding(org).logo.content_type == "image/jpeg"
    _post(client, display_name="Lens-Liévin")
    assert _branding(org).logo is not None and _branding(org).accent_colour is None
    _post(client, remove_logo="y")
    assert _branding(org).logo is None
    assert "/identite/logo" not in client.get("/").text


def test_low_contrast_colour_is_refused_and_what_was_typed_is_kept(client, org, admin, login):
    login(client, admin)
    response = _post(client, display_name="Agglo du Lensois", accent_colour="#ffcc00")
    assert response.status_code == 200
    assert "trop claire" in response.text and "4,5:1" in response.text
    assert 'value="Agglo du Lensois"' in response.text and 'value="#ffcc00"' in response.text
    assert 'aria-invalid="true"' in response.text
    assert _branding(org) is None


def test_malformed_colour_is_refused_with_the_expected_format(client, org, admin, login):
    login(client, admin)
    response = _post(client, accent_colour="bleu")
    assert "au format #rrggbb" in response.text and 'value="bleu"' in response.text
    assert _branding(org) is None


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF", "logo.png"),
        (b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>", "logo.svg"),
        (b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "logo.gif"),
    ],
)
def test_a_file_that_is_not_a_png_or_jpeg_is_refused(client, org, admin, login, content, name):
    login(client, admin)
    response = _post(
        client, display_name="Agglo", accent_colour="#000091", logo=(io.BytesIO(content), name)
    )
    assert response.status_code == 200
    assert "PNG ou JPEG" in response.text and 'value="Agglo"' in response.text
    assert _branding(org) is None


def test_a_logo_over_500_kilobytes_is_refused(client, org, admin, login):
    login(client, admin)
    big = PNG + b"\x00" * (500 * 1024)
    response = _post(client, logo=(io.BytesIO(big), "logo.png"))
    # the test client spools a large body to a temporary file it never closes
    response.request.environ["wsgi.input"].close()
    assert "500 ko" in response.text
    assert _branding(org) is None


@pytest.mark.parametrize(
    "role",
    [Role.MAYOR, Role.COMMUNE_STAFF, Role.VICE_PRESIDENT, Role.CITIZEN, Role.JURY_MEMBER],
)
def test_other_roles_may_not_change_the_identity(client, org, login, role):
    login(client, factories.user(org, role))
    assert client.get(URL).status_code == 403
    assert _post(client, accent_colour="#000000").status_code == 403
    assert "Identité visuelle" not in client.get("/").text
    assert _branding(org) is None


def test_anonymous_visitors_are_sent_to_the_login_page(client, org):
    response = client.get(URL)
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert _post(client, accent_colour="#000000").status_code == 302
    assert _branding(org) is None


def test_another_organisations_admin_cannot_change_it(client, org, other_org, login):
    org_services.add_host(org, "lens.test")
    db.session.commit()
    intruder = factories.user(other_org, Role.ADMIN)
    login(client, intruder, host="carcassonne.test")
    response = client.post(
        URL,
        data={"display_name": "Piraté", "accent_colour": "#000000"},
        base_url="http://lens.test",
    )
    assert response.status_code in (302, 403)
    assert _branding(org) is None
    client.post(
        URL,
        data={"display_name": "Carcassonne Agglo", "accent_colour": "#000000"},
        base_url="http://carcassonne.test",
    )
    assert _branding(org) is None and _branding(other_org).display_name == "Carcassonne Agglo"
    assert "Carcassonne Agglo" not in client.get("/", base_url="http://lens.test").text


# --- the logo and the colours, served to everyone ------------------------------------------


def test_the_logo_is_served_with_its_type_and_cache_headers(client, org, admin, login, app):
    login(client, admin)
    _post(client, logo=(io.BytesIO(PNG), "logo.png"))
    visitor = app.test_client()
    response = visitor.get("/identite/logo?v=1")
    assert response.status_code == 200
    assert response.mimetype == "image/png" and response.data == PNG
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "public" in response.cache_control and response.cache_control.max_age == 86400
    assert "attachment" not in response.headers.get("Content-Disposition", "")
    response.close()


def test_without_a_logo_the_logo_url_is_not_found(client, org):
    assert client.get("/identite/logo").status_code == 404


def test_the_colour_css_sets_the_accent_and_is_cached(client, org, admin, login, app):
    login(client, admin)
    _post(client, accent_colour="#1f4e79")
    response = app.test_client().get("/identite/couleurs.css?v=1f4e79")
    assert response.status_code == 200 and response.mimetype == "text/css"
    assert response.text == ":root { --accent: #1f4e79; --accent-dark: #173a5b; }\n"
    assert "public" in response.cache_control and response.cache_control.max_age == 86400


def test_without_a_colour_the_css_is_empty_and_the_default_applies(client, org):
    response = client.get("/identite/couleurs.css")
    assert response.status_code == 200 and response.text == ""
    assert "couleurs.css" not in client.get("/").text


def test_the_stylesheet_uses_the_accent_with_the_default_blue():
    from pathlib import Path

    css = (Path(__file__).parents[2] / "static/css/concerto.css").read_text()
    assert "var(--accent, #000091)" in css


def test_print_styles_hide_the_menu_forms_and_actions_and_keep_a_readable_measure():
    from pathlib import Path

    css = (Path(__file__).parents[2] / "static/css/print.css").read_text()
    for selector in (".site-nav", "main form", ".actions", ".actions-bar", ".back-link"):
        assert selector in css
    assert "max-width: 42em" in css
