"""Translating offline: XLIFF 1.2, XLIFF 2.0 and PO down and back up, through real requests.

Files are edited with translate-toolkit, the library many translation tools are built on,
as a translator's tool would; hostile files must be refused without being resolved.
"""

import io
import re
from html import unescape
from types import SimpleNamespace

import pytest
from lxml import etree
from sqlalchemy import select
from translate.storage import po, xliff, xliff2
from translate.storage.placeables import StringElem
from translate.storage.placeables import xliff as placeables

from portal.exchange.offline import XLIFF12, XLIFF20
from portal.models import AuditEvent, DraftSegment, Statement, Translation
from portal.workflow import revise_source
from tests.conftest import csrf_token

LINKED = ("Read [the report](https://example.org/report-2026) and *act* **now**, "
          "with `#hashtag`.")
BODY = f"{LINKED}\n\n## Our demands\n\n- Decent jobs at home\n\nThe last paragraph."


@pytest.fixture
def work(make, db, auth):
    """A volunteer signed in, holding the es claim on a statement with inline markup."""
    volunteer = make.user(translates=["es"])
    statement = make.statement(targets=["es"], title="Decent work", body=BODY,
                               summary="A *short* summary.")
    translation = db.session.scalar(select(Translation).where(
        Translation.statement_id == statement.id))
    auth.login(volunteer)
    claim = f"/desk/translations/{translation.id}/claim"
    assert auth.client.post(claim, data={"csrf_token": csrf_token(auth.client, claim)}) \
        .status_code == 303
    db.session.expire_all()
    return SimpleNamespace(id=translation.id, statement_id=statement.id, keys={
        segment.text: segment.key for segment in statement.current_revision.segments})


def autosave(client, translation, key: str, text: str, revision: int):
    """The editor's script saving a paragraph."""
    html = client.get(f"/desk/translations/{translation.id}").get_data(as_text=True)
    token = re.search(r'<meta name="csrf-token" content="([^"]+)"', html).group(1)
    response = client.post(f"/desk/translations/{translation.id}/segments/{key}",
                           json={"text": text, "revision": revision},
                           headers={"X-CSRFToken": token, "Accept": "application/json"})
    assert response.status_code == 200


def drafts(db, translation) -> dict[str, str]:
    db.session.expire_all()
    return {draft.segment_key: draft.text for draft in db.session.scalars(
        select(DraftSegment).where(DraftSegment.translation_id == translation.id))}


def keys(work) -> dict[str, str]:
    """Segment key by source text."""
    return work.keys


def download(client, translation, fmt: str) -> bytes:
    response = client.get(f"/desk/translations/{translation.id}/offline/{fmt}")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    return response.data


def upload(client, translation, data: bytes, name: str = "work.xlf"):
    editor = f"/desk/translations/{translation.id}"
    return client.post(f"{editor}/offline", data={
        "csrf_token": csrf_token(client, editor), "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data")


SPANISH = {
    "Decent work": "Trabajo digno",
    "A *short* summary.": "Un resumen *breve*.",
    "Our demands": "Nuestras demandas",
    "Decent jobs at home": "Empleos dignos en casa",
    "The last paragraph.": "El último párrafo.",
}
LINKED_ES = ("Lee [el informe](https://example.org/report-2026) y *actúa* **ya**, "
             "con `#hashtag`.")


# --- round trips ---------------------------------------------------------------------------

def test_xliff12_round_trip_through_translate_toolkit(client, db, work):
    """Download XLIFF 1.2, translate it with translate-toolkit, upload: drafts, codes intact."""
    data = download(client, work, "xliff12")
    assert b"example.org" not in data, "a link's address is never exposed for editing"
    root = etree.fromstring(data)
    assert root.tag == f"{{{XLIFF12}}}xliff" and root.get("version") == "1.2"
    store = xliff.xlifffile(data)
    assert len(store.units) == 6
    for unit in store.units:
        source = unit.rich_source[0]
        codes = [part for part in source.sub
                 if isinstance(part, StringElem) and type(part) is not StringElem]
        if len(codes) == 1:  # the summary's emphasis
            assert codes[0].id == "1"
            unit.rich_target = [StringElem([
                "Un resumen ", placeables.G(id="1", sub=["breve"]), "."])]
        elif codes:  # the linked paragraph: translate around its codes, keep them
            link, emphasis, strong, code = codes
            assert (link.id, emphasis.id, strong.id, code.id) == ("1", "2", "3", "4")
            unit.rich_target = [StringElem([
                "Lee ", placeables.G(id="1", sub=["el informe"]), " y ",
                placeables.G(id="2", sub=["actúa"]), " ", placeables.G(id="3", sub=["ya"]),
                ", con ", code, "."])]
        else:
            unit.target = SPANISH[unit.source]
    response = upload(client, work, bytes(store))
    assert response.status_code == 200
    assert "6 paragraphs saved" in unescape(response.get_data(as_text=True))
    saved = drafts(db, work)
    assert saved[keys(work)[LINKED]] == LINKED_ES
    assert saved[keys(work)["Our demands"]] == "Nuestras demandas"
    assert saved[keys(work)["A *short* summary."]] == "Un resumen *breve*."
    event = db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "translation.offline_upload"))
    assert event is not None and event.translation_id == work.id


