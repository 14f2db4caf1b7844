"""The interface catalogs: complete, placeholders intact, and Nepali served like the others."""

from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from tests.conftest import csrf_token

TRANSLATIONS = Path(__file__).parent.parent / "translations"
CATALOGS = sorted(TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"))


def _read(path: Path):
    with path.open("rb") as handle:
        return read_po(handle)


def test_every_interface_language_has_a_catalog():
    locales = {path.parent.parent.name for path in CATALOGS}
    assert {"es", "pt_BR", "fr", "ar", "fil", "id", "zh_Hans", "ne"} <= locales


@pytest.mark.parametrize("path", CATALOGS, ids=lambda path: path.parent.parent.name)
def test_catalog_is_complete_and_keeps_every_placeholder(path):
    template = _read(TRANSLATIONS / "messages.pot")
    catalog = _read(path)
    wanted = {message.id if isinstance(message.id, str) else message.id[0]
              for message in template if message.id}
    missing, fuzzy = [], []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(strings) or len(strings) != (catalog.num_plurals if message.pluralizable
                                                else 1):
            missing.append(message.id)
        if message.fuzzy:
            fuzzy.append(message.id)
    present = {message.id if isinstance(message.id, str) else message.id[0]
               for message in catalog if message.id}
    assert wanted <= present and not missing and not fuzzy
    # Babel's checkers: python-format placeholders the same as the msgid's, plural counts right.
    problems = [(message.id, [str(error) for error in errors])
                for message, errors in catalog.check()]
    assert problems == []


def test_nepali_catalog_uses_the_gettext_plural_rule_for_nepali():
    catalog = _read(TRANSLATIONS / "ne" / "LC_MESSAGES" / "messages.po")
    assert (catalog.num_plurals, catalog.plural_expr) == (2, "(n != 1)")


def test_nepali_reader_pages_speak_nepali(client, make):
    make.language("ne")
    html = client.get("/ne/").get_data(as_text=True)
    assert '<html lang="ne"' in html
    assert "नेपालीमा अहिलेसम्म केही प्रकाशित भएको छैन।" in html
    assert "Atom फिड" in html


def test_nepali_is_offered_as_the_interface_language_and_used(client, db, make, auth):
    make.language("es")
    make.language("ne")
    auth.login(make.user(translates=["ne"]))
    page = client.get("/account/profile").get_data(as_text=True)
    assert '<option dir="ltr" lang="ne" value="ne">नेपाली</option>' in page
    client.post("/account/profile", data={
        "display_name": "Sita", "interface_language": "ne", "time_zone": "Asia/Kathmandu",
        "csrf_token": csrf_token(client, "/account/profile")})
    page = client.get("/desk/queue").get_data(as_text=True)
    assert '<html lang="ne"' in page
    assert "प्रतीक्षा सूची" in page and "साइन आउट" in page
