"""Languages of the interface: negotiation, gettext catalogues compiled at start-up, Babel formatters.

Catalogues are `.po` files under `locale/<locale>/LC_MESSAGES/`, one per domain folder (`needs.po`,
`accounts.po`, …) so that work on two domains never edits the same file; they are merged into one
catalogue per locale when the app starts. `python -m backend.i18n update` extracts every string from
templates and code and adds the new ones to the right file (English entries are filled in, Chinese
ones wait for a translator; a test fails while any entry is empty).
"""

import contextvars
import sys
from datetime import date, datetime
from decimal import Decimal
from functools import cache, lru_cache
from io import BytesIO
from pathlib import Path

from babel import Locale, dates, numbers
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po
from babel.support import Translations

from backend.config import ROOT

LOCALE_DIR = ROOT / "locale"
DEFAULT_LOCALE = "zh_CN"
# Code -> the name of the language in itself, as the switch shows it.
KNOWN_LOCALES = {"zh_CN": "简体中文", "en": "English"}
# What `?lang=` and the switch accept.
LANG_PARAM = {"zh": "zh_CN", "zh_CN": "zh_CN", "zh-CN": "zh_CN", "en": "en"}
COOKIE = "mm_lang"

current_locale: contextvars.ContextVar[str] = contextvars.ContextVar("current_locale", default=DEFAULT_LOCALE)


def normalise(value: str | None) -> str | None:
    """A known locale code for `value` (zh, zh_CN, zh-CN, en), or None."""
    return LANG_PARAM.get((value or "").strip())


def negotiate(query_lang: str | None, cookie: str | None, user_locale: str | None, accept: str | None) -> str:
    """The locale of a request: `?lang=`, then the cookie, then the user's stored locale, then the browser."""
    for candidate in (query_lang, cookie, user_locale):
        found = normalise(candidate)
        if found:
            return found
    for part in (accept or "").split(","):
        tag = part.split(";")[0].strip().lower()
        if tag.startswith("zh"):
            return "zh_CN"
        if tag.startswith("en"):
            return "en"
    return DEFAULT_LOCALE


def catalogue_files(locale: str) -> list[Path]:
    return sorted((LOCALE_DIR / locale / "LC_MESSAGES").glob("*.po"))


def merged_catalogue(locale: str) -> Catalog:
    """Every `.po` file of a locale as one catalogue."""
    merged = Catalog(locale=locale)
    for path in catalogue_files(locale):
        with path.open("rb") as fh:
            for message in read_po(fh, locale=locale):
                # The same English text may be in two domain files; an empty entry never hides a translation.
                if message.id and (message.string or message.id not in merged):
                    merged.add(message.id, message.string)
    return merged


def translations(locale: str) -> Translations:
    """The compiled catalogue of a locale; an unknown locale gets the default one."""
    return _translations(locale if locale in KNOWN_LOCALES else DEFAULT_LOCALE)


@lru_cache
def _translations(locale: str) -> Translations:
    buf = BytesIO()
    write_mo(buf, merged_catalogue(locale))
    buf.seek(0)
    return Translations(fp=buf)


def gettext(message: str, **variables: object) -> str:
    """Translate into the request's locale; `%(name)s` placeholders are filled from `variables`."""
    text = translations(current_locale.get()).gettext(message)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, n: int, **variables: object) -> str:
    text = translations(current_locale.get()).ngettext(singular, plural, n)
    return text % ({"num": n} | variables)


_ = gettext


def lazy(message: str) -> str:
    """Mark a string for extraction where it is defined; translate it with `_()` where it is shown."""
    return message


def babel_locale(locale: str | None = None) -> Locale:
    code = locale or current_locale.get()
    return _parsed_locale(code if code in KNOWN_LOCALES else DEFAULT_LOCALE)


@cache
def _parsed_locale(code: str) -> Locale:
    # A dashboard page formats a few hundred numbers and dates: parse each known locale once per process.
    return Locale.parse(code)


def format_date(value: date | datetime | None, fmt: str = "medium") -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return dates.format_datetime(value, format=fmt, locale=babel_locale(), tzinfo=dates.get_timezone(
            "Asia/Shanghai"))
    return dates.format_date(value, format=fmt, locale=babel_locale())