def _xliff20_target(segment, text_or_parts):
    """Write a target into an XLIFF 2.0 segment element as a tool would."""
    ns = f"{{{XLIFF20}}}"
    target = segment.find(ns + "target")
    if target is None:
        target = etree.SubElement(segment, ns + "target")
    if isinstance(text_or_parts, str):
        target.text = text_or_parts
        return
    target.text = None
    last = None
    for part in text_or_parts:
        if isinstance(part, str):
            if last is None:
                target.text = (target.text or "") + part
            else:
                last.tail = part
        else:
            last = part
            target.append(part)


def test_xliff20_round_trip_with_valid_structure(client, db, work):
    """XLIFF 2.0: core structure as the standard says, read by translate-toolkit, back in."""
    data = download(client, work, "xliff20")
    assert b"example.org" not in data
    root = etree.fromstring(data)
    ns = f"{{{XLIFF20}}}"
    assert root.tag == ns + "xliff" and root.get("version") == "2.0"
    assert (root.get("srcLang"), root.get("trgLang")) == ("en", "es")
    files = root.findall(ns + "file")
    assert len(files) == 1 and files[0].get("id")
    units = files[0].findall(ns + "unit")
    assert len(units) == 6 and len({unit.get("id") for unit in units}) == 6
    for unit in units:
        # notes?, originalData?, then segments: the order the 2.0 schema requires
        names = [etree.QName(child).localname for child in unit]
        assert names == ["notes", "segment"]
        segment = unit.find(ns + "segment")
        assert segment.get("state") == "initial"
        assert [etree.QName(c).localname for c in segment] == ["source"]
        source = segment.find(ns + "source")
        ids = [code.get("id") for code in source.iter(ns + "pc", ns + "ph")]
        assert len(ids) == len(set(ids))
        for pc in source.iter(ns + "pc"):
            assert pc.get("type") in ("fmt", "link")
            assert pc.get("subType") is None or pc.get("type") == "fmt"
    # translate-toolkit reads it as XLIFF 2.0
    store = xliff2.Xliff2File(data)
    assert {unit.source for unit in store.units} >= {"Decent work", "Our demands"}
    for unit in units:
        segment = unit.find(ns + "segment")
        source = segment.find(ns + "source")
        if source.find(ns + "pc") is None:
            _xliff20_target(segment, SPANISH[source.text])
            continue
        if len(source.findall(ns + "pc")) == 1:  # the summary's emphasis
            emphasis = source.find(ns + "pc")
            copy = etree.Element(emphasis.tag, emphasis.attrib)
            copy.text = "breve"
            _xliff20_target(segment, ["Un resumen ", copy, "."])
            continue
        link, emphasis, strong = source.findall(ns + "pc")
        code = source.find(ns + "ph")
        assert code.get("disp") == "`#hashtag`"
        parts = []
        for element, text in ((link, "el informe"), (emphasis, "actúa"), (strong, "ya")):
            copy = etree.Element(element.tag, element.attrib)
            copy.text = text
            parts.append(copy)
        _xliff20_target(segment, ["Lee ", parts[0], " y ", parts[1], " ", parts[2],
                                  ", con ", etree.Element(code.tag, code.attrib), "."])
    response = upload(client, work, etree.tostring(root, xml_declaration=True,
                                                  encoding="UTF-8"))
    assert response.status_code == 200
    saved = drafts(db, work)
    assert saved[keys(work)[LINKED]] == LINKED_ES
    assert saved[keys(work)["The last paragraph."]] == "El último párrafo."


