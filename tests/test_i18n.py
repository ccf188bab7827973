"""The English interface: language selection, the translated pages, and the
committed catalogue (every string translated, the .mo in step with the .po)."""

import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db

LOCALE_DIR = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES"
PO_FILE = LOCALE_DIR / "django.po"
MO_FILE = LOCALE_DIR / "django.mo"

# Interface text that must not show through on an English page.
CORE_CHINESE = [
    "全部文章",
    "跳到正文",
    "主导航",
    "搜索文章",
    "最近收录",
    "浏览全部文章",
    "常见标签",
    "全部标签",
    "心得体会、观后感与学习感悟",
    "暂无文章",
    " 篇",
    "阅读档案",
]


def english_get(client, url):
    client.cookies["django_language"] = "en"
    return client.get(url)


def assert_no_core_chinese(html: str) -> None:
    leftovers = [s for s in CORE_CHINESE if s in html]
    assert not leftovers, f"untranslated interface text: {leftovers}"


# -- pages ------------------------------------------------------------------------------


def test_default_language_is_simplified_chinese(client):
    html = client.get("/").content.decode()
    assert '<html lang="zh-Hans">' in html
    assert "全部文章" in html
    assert "All essays" not in html


def test_an_english_browser_still_gets_chinese_by_default(client):
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="zh-Hans">' in html and "全部文章" in html


def test_home_in_english_once_chosen(client):
    response = english_get(client, "/")
    assert response["Content-Language"] == "en"
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "<title>Wenji</title>" in html
    for text in ("Skip to main content", 'aria-label="Main navigation"', ">All essays<", ">Tags<", "Search essays"):
        assert text in html
    assert_no_core_chinese(html)


def test_language_switch_sets_english_and_back(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/tags/"})
    assert response.status_code == 302
    assert response["Location"] == "/tags/"
    html = client.get("/").content.decode()
    assert '<html lang="en">' in html
    assert ">All essays<" in html
    # The switch offers the other language, named in that language.
    assert 'value="zh-hans"' in html
    assert 'lang="zh-Hans">简体中文</button>' in html

    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    html = client.get("/").content.decode()
    assert '<html lang="zh-Hans">' in html
    assert "全部文章" in html


def test_english_pages_with_content(client, imported):
    html = english_get(client, "/").content.decode()
    assert re.search(r"\d+ essays?<", html)
    assert ">Sections<" in html and ">Collections<" in html
    assert_no_core_chinese(html)

    html = english_get(client, "/essays/").content.decode()
    assert re.search(r"<p class=\"meta\">\d+ essays</p>", html)
    assert "Sort order" in html
    assert_no_core_chinese(html)

    html = english_get(client, "/tags/").content.decode()
    assert re.search(r"\d+ tags", html)
    assert ", essays: " in html
    assert_no_core_chinese(html)


def test_english_404(client):
    response = english_get(client, "/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page not found" in html
    assert "页面未找到" not in html


# -- the catalogue ----------------------------------------------------------------------


def _unquote(line: str) -> str:
    body = line.strip()
    assert body.startswith('"') and body.endswith('"'), line
    escapes = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}
    return re.sub(r"\\(.)", lambda m: escapes[m.group(1)], body[1:-1])


def parse_po(path: Path) -> list[dict]:
    """Entries of a .po file: {"flags": set, "msgid": str, "msgid_plural": str?,
    "msgstr": str or "msgstr[0]"...}. Obsolete (#~) entries are left out."""
    entries, entry, key = [], None, None
    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        if not line.strip():
            if entry and "msgid" in entry:
                entries.append(entry)
            entry, key = None, None
            continue
        entry = entry if entry is not None else {"flags": set()}
        if line.startswith("#~"):
            entry["obsolete"] = True
        elif line.startswith("#,"):
            entry["flags"].update(f.strip() for f in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            entry[key] += _unquote(line)
        else:
            key, _, rest = line.partition(" ")
            entry[key] = _unquote(rest)
    return [e for e in entries if not e.get("obsolete")]


def msgstrs(entry: dict) -> list[str]:
    return [v for k, v in entry.items() if k.startswith("msgstr")]


PLACEHOLDER = re.compile(r"%(?:\([^)]+\))?[#0 +-]*\d*(?:\.\d+)?[sdifr]")


@pytest.fixture(scope="module")
def po_entries():
    entries = parse_po(PO_FILE)
    assert entries and entries[0]["msgid"] == ""
    return entries


def test_catalogue_header(po_entries):
    header = po_entries[0]["msgstr"]
    assert "Language: en\n" in header
    assert "Plural-Forms: nplurals=2; plural=(n != 1);\n" in header
    assert "charset=UTF-8" in header


def test_every_string_is_translated(po_entries):
    untranslated = [e["msgid"] for e in po_entries[1:] if not all(msgstrs(e))]
    fuzzy = [e["msgid"] for e in po_entries[1:] if "fuzzy" in e["flags"]]
    assert not untranslated, f"empty msgstr: {untranslated}"
    assert not fuzzy, f"fuzzy: {fuzzy}"


def test_plural_entries_have_both_forms(po_entries):
    for entry in po_entries[1:]:
        if "msgid_plural" in entry:
            assert entry.get("msgstr[0]") and entry.get("msgstr[1]"), entry["msgid"]


def test_translations_keep_the_placeholders(po_entries):
    for entry in po_entries[1:]:
        if "msgid_plural" in entry:
            pairs = [(entry["msgid_plural"], entry["msgstr[1]"]), (entry["msgid"], entry["msgstr[0]"])]
        else:
            pairs = [(entry["msgid"], entry["msgstr"])]
        for source, target in pairs:
            assert sorted(PLACEHOLDER.findall(source)) == sorted(PLACEHOLDER.findall(target)), entry["msgid"]
            assert target.count("<a ") == source.count("<a "), entry["msgid"]


def test_committed_mo_matches_the_po(po_entries):
    """compilemessages needs GNU gettext, which CI may lack; instead read the
    committed .mo and check it carries exactly what the .po says."""
    with MO_FILE.open("rb") as fp:
        catalog = gettext.GNUTranslations(fp)._catalog
    expected = {}
    for entry in po_entries[1:]:
        key = entry["msgid"] if "msgctxt" not in entry else f"{entry['msgctxt']}\x04{entry['msgid']}"
        if "msgid_plural" in entry:
            for name, value in entry.items():
                if name.startswith("msgstr["):
                    expected[(key, int(name[7:-1]))] = value
        else:
            expected[key] = entry["msgstr"]
    stale = {k: (v, catalog.get(k)) for k, v in expected.items() if catalog.get(k) != v}
    assert not stale, f"django.mo is out of date (run compilemessages): {stale}"
    extra = set(catalog) - set(expected) - {""}
    assert not extra, f"django.mo has entries the .po lacks (run compilemessages): {extra}"
