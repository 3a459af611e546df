"""Uploads: every form with a file field, found on the pages, fuzzed with random, truncated
and misnamed files; downloads are attachments with the detected type.

Each upload form is found by reading the pages of the routes that accept GET and POST, as a
person the route lets in, so a new upload field is covered without being listed.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.db import db
from app.uploads.models import StoredFile
from tests.security.forms import forms_of
from tests.security.matrix import build_url, client_as
from tests.security.routes import ROUTES
from tests.security.test_csrf import PREFERRED
from tests.security.world import HOST, PDF

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00"
    b"\x00\x00IEND\xaeB`\x82"
)
HEADS = [
    PDF,
    PNG,
    b"PK\x03\x04",
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
    b"\xff\xd8\xff\xe0",
    b"GIF89a",
]
NASTY_NAMES = [
    "../../../../etc/passwd",
    "..\\..\\windows\\win.ini",
    "/tmp/absolu.pdf",
    "nul\x00.pdf",
    "a" * 5000 + ".pdf",
    "..",
    ".htaccess",
    "compte rendu\r\nX-Injected: 1.pdf",
    "<script>alert(1)</script>.png",
    "délibération « finale ».pdf",
    "image.png.exe",
    "",
]
EXAMPLES_PER_FORM = 12
STORED_KEY = re.compile(r"^\d+/[0-9a-f]{32}\.(pdf|docx?|odt|xlsx?|ods|pptx?|odp|png|jpg)$")

contents = st.one_of(
    st.binary(max_size=4096),
    st.builds(lambda head, cut: head[:cut], st.sampled_from(HEADS), st.integers(0, 80)),
    st.builds(lambda head, tail: head + tail, st.sampled_from(HEADS), st.binary(max_size=2048)),
    st.sampled_from([b"<svg onload=alert(1)>", b"<html><script>alert(1)</script>", PDF, PNG]),
)
names = st.one_of(st.sampled_from(NASTY_NAMES), st.text(max_size=300))


def _upload_forms(app, world):
    """(role, url of the page, form) for each form with a file field."""
    found = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda rule: rule.endpoint):
        if not {"GET", "POST"} <= rule.methods or rule.endpoint not in ROUTES:
            continue
        allowed = ROUTES[rule.endpoint].ok.split()
        role = next((r for r in PREFERRED if r in allowed and not r.endswith("_b")), None)
        if role is None or role == "anonymous":
            continue
        url = build_url(app, world, rule)
        client = client_as(app, world, role)
        page = client.get(url, base_url=f"http://{HOST}")
        if page.status_code != 200 or 'type="file"' not in page.text:
            continue
        for form in forms_of(page.text):
            if form.files:
                found.append((role, url, form))
    return found


def _files_on_disk(root: Path) -> set[Path]:
    return {path for path in root.rglob("*") if path.is_file()}


@pytest.fixture(scope="module")
def upload_forms(app, world):
    return _upload_forms(app, world)


def test_the_upload_forms_are_found(upload_forms):
    endpoints = {url for _role, url, _form in upload_forms}
    assert len(endpoints) >= 6, endpoints


def _fuzz(client, target: str, form, failures: list[str], runs: dict) -> None:
    @settings(
        max_examples=EXAMPLES_PER_FORM,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(content=contents, name=names)
    def post_a_file(content, name):
        data = {}
        for key, value in form.fields:
            data.setdefault(key, []).append(value)
        for field in form.files:
            data[field] = (io.BytesIO(content), name)
        response = client.post(target, data=data, base_url=f"http://{HOST}")
        runs["examples"] += 1
        runs["refused"] += "n'est pas accepté" in response.text or "est vide" in response.text
        if response.status_code >= 500:
            failures.append(f"{target} ({name!r}, {content[:16]!r}): {response.status_code}")

    post_a_file()


def test_random_truncated_and_misnamed_files_never_break_an_upload_form(app, world, upload_forms):
    upload_dir = Path(app.config["UPLOAD_DIR"])
    root = upload_dir.parent
    outside_before = _files_on_disk(root) - _files_on_disk(upload_dir)
    failures: list[str] = []
    runs = {"examples": 0, "refused": 0}
    stored_before = db.session.scalar(sa.select(sa.func.count(StoredFile.id)))

    for role, url, form in upload_forms:
        _fuzz(client_as(app, world, role), form.action or url, form, failures, runs)

    outside_after = _files_on_disk(root) - _files_on_disk(upload_dir)
    assert outside_after <= outside_before, outside_after - outside_before
    for path in _files_on_disk(upload_dir):
        assert STORED_KEY.match(path.relative_to(upload_dir).as_posix()), path
    for stored in db.session.scalars(sa.select(StoredFile)):
        assert STORED_KEY.match(stored.storage_key)
        assert not set(stored.original_name) & {"/", "\\", "\x00", "\r", "\n"}, stored.original_name
    with open("/tmp/security_figures_access.txt", "a") as out:
        out.write(
            f"uploads: {len(upload_forms)} upload forms, {runs['examples']} fuzz examples "
            f"posted ({runs['refused']} refused with a message), no server error\n"
        )
    assert not failures, "\n".join(failures)
    # the examples reached the checks: some files were refused, some kept
    assert runs["refused"] > 0
    assert db.session.scalar(sa.select(sa.func.count(StoredFile.id))) > stored_before


@pytest.mark.parametrize("name", NASTY_NAMES)
def test_a_kept_file_is_named_by_a_random_key_and_keeps_a_harmless_display_name(app, world, name):
    from werkzeug.datastructures import FileStorage

    from app.uploads.services import store

    with app.test_request_context():
        stored = store(FileStorage(io.BytesIO(PDF), filename=name), world.org.id, None)
        path = Path(app.config["UPLOAD_DIR"]) / stored.storage_key
        assert STORED_KEY.match(stored.storage_key) and path.read_bytes() == PDF
        assert path.resolve().is_relative_to(Path(app.config["UPLOAD_DIR"]).resolve())
        assert stored.original_name and len(stored.original_name) <= 200
        assert not set(stored.original_name) & {"/", "\\", "\x00", "\r", "\n"}
        assert stored.original_name not in (".", "..")
        db.session.rollback()


def test_a_document_is_downloaded_as_an_attachment_with_its_detected_type(app, world):
    from participation.citizen.models import ConsultationDocument

    document = db.session.get(ConsultationDocument, world.ids["citizen.document_id"])
    document.file.original_name = "Délibération n°12 « finale ».pdf"
    db.session.commit()
    client = client_as(app, world, "anonymous")
    response = client.get(
        f"/consultations/{world.ids['slug']}/documents/{document.id}", base_url=f"http://{HOST}"
    )
    assert response.status_code == 200
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''D%C3%A9lib%C3%A9ration" in disposition
    assert response.mimetype == "application/pdf"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    response.close()


def _post(client, url, form, content: bytes, name: str):
    data: dict = {}
    for key, value in form.fields:
        data.setdefault(key, []).append(value)
    for field in form.files:
        data[field] = (io.BytesIO(content), name)
    response = client.post(url, data=data, base_url=f"http://{HOST}")
    # the test client spools a large body to a temporary file it never closes
    response.request.environ["wsgi.input"].close()
    return response


def test_a_request_past_the_size_limit_gets_the_too_large_page(app, world, upload_forms):
    role, url, form = upload_forms[0]
    too_big = PDF + b"0" * app.config["MAX_CONTENT_LENGTH"]
    response = _post(client_as(app, world, role), form.action or url, form, too_big, "gros.pdf")
    assert response.status_code == 413
    assert "Fichier trop volumineux" in response.text


def test_a_file_past_the_upload_limit_gets_a_clear_message_next_to_its_field(
    app, world, upload_forms
):
    from app.uploads.services import DEFAULT_MAX_BYTES

    big = PDF + b"0" * DEFAULT_MAX_BYTES
    answers = []
    for role, url, form in upload_forms:
        response = _post(client_as(app, world, role), form.action or url, form, big, "gros.pdf")
        answers.append(response.status_code)
        if "dépasse 20 Mo" in response.text:
            break
    else:
        raise AssertionError(f"no upload form said the file was too large: {answers}")
    assert all(code < 500 for code in answers)