def test_po_round_trip_through_translate_toolkit(client, db, work):
    """PO: codes as <n>…</n> tags, explained beside each entry; translated, back in."""
    data = download(client, work, "po")
    assert b"example.org" not in data
    store = po.pofile(data)
    entries = [unit for unit in store.units if not unit.isheader()]
    assert len(entries) == 6
    linked = next(unit for unit in entries if "<4/>" in unit.source)
    assert linked.source == "Read <1>the report</1> and <2>act</2> <3>now</3>, with <4/>."
    assert "<4/> code: #hashtag" in linked.getnotes()
    for unit in entries:
        unit.target = ("Lee <1>el informe</1> y <2>actúa</2> <3>ya</3>, con <4/>."
                       if unit is linked else SPANISH[unit.source.replace("<1>", "*")
                                                      .replace("</1>", "*")])
    response = upload(client, work, bytes(store), "work.po")
    assert response.status_code == 200
    saved = drafts(db, work)
    assert saved[keys(work)[LINKED]] == LINKED_ES
    assert saved[keys(work)["Decent jobs at home"]] == "Empleos dignos en casa"


def test_drafts_go_out_with_the_file_and_untouched_units_change_nothing(client, db, work):
    """What is already drafted is in the file; uploading it unedited saves nothing."""
    autosave(client, work, keys(work)[LINKED], LINKED_ES, 0)
    data = download(client, work, "po")
    entry = next(unit for unit in po.pofile(data).units if "<4/>" in unit.source)
    assert entry.target == "Lee <1>el informe</1> y <2>actúa</2> <3>ya</3>, con <4/>."
    response = upload(client, work, data, "work.po")
    text = unescape(response.get_data(as_text=True))
    assert "0 paragraphs saved" in text and "1 paragraph unchanged" in text
    assert db.session.scalar(select(DraftSegment.revision).where(
        DraftSegment.segment_key == keys(work)[LINKED])) == 1


# --- conflicts, changed sources, unknown and damaged units ----------------------------------

def test_a_paragraph_saved_since_the_export_is_a_choice_not_an_overwrite(client, db, work):
    """Saved in the editor after the download: listed, both texts shown, nothing lost."""
    key = keys(work)["Our demands"]
    data = download(client, work, "po")
    autosave(client, work, key, "Lo que exigimos", 0)  # the editor, meanwhile
    store = po.pofile(data)
    for unit in store.units:
        if unit.source in SPANISH:
            unit.target = SPANISH[unit.source]
    response = upload(client, work, bytes(store), "work.po")
    page = unescape(response.get_data(as_text=True))
    assert response.status_code == 200
    assert "Changed since you downloaded the file" in page
    assert "Lo que exigimos" in page and "Nuestras demandas" in page
    assert drafts(db, work)[key] == "Lo que exigimos"
    assert drafts(db, work)[keys(work)["The last paragraph."]] == "El último párrafo."
    # Take the file's text, as the page offers.
    form = {"csrf_token": re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1),
            "key": key, f"choice-{key}": "file", f"text-{key}": "Nuestras demandas",
            f"revision-{key}": re.search(rf'name="revision-{key}" value="(\d+)"',
                                         page).group(1)}
    url = f"/desk/translations/{work.id}/offline/conflicts"
    response = client.post(url, data=form)
    assert response.status_code == 303
    assert drafts(db, work)[key] == "Nuestras demandas"
    # A second click changes nothing and is no error.
    assert client.post(url, data=form).status_code == 303
    assert drafts(db, work)[key] == "Nuestras demandas"