def format_day(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(dates.get_timezone("Asia/Shanghai")).date()
    return dates.format_date(value, format="medium", locale=babel_locale())


def format_number(value: int | float | Decimal | None) -> str:
    if value is None:
        return ""
    return numbers.format_decimal(value, locale=babel_locale())


def format_money(value: int | float | Decimal | None) -> str:
    """An amount in yuan, in the reader's conventions (¥1,500,000 / ¥1,500,000.00)."""
    if value is None:
        return ""
    return numbers.format_currency(value, "CNY", locale=babel_locale(), format_type="standard",
                                   currency_digits=False, decimal_quantization=False)


def localized(obj: object, field: str = "name") -> str:
    """A reference row's name in the reader's language: `name_en` in English where there is one."""
    if obj is None:
        return ""
    english = getattr(obj, f"{field}_en", None)
    chinese = getattr(obj, f"{field}_zh", None) or getattr(obj, field, None)
    if current_locale.get() == "en" and english:
        return english
    return chinese or english or ""


def install(env) -> None:  # noqa: ANN001 - a jinja2.Environment
    """Give a Jinja environment gettext (`{% trans %}`, `_()`) and the locale-aware filters."""
    env.add_extension("jinja2.ext.i18n")
    env.install_gettext_callables(gettext, ngettext, newstyle=True)
    env.globals["_"] = gettext
    env.globals["known_locales"] = KNOWN_LOCALES
    env.globals["current_locale"] = current_locale.get
    env.filters["date"] = format_date
    env.filters["day"] = format_day
    env.filters["number"] = format_number
    env.filters["money"] = format_money
    env.filters["localized"] = localized


# Extraction and catalogue upkeep (developer tool: `python -m backend.i18n update`).

def _domain_of(path: str) -> str:
    parts = Path(path).parts
    for top in ("templates", "backend"):
        if top in parts:
            rest = parts[parts.index(top) + 1:]
            if len(rest) > 1 and (ROOT / top / rest[0]).is_dir():
                return rest[0]
    return "messages"


def extract() -> dict[str, set[str]]:
    """Every translatable string in templates and code, grouped by the domain file it belongs to."""
    from babel.messages.extract import extract_from_dir
    from babel.messages.frontend import parse_mapping_cfg

    with (ROOT / "babel.cfg").open() as fh:
        method_map, options = parse_mapping_cfg(fh, "babel.cfg")
    found: dict[str, set[str]] = {}
    for filename, _lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map=method_map, options_map=options, keywords={"_": None, "gettext": None,
                                                                            "ngettext": (1, 2), "lazy": None},
    ):
        if not (filename.startswith("templates/") or filename.startswith("backend/")):
            continue
        ids = message if isinstance(message, tuple) else (message,)
        for mid in ids:
            if mid:
                found.setdefault(_domain_of(filename), set()).add(mid)
    return found


def update(only: set[str] | None = None) -> list[str]:
    """Add new strings to each locale's domain file (English filled in); return the untranslated ids.

    `only` limits the work to some domain files (`python -m backend.i18n update needs accounts`).
    """
    found = extract()
    if only:
        found = {d: ids for d, ids in found.items() if d in only}
    missing: list[str] = []
    for locale in KNOWN_LOCALES:
        folder = LOCALE_DIR / locale / "LC_MESSAGES"
        folder.mkdir(parents=True, exist_ok=True)
        for domain, ids in sorted(found.items()):
            path = folder / f"{domain}.po"
            catalogue = Catalog(locale=locale, project="matchmaker")
            if path.exists():
                with path.open("rb") as fh:
                    catalogue = read_po(fh, locale=locale)
            for mid in sorted(ids):
                if mid not in catalogue:
                    catalogue.add(mid, mid if locale == "en" else "")
            for message in list(catalogue):
                if message.id and message.id not in ids:
                    catalogue.delete(message.id)
                elif message.id and not message.string:
                    missing.append(f"{locale}/{domain}: {message.id}")
            with path.open("wb") as fh:
                write_po(fh, catalogue, width=0, omit_header=False, sort_output=True)
    return missing


if __name__ == "__main__":
    if sys.argv[1:2] == ["update"]:
        left = update(set(sys.argv[2:]) or None)
        print(f"{len(left)} entries wait for a translation")
        for line in left:
            print("  " + line)
    else:
        print("usage: python -m backend.i18n update [DOMAIN ...]")
