"""Files in and out: TMX round trips for the memory, TBX and CSV for glossaries, hostile files."""

import io
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select

from portal.assist.exchange import (
    ImportRefused,
    export_csv,
    export_tbx,
    export_tmx,
    import_csv,
    import_tbx,
    import_tmx,
)
from portal.assist.glossary import save_term, terms_for
from portal.assist.memory import remember, suggestions_for
from portal.models import GlossaryTerm, MemoryEntry, Role
from tests.conftest import csrf_token

LIMIT = 1024 * 1024

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE tmx [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<tmx version="1.4"><header srclang="en"/><body><tu><tuv xml:lang="en"><seg>&lol4;</seg></tuv>
<tuv xml:lang="es"><seg>x</seg></tuv></tu></body></tmx>"""

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE martif [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<martif type="TBX" xml:lang="en"><text><body><termEntry>
<langSet xml:lang="en"><tig><term>&secret;</term></tig></langSet>
<langSet xml:lang="es"><tig><term>x</term></tig></langSet></termEntry></body></text></martif>"""

EXTERNAL_DTD = """<?xml version="1.0"?>
<!DOCTYPE tmx SYSTEM "http://127.0.0.1:{port}/evil.dtd">
<tmx version="1.4"><header srclang="en"/><body><tu><tuv xml:lang="en"><seg>a</seg></tuv>
<tuv xml:lang="es"><seg>b</seg></tuv></tu></body></tmx>"""


@pytest.fixture
def pair(app, db, make):
    for tag in ("en", "es", "ar"):
        make.language(tag)
    with app.test_request_context():
        yield


def test_tmx_round_trip_keeps_every_pair_and_its_languages(pair, db):
    pairs = [("Decent work for all.", "Trabajo decente para todas las personas."),
             ("Stop <deportations> & raids.", "Alto a las <deportaciones> y redadas.")]
    assert remember(pairs, "en", "es") == 2
    data = export_tmx("en", "es")
    assert b'srclang="en"' in data and b'xml:lang="es"' in data
    db.session.execute(MemoryEntry.__table__.delete())
    report = import_tmx(data, "en", "es", LIMIT)
    assert (report.added, report.skipped_count) == (2, 0)
    found = suggestions_for([pairs[1][0]], "en", "es")[pairs[1][0]]
    assert found[0].exact and found[0].text == pairs[1][1]
    again = import_tmx(data, "en", "es", LIMIT)  # a second import adds nothing
    assert (again.added, again.skipped_count) == (0, 2)


def test_tmx_units_without_both_languages_are_skipped_with_a_reason(pair):
    data = """<?xml version="1.0" encoding="utf-8"?>
<tmx version="1.4"><header srclang="en" segtype="sentence" adminlang="en" datatype="plaintext"
 o-tmf="x" creationtool="x" creationtoolversion="1"/><body>
<tu><tuv xml:lang="en-GB"><seg>Solidarity.</seg></tuv>
    <tuv xml:lang="es-ES"><seg>Solidaridad.</seg></tuv></tu>
<tu><tuv xml:lang="en"><seg>Only English.</seg></tuv>
    <tuv xml:lang="fr"><seg>Français.</seg></tuv></tu>
</body></tmx>""".encode()
    report = import_tmx(data, "en", "es", LIMIT)
    assert report.added == 1 and report.skipped_count == 1
    assert "Unit 2 has no text in both en and es." in report.skipped


def test_tbx_round_trip_keeps_notes_and_part_of_speech(pair, db, make):
    reviewer = make.user(reviews=["es"])
    save_term(reviewer, "en", "es", "wage theft", "robo de salario", "Not 'hurto'.", "noun")
    save_term(reviewer, "en", "es", "organize", "organizar", "", "verb")
    data = export_tbx("en", "es")
    assert b'type="partOfSpeech">verb<' in data
    db.session.execute(GlossaryTerm.__table__.delete())
    report = import_tbx(reviewer, data, "en", "es", LIMIT)
    assert (report.added, report.updated, report.skipped_count) == (2, 0, 0)
    terms = {term.term: term for term in terms_for("en", "es")}
    assert terms["wage theft"].translation == "robo de salario"
    assert terms["wage theft"].note == "Not 'hurto'."
    assert terms["organize"].part_of_speech.value == "verb"


def test_csv_round_trip_with_arabic_and_formula_cells(pair, make):
    reviewer = make.user(reviews=["ar"])
    save_term(reviewer, "en", "ar", "migrant workers", "العمال المهاجرون", "=HYPERLINK(x)")
    text = export_csv("en", "ar")
    assert text.splitlines()[0] == "term,translation,note,part_of_speech"
    assert "'=HYPERLINK(x)" in text  # a spreadsheet shows it, never runs it
    report = import_csv(reviewer, text.encode(), "en", "ar", LIMIT)
    assert (report.added, report.updated) == (0, 1)
    term = terms_for("en", "ar")[0]
    assert term.translation == "العمال المهاجرون" and term.note == "=HYPERLINK(x)"


def test_csv_import_reports_added_updated_and_skipped(pair, make):
    reviewer = make.user(reviews=["es"])
    data = ("Term,Translation,Note,Part of speech\n"
            "claim,reclamo,,noun\n"
            "CLAIM,reivindicación,better,noun\n"
            ",sin término,,noun\n"
            "strike,huelga,,flying\n").encode("utf-8-sig")
    report = import_csv(reviewer, data, "en", "es", LIMIT)
    assert (report.added, report.updated, report.skipped_count) == (1, 1, 2)
    assert any("Entry 3" in reason for reason in report.skipped)
    assert any("Entry 4" in reason and "part of speech" in reason for reason in report.skipped)
    assert [term.translation for term in terms_for("en", "es")] == ["reivindicación"]
    with pytest.raises(ImportRefused, match="first row"):
        import_csv(reviewer, b"a,b\n1,2\n", "en", "es", LIMIT)
    with pytest.raises(ImportRefused, match="UTF-8"):
        import_csv(reviewer, "term,translation\nü,x".encode("latin-1"), "en", "es", LIMIT)


@pytest.mark.parametrize("data", [BILLION_LAUGHS, XXE], ids=["entity-bomb", "xxe"])
def test_hostile_xml_is_refused_before_parsing(pair, make, data):
    reviewer = make.user(reviews=["es"])
    with pytest.raises(ImportRefused, match="entities|outside resources"):
        import_tmx(data, "en", "es", LIMIT)
    with pytest.raises(ImportRefused, match="entities|outside resources"):
        import_tbx(reviewer, data, "en", "es", LIMIT)
    assert terms_for("en", "es") == []


def test_an_external_dtd_is_never_fetched(pair):
    asked = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            asked.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        data = EXTERNAL_DTD.format(port=server.server_port).encode()
        assert import_tmx(data, "en", "es", LIMIT).added == 1
    finally:
        server.shutdown()
        server.server_close()
    assert asked == []


def test_oversized_broken_and_empty_files_are_refused(pair, make):
    reviewer = make.user(reviews=["es"])
    with pytest.raises(ImportRefused, match="larger than 1 KB"):
        import_tmx(b"<tmx>" + b" " * 2048 + b"</tmx>", "en", "es", 1024)
    with pytest.raises(ImportRefused, match="well-formed"):
        import_tbx(reviewer, b"<martif><unclosed></martif>", "en", "es", LIMIT)
    with pytest.raises(ImportRefused, match="empty"):
        import_csv(reviewer, b"", "en", "es", LIMIT)
    with pytest.raises(ImportRefused, match="not a TMX"):
        import_tmx(b"<html><body/></html>", "en", "es", LIMIT)


def test_imports_through_the_desk_report_what_happened(client, db, make, auth):
    for tag in ("en", "es"):
        make.language(tag)
    coordinator = make.user(role=Role.COORDINATOR)
    auth.login(coordinator)
    token = csrf_token(client, "/desk/glossaries")
    tmx = (b'<?xml version="1.0"?><tmx version="1.4"><header srclang="en"/><body>'
           b'<tu><tuv xml:lang="en"><seg>One.</seg></tuv><tuv xml:lang="es"><seg>Uno.</seg>'
           b'</tuv></tu></body></tmx>')
    response = client.post("/desk/memories/en/es/import", data={
        "csrf_token": token, "file": (io.BytesIO(tmx), "memory.tmx")})
    assert response.status_code == 303
    page = client.get("/desk/glossaries").get_data(as_text=True)
    assert "Memory import: 1 added, 0 updated, 0 skipped." in page
    assert "1 segment" in page
    bomb = client.post("/desk/memories/en/es/import", data={
        "csrf_token": token, "file": (io.BytesIO(BILLION_LAUGHS), "bomb.tmx")})
    assert bomb.status_code == 400
    assert "does not accept" in bomb.get_data(as_text=True)
    assert db.session.scalar(select(MemoryEntry.target_text)) == "Uno."
    exported = client.get("/desk/memories/en/es/memory.tmx")
    assert exported.status_code == 200 and b"<seg>Uno.</seg>" in exported.data
    assert "attachment" in exported.headers["Content-Disposition"]
    csv_file = client.post("/desk/glossaries/en/es/import", data={
        "csrf_token": token, "file": (io.BytesIO(b"term,translation\nstrike,huelga\n"),
                                      "terms.csv")})
    assert csv_file.status_code == 303
    assert "Glossary import: 1 added" in client.get("/desk/glossaries/en/es").get_data(
        as_text=True)
