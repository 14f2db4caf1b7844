"""Quality checks of a translated segment: each check, in Latin and non-Latin scripts."""

import pytest

from portal.content.checks import check_segment
from portal.models.statements import SegmentKind

SOURCE = "Read [our full report](https://example.org/r) on *18 December 2025*. Are you with us?"


@pytest.fixture(autouse=True)
def _request(app, db):
    with app.test_request_context():
        yield


def codes(source, translation, target, kind=SegmentKind.PARAGRAPH):
    """{code: severity} of what the checks find."""
    return {p.code: p.severity for p in check_segment(source, translation, "en", target, kind)}


@pytest.mark.parametrize("target, translation", [
    ("es", "Lee [nuestro informe completo](https://example.org/r) del *18 de diciembre de "
           "2025*. ¿Estás con nosotros?"),
    ("ar", "اقرأ [تقريرنا الكامل](https://example.org/r) في *١٨ ديسمبر ٢٠٢٥*. هل أنت معنا؟"),
    ("zh-Hans", "阅读我们的[完整报告](https://example.org/r)，*2025年12月18日*。你和我们在一起吗？"),
    ("hi", "*18 दिसंबर 2025* को [हमारी पूरी रिपोर्ट](https://example.org/r) पढ़ें। क्या आप "
           "हमारे साथ हैं?"),
])
def test_a_good_translation_has_no_problems(target, translation):
    assert codes(SOURCE, translation, target) == {}


def test_an_empty_segment_is_an_error():
    assert codes(SOURCE, "  \n", "fr") == {"empty": "error"}


@pytest.mark.parametrize("target, translation", [
    ("es", "Lee nuestro informe del *18 de diciembre de 2025*. ¿Estás con nosotros?"),
    ("ar", "اقرأ تقريرنا الكامل في *١٨ ديسمبر ٢٠٢٥*. هل أنت معنا؟"),
])
def test_a_lost_link_is_an_error(target, translation):
    assert codes(SOURCE, translation, target)["lost-link"] == "error"


def test_a_lost_bare_address_is_an_error_and_a_changed_one_too():
    source = "Details: https://example.org/details."
    assert codes(source, "Detalles: https://example.org/details.", "es") == {}
    assert codes(source, "Detalles: https://example.org/detalles.", "es")["lost-link"] == "error"
    assert codes(source, "Detalles en la web.", "es")["lost-link"] == "error"


def test_leftover_tokens_are_broken_markup():
    found = codes(SOURCE, "Lee [1]nuestro informe del *18 de diciembre de 2025*. ¿Estás?", "es")
    assert found["broken-markup"] == "error"


def test_missing_and_extra_emphasis_are_warnings():
    assert codes(SOURCE, "Lee [el informe](https://example.org/r) del 18 de diciembre de "
                         "2025. ¿Estás con nosotros?", "es") == {"missing-placeable": "warning"}
    assert codes("Read this now.", "Lee **esto** ahora.", "es") == {"extra-markup": "warning"}


@pytest.mark.parametrize("target, translation, expected", [
    ("es", "Lee [el informe](https://example.org/r) del *18 de diciembre de 2024*. ¿Estás?",
     "numbers"),
    ("ar", "اقرأ [تقريرنا](https://example.org/r) في *١٩ ديسمبر ٢٠٢٥*. هل أنت معنا؟", "numbers"),
    ("hi", "*18 दिसंबर 2025* को [हमारी पूरी रिपोर्ट](https://example.org/r) पढ़ें। क्या आप "
           "हमारे साथ हैं", "ending"),
    ("ar", "اقرأ [تقريرنا الكامل](https://example.org/r) في *١٨ ديسمبر ٢٠٢٥*. هل أنت معنا",
     "ending"),
    ("zh-Hans", "阅读我们的[完整报告](https://example.org/r)，*2025年12月18日*。你和我们在一起吗",
     "ending"),
    ("es", "Lee [el informe](https://example.org/r) del *18 de diciembre de 2025*. ¿Estás con "
           "nosotros.", "ending"),
    ("es", "Lee [el informe](https://example.org/r) del *18 de diciembre de 2025*. Estás con "
           "nosotros?", "opening-mark"),
    ("fr", " Lisez [notre rapport](https://example.org/r) du *18 décembre 2025*. Êtes-vous "
           "avec nous ?", "whitespace"),
    ("fr", "Lisez [notre rapport](https://example.org/r) du *18 décembre 2025*.  Êtes-vous "
           "avec nous ?", "double-space"),
    ("hi", "*18 दिसंबर 2025* को [हमारी पूरी पूरी रिपोर्ट](https://example.org/r) पढ़ें। क्या आप "
           "हमारे साथ हैं?", "repeated-word"),
    ("ar", "اقرأ [تقريرنا الكامل الكامل](https://example.org/r) في *١٨ ديسمبر ٢٠٢٥*. هل أنت "
           "معنا؟", "repeated-word"),
    ("de", SOURCE, "unchanged"),
    ("es", "Lee [esto](https://example.org/r) *18 2025*?", "short"),
    ("fr", "Lisez [notre rapport](https://example.org/r) du *18 décembre 2025*. " * 4
     + "Êtes-vous avec nous ?", "long"),
])
def test_each_warning(target, translation, expected):
    found = codes(SOURCE, translation, target)
    assert found.get(expected) == "warning", found
    assert "error" not in found.values()


def test_chinese_may_be_much_shorter_but_not_longer_than_is_sane():
    source = "We demand that every migrant worker is paid a living wage, on time, every month."
    assert "short" not in codes(source, "我们要求每个移民工人每月按时获得生活工资。", "zh-Hans")
    assert "short" in codes(source, "我们要求。", "zh-Hans")


def test_titles_are_checked_for_web_addresses_as_text():
    found = codes("See https://example.org", "Ver el sitio", "es", SegmentKind.TITLE)
    assert found["lost-link"] == "error"


def test_an_added_web_address_in_a_title_is_only_a_warning():
    found = codes("See https://example.org", "Ver https://example.org y https://otro.org", "es",
                  SegmentKind.TITLE)
    assert found == {"urls": "warning"}


def test_tokens_the_original_does_not_have_are_text_with_a_warning():
    found = codes("Read *this*.", "Lee *esto*, nota [7] y {0}.", "es")
    assert found == {"unknown-placeable": "warning"}
