"""Every interface string goes through gettext, and both catalogues translate every one of them."""

import re
from html.parser import HTMLParser

import pytest
from babel.messages.pofile import read_po

from backend import i18n
from backend.config import ROOT

TEMPLATES = ROOT / "templates"
# Text that is the same in every language: units and marks, not words.
NEUTRAL = {"TRL", "API", "JSON", "CNY", "—", "–", "·", "…", "→", "←", "*", "/", "|", ":", "(", ")", "%", "¥"}
ATTRIBUTES = ("title", "alt", "placeholder", "aria-label", "content", "label")
JINJA = re.compile(r"\{#.*?#\}|\{%.*?%\}|\{\{.*?\}\}", re.S)


class _Visible(HTMLParser):
    """Collects the text a reader sees (and reads aloud) in a template with its Jinja parts removed."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):  # noqa: ANN001
        if tag in ("script", "style"):
            self._skip += 1
        for name, value in attrs:
            if name in ATTRIBUTES and value and not (tag == "meta" and name == "content"):
                self.found.append(value)

    def handle_endtag(self, tag):  # noqa: ANN001
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data):  # noqa: ANN001
        if not self._skip:
            self.found.append(data)


def words_outside_gettext(source: str) -> list[str]:
    parser = _Visible()
    parser.feed(JINJA.sub(" ", source))
    leftovers = []
    for text in parser.found:
        for token in text.split():
            if token in NEUTRAL or not any(ch.isalpha() for ch in token):
                continue
            leftovers.append(token)
    return leftovers


def test_the_checker_finds_a_hard_coded_word_and_accepts_gettext():
    assert words_outside_gettext("<p>需求 {{ _('Needs') }}</p>") == ["需求"]
    assert words_outside_gettext('<input placeholder="Search">') == ["Search"]
    assert words_outside_gettext("<p>{{ _('Needs') }} · TRL {{ n }}</p>{# a comment #}") == []


@pytest.mark.parametrize("template", sorted(p.relative_to(TEMPLATES).as_posix() for p in TEMPLATES.rglob("*.html")))
def test_no_template_shows_words_outside_gettext(template):
    assert words_outside_gettext((TEMPLATES / template).read_text(encoding="utf-8")) == []


@pytest.mark.parametrize("locale", sorted(i18n.KNOWN_LOCALES))
def test_every_catalogue_entry_is_translated_with_the_same_placeholders(locale):
    problems = []
    for path in i18n.catalogue_files(locale):
        with path.open("rb") as fh:
            for message in read_po(fh, locale=locale):
                if not message.id:
                    continue
                if not message.string:
                    problems.append(f"{path.name}: untranslated {message.id!r}")
                elif set(re.findall(r"%\(\w+\)s", message.id)) != set(re.findall(r"%\(\w+\)s", message.string)):
                    problems.append(f"{path.name}: placeholders differ in {message.id!r}")
    assert problems == []


def test_every_string_in_templates_and_code_is_in_both_catalogues():
    """`python -m backend.i18n update` was run after the last string was added."""
    wanted = set().union(*i18n.extract().values())
    for locale in i18n.KNOWN_LOCALES:
        have = {m.id for m in i18n.merged_catalogue(locale) if m.id}
        assert sorted(wanted - have) == [], f"{locale}: run python -m backend.i18n update and translate"


def test_every_stored_code_has_words():
    from backend import labels

    pairs = {(type(code), code.value) for code, _words in labels.LABELS}
    enums = {cls for cls, _value in pairs}
    missing = [m for cls in enums for m in cls if (cls, m.value) not in pairs]
    assert missing == []
    assert len(pairs) == len(labels.LABELS)  # no code listed twice
    from backend.capabilities.models import CapabilityStatus
    from backend.projects.models import ProjectStatus

    token = i18n.current_locale.set("en")
    try:  # equal values of different enums keep their own words
        assert labels.label(CapabilityStatus.ACTIVE) == "active"
        assert labels.label(ProjectStatus.ACTIVE) == "under way"
    finally:
        i18n.current_locale.reset(token)


def test_a_page_follows_the_language_switch_and_remembers_it(client):
    chinese = client.get("/needs")
    assert "企业需求" in chinese.text and 'lang="zh-CN"' in chinese.text
    english = client.get("/needs?lang=en")
    assert ">Needs<" in english.text and "企业需求" not in english.text
    assert client.cookies.get("mm_lang") == "en"
    assert "企业需求" not in client.get("/capabilities").text  # remembered by the cookie
    assert "企业需求" in client.get("/needs?lang=zh").text


def test_dates_and_numbers_follow_the_locale():
    from datetime import date

    token = i18n.current_locale.set("en")
    try:
        assert i18n.format_day(date(2026, 12, 2)) == "Dec 2, 2026"
        assert i18n.format_number(1234567) == "1,234,567"
    finally:
        i18n.current_locale.reset(token)
    token = i18n.current_locale.set("zh_CN")
    try:
        assert i18n.format_day(date(2026, 12, 2)) == "2026年12月2日"
    finally:
        i18n.current_locale.reset(token)
