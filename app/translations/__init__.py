"""The fr and en catalogues: .po files kept in the repository, compiled at start."""

from __future__ import annotations

import hashlib
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

CATALOGUE_DIR = Path(__file__).parent


def compile_catalogues(instance: Path) -> str:
    """Compile every .po into instance/translations when missing or changed; return the folder."""
    target_root = instance / "translations"
    for po_path in CATALOGUE_DIR.glob("*/LC_MESSAGES/messages.po"):
        locale = po_path.parent.parent.name
        mo_path = target_root / locale / "LC_MESSAGES" / "messages.mo"
        stamp = mo_path.with_suffix(".sha256")
        digest = hashlib.sha256(po_path.read_bytes()).hexdigest()
        if mo_path.exists() and stamp.exists() and stamp.read_text() == digest:
            continue
        mo_path.parent.mkdir(parents=True, exist_ok=True)
        with po_path.open("rb") as handle:
            catalog = read_po(handle, locale=locale)
        tmp = mo_path.with_suffix(".mo.tmp")
        with tmp.open("wb") as handle:
            write_mo(handle, catalog, use_fuzzy=False)
        tmp.replace(mo_path)
        stamp.write_text(digest)
    return str(target_root)