def test_keep_the_saved_text(client, db, work):
    key = keys(work)["Our demands"]
    data = download(client, work, "xliff12")
    autosave(client, work, key, "Lo que exigimos", 0)
    store = xliff.xlifffile(data)
    for unit in store.units:
        if unit.source == "Our demands":
            unit.target = "Nuestras demandas"
    page = unescape(upload(client, work, bytes(store)).get_data(as_text=True))
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    response = client.post(f"/desk/translations/{work.id}/offline/conflicts", data={
        "csrf_token": token, "key": key, f"choice-{key}": "saved",
        f"text-{key}": "Nuestras demandas", f"revision-{key}": "1"})
    assert response.status_code == 303
    assert drafts(db, work)[key] == "Lo que exigimos"


def test_units_whose_source_changed_are_listed_and_not_imported(client, db, work):
    data = download(client, work, "po")
    statement = db.session.get(Statement, work.statement_id)
    revision = statement.current_revision
    with client.application.app_context():
        revise_source(None, statement, revision.title, revision.summary,
                      revision.body.replace("The last paragraph.", "The last paragraph, new."))
        db.session.commit()  # before the context ends: its teardown removes the session
    store = po.pofile(data)
    for unit in store.units:
        if unit.source in SPANISH:
            unit.target = SPANISH[unit.source]
    page = unescape(upload(client, work, bytes(store), "work.po").get_data(as_text=True))
    assert "the original changed since you downloaded the file" in page, page[page.find("<main"):]
    assert "The last paragraph." in page
    saved = drafts(db, work)
    assert "El último párrafo." not in saved.values()
    assert saved[keys(work)["Our demands"]] == "Nuestras demandas"


def test_units_of_another_file_are_reported_unknown(client, db, make, work):
    """Units of another statement, in a file that does not say whose it is: reported."""
    data = download(client, work, "xliff12").replace(b'original="', b'originalx="')
    other = make.statement(targets=["es"], body="Something else entirely.")
    other_key = other.current_revision.segments[-1].key
    data = re.sub(rb'id="[0-9a-f]{16}\.0" resname="[0-9a-f]{16}"',
                  f'id="{other_key}.0" resname="{other_key}"'.encode(), data, count=1)
    page = unescape(upload(client, work, data).get_data(as_text=True))
    assert "units this translation does not have" in page and other_key in page
    assert drafts(db, work) == {}


def test_a_file_for_other_work_is_refused(client, db, make, work):
    data = download(client, work, "xliff20").replace(b'/es"', b'/fr"')
    response = upload(client, work, data)
    assert response.status_code == 400
    assert "for other work" in unescape(response.get_data(as_text=True))


def test_damaged_codes_are_reported_not_imported(client, db, work):
    store = po.pofile(download(client, work, "po"))
    for unit in store.units:
        if "<4/>" in unit.source:
            unit.target = "Lee <1>el informe</1> y <7>actúa</7>, con <4/><4/>."
        elif unit.source in SPANISH:
            unit.target = SPANISH[unit.source]
    page = unescape(upload(client, work, bytes(store), "work.po").get_data(as_text=True))
    assert "tags damaged" in page
    assert keys(work)[LINKED] not in drafts(db, work)


# --- who may, and hostile files ---------------------------------------------------------------

def test_only_the_claimant_downloads_and_uploads(client, db, make, auth, work):
    auth.logout()
    auth.login(make.user(translates=["es"]))
    assert client.get(f"/desk/translations/{work.id}/offline/po").status_code == 403
    token = csrf_token(client, "/account/profile")
    response = client.post(f"/desk/translations/{work.id}/offline", data={
        "csrf_token": token, "file": (io.BytesIO(b"x"), "f.po")},
        content_type="multipart/form-data")
    assert response.status_code == 403


