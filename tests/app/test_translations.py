"""French is the source and default; the English catalogue is complete."""

from app.translations.tools import extract, missing_translations


def test_every_string_of_the_interface_is_extracted():
    ids = {m.id if isinstance(m.id, str) else m.id[0] for m in extract() if m.id}
    assert "Se connecter" in ids
    assert "Adresse e-mail ou mot de passe incorrect." in ids
    assert len(ids) > 150


def test_english_catalogue_is_complete():
    missing = missing_translations("en")
    assert missing == [], f"{len(missing)} strings without English translation: {missing[:10]}"


def test_english_translations_keep_their_placeholders():
    import re

    from app.translations.tools import load

    catalog = load("en")
    pattern = re.compile(r"%\((\w+)\)[sd]")
    for message in catalog:
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not message.id or not any(strings):
            continue  # untranslated: the completeness test reports it
        source = message.id if isinstance(message.id, str) else message.id[0]
        target = message.string if isinstance(message.string, str) else message.string[0]
        assert set(pattern.findall(source)) == set(pattern.findall(target)), source