XXE = b"""<?xml version="1.0"?>
<!DOCTYPE xliff [<!ENTITY leak SYSTEM "file:///etc/passwd">]>
<xliff xmlns="urn:oasis:names:tc:xliff:document:1.2" version="1.2"><file original="x">
<body><trans-unit id="a"><source>x</source><target>&leak;</target></trans-unit></body>
</file></xliff>"""

LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<xliff xmlns="urn:oasis:names:tc:xliff:document:1.2" version="1.2"><file original="x">
<body><trans-unit id="a"><source>x</source><target>&lol9;</target></trans-unit></body>
</file></xliff>"""

EXTERNAL_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE xliff SYSTEM "http://127.0.0.1:9/xliff.dtd">
<xliff xmlns="urn:oasis:names:tc:xliff:document:1.2" version="1.2"><file original="x">
<body/></file></xliff>"""

UTF16_XXE = ('<?xml version="1.0" encoding="UTF-16"?>\n<!DOCTYPE x [<!ENTITY e SYSTEM '
             '"file:///etc/passwd">]><xliff xmlns="urn:oasis:names:tc:xliff:document:1.2" '
             'version="1.2"><file original="x"><body><trans-unit id="a"><source>x</source>'
             '<target>&e;</target></trans-unit></body></file></xliff>').encode("utf-16")


@pytest.mark.parametrize(("data", "line"), [
    pytest.param(XXE, 2, id="xxe-etc-passwd"),
    pytest.param(LAUGHS, 2, id="billion-laughs"),
    pytest.param(EXTERNAL_DTD, 2, id="external-dtd"),
    pytest.param(UTF16_XXE, 1, id="xxe-in-utf16"),
    pytest.param(XXE.replace(b"?>\n", b"?><!-- <b> -->\n", 1), 1, id="xxe-behind-a-comment"),
    pytest.param(b"<xliff xmlns='urn:oasis:names:tc:xliff:document:1.2'>\n<file>\n</xliff>",
                 3, id="not-well-formed"),
    pytest.param(b"%PDF-1.4\nthis is no translation file\n", 1, id="not-xml"),
    pytest.param(b'msgid "a"\nmsgstr "b\n', 2, id="broken-po"),
])
def test_hostile_and_broken_files_get_a_clear_400_naming_the_line(client, db, work, data,
                                                                   line):
    response = upload(client, work, data)
    page = unescape(response.get_data(as_text=True))
    assert response.status_code == 400
    assert f"line {line}" in page and "Nothing was saved" in page
    assert "root:" not in page and "lollol" not in page
    assert drafts(db, work) == {}


def test_a_file_over_the_limit_is_refused_unread(client, db, app, work, monkeypatch):
    # A small limit keeps the test's body in memory (large ones spool to a temporary file).
    monkeypatch.setitem(app.config, "OFFLINE_UPLOAD_BYTES", 100_000)
    limit = app.config["OFFLINE_UPLOAD_BYTES"]
    response = upload(client, work, b"<" + b"x" * (limit + 10))
    assert response.status_code == 413
    assert "larger than the portal accepts (100 kB)" in unescape(response.get_data(as_text=True))
    response = upload(client, work, b"<" + b"x" * (limit + 70_000))  # refused by its length
    assert response.status_code == 413
    assert drafts(db, work) == {}


def test_no_file_is_a_clear_400(client, db, work):
    editor = f"/desk/translations/{work.id}"
    response = client.post(f"{editor}/offline", data={"csrf_token": csrf_token(client, editor)},
                           content_type="multipart/form-data")
    assert response.status_code == 400
    assert "Choose a file" in unescape(response.get_data(as_text=True))


def test_the_editor_offers_download_and_upload(client, db, work):
    page = client.get(f"/desk/translations/{work.id}").get_data(as_text=True)
    for fmt in ("xliff12", "xliff20", "po"):
        assert f"/desk/translations/{work.id}/offline/{fmt}" in page
    assert 'enctype="multipart/form-data"' in page
