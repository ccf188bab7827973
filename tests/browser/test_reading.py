"""What a reader does in a real browser: walk the archive, filter, share,
and set up the page to their liking."""

import re
from urllib.parse import parse_qs, urlencode, urlparse

import pytest
from playwright.sync_api import expect

from essays.models import Essay, Section
from essays.textutil import to_traditional
from tests.browser.conftest import PHONE
from tests.browser.pages import body_background, count_in, luminance

# django_db: so that pytest-django sets up the test database (see conftest.site).
pytestmark = [pytest.mark.browser, pytest.mark.django_db]


def readable():
    return Essay.objects.readable()


def urls(essays) -> set[str]:
    return {essay.get_absolute_url() for essay in essays}


def listed_urls(page) -> set[str]:
    return set(page.locator(".essay-list__title").evaluate_all("links => links.map(a => a.getAttribute('href'))"))


def shown_count(page) -> int:
    return count_in(page.locator(".page-header .meta").first.inner_text())


def next_in_collection(essay):
    return readable().filter(source=essay.source, position__gt=essay.position).order_by("position").first()


def narrowing_tags(essay):
    """Two of the essay's tags that, together, list fewer essays than the first
    one alone; None when there are none."""
    for tag in essay.tags.order_by("name"):
        alone = readable().filter(tags=tag).count()
        for other in essay.tags.exclude(pk=tag.pk).order_by("name"):
            if readable().with_all_tags([tag.name, other.name]).count() < alone:
                return tag, other
    return None


def test_reader_walks_from_home_to_a_filtered_list(site, page):
    # Home → the biggest section.
    page.goto("/")
    cards = page.locator("#sections-heading ~ .card-list .card").all()
    home_count, section_name = max(
        (count_in(c.locator(".meta").inner_text()), c.locator(".card__title").inner_text()) for c in cards
    )
    page.locator("#sections-heading ~ .card-list").get_by_role("link", name=section_name, exact=True).click()
    section = Section.objects.get(name=section_name)
    page.wait_for_url(site(section.get_absolute_url()))
    assert page.locator("h1").inner_text() == section_name
    assert page.locator(".essay-list__item").count() == home_count == shown_count(page)

    # → an essay whose next essay has tags worth filtering by (two tags that
    # narrow the list together).
    essays = readable().filter(section=section).select_related("source").in_collection_order()
    essay = next(e for e in essays if next_in_collection(e) and narrowing_tags(next_in_collection(e)))
    page.locator(".essay-list").get_by_role("link", name=essay.title, exact=True).click()
    page.wait_for_url(site(essay.get_absolute_url()))
    assert page.locator("h1").inner_text() == essay.title

    # → 下一篇.
    following = next_in_collection(essay)
    page.get_by_role("link", name="下一篇").click()
    page.wait_for_url(site(following.get_absolute_url()))
    assert page.locator("h1").inner_text() == following.title

    # → one of its tags.
    tag, second = narrowing_tags(following)
    tagged = readable().filter(tags=tag)
    page.locator(".essay__tags").get_by_role("link", name=tag.name, exact=True).click()
    page.wait_for_url(site(tag.get_absolute_url()))
    assert page.locator("h1").inner_text() == tag.name
    assert shown_count(page) == tagged.count()

    # → the full list filtered by that tag.
    page.get_by_role("link", name="在全部文章中按此标签筛选").click()
    page.wait_for_url(re.compile(r"/essays/\?tag="))
    assert shown_count(page) == tagged.count()
    assert page.locator(".chip").all_inner_texts() == [f"标签：{tag.name} ×"]
    if tagged.count() <= 20:
        assert listed_urls(page) == urls(tagged)

    # A second tag narrows the list (an AND) ...
    both = readable().with_all_tags([tag.name, second.name])
    page.goto("/essays/?" + urlencode([("tag", tag.name), ("tag", second.name)]))
    assert shown_count(page) == both.count() > 0
    assert listed_urls(page) == urls(both)
    assert page.locator(".chip").count() == 2

    # ... and removing the first tag's chip keeps only the second.
    page.get_by_role("link", name=f"移除筛选：标签：{tag.name}").click()
    page.wait_for_url(lambda url: parse_qs(urlparse(url).query).get("tag") == [second.name])
    assert page.locator(".chip").all_inner_texts() == [f"标签：{second.name} ×"]
    assert shown_count(page) == readable().filter(tags=second).count()


def test_copy_link_copies_the_canonical_address(site, new_context, problems):
    context = new_context(permissions=["clipboard-read", "clipboard-write"])
    page = problems.watch(context.new_page())
    page.goto(site.pages["essay"] + "?script=hant")
    page.locator(".copy-link").click()
    # The status is written once the clipboard promise resolves: wait for it.
    expect(page.locator(".copy-link__status")).to_have_text("链接已复制")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == site(site.pages["essay"])
    assert copied == page.locator("link[rel=canonical]").get_attribute("href")


def test_font_size_choice_survives_a_reload(site, page):
    page.goto(site.pages["essay"])
    body = page.locator(".essay__body")
    default_size = body.evaluate("el => parseFloat(getComputedStyle(el).fontSize)")
    page.locator("button[data-font=large]").click()
    page.reload()
    assert page.evaluate("document.documentElement.dataset.font") == "large"
    assert body.evaluate("el => parseFloat(getComputedStyle(el).fontSize)") > default_size
    assert page.locator("button[data-font=large]").get_attribute("aria-pressed") == "true"
    assert page.locator("button[data-font=medium]").get_attribute("aria-pressed") == "false"


def test_dark_mode_choice_survives_a_reload_and_holds_across_the_site(site, new_context, problems):
    page = problems.watch(new_context(color_scheme="light").new_page())
    page.goto(site.pages["essay"])
    assert luminance(body_background(page)) > 0.8
    page.locator(".theme-toggle").click()
    page.reload()
    assert page.evaluate("document.documentElement.dataset.theme") == "dark"
    assert luminance(body_background(page)) < 0.05
    assert page.locator(".theme-toggle").get_attribute("aria-pressed") == "true"
    page.goto("/")
    assert luminance(body_background(page)) < 0.05


def test_dark_system_setting_is_followed_until_the_reader_chooses_light(site, new_context, problems):
    page = problems.watch(new_context(color_scheme="dark").new_page())
    page.goto(site.pages["essay"])
    assert luminance(body_background(page)) < 0.05
    assert page.locator(".theme-toggle").get_attribute("aria-pressed") == "true"
    page.locator(".theme-toggle").click()
    page.reload()
    assert page.evaluate("document.documentElement.dataset.theme") == "light"
    assert luminance(body_background(page)) > 0.8


def test_traditional_display_is_remembered_for_the_next_essay(site, page):
    essay = Essay.objects.get(key=site.pages["essay"].strip("/").split("/")[-1])
    assert to_traditional(essay.title) != essay.title
    page.goto(site.pages["essay"])
    page.locator(".script-toggle").click()
    page.wait_for_url(site(site.pages["essay"] + "?script=hant"))
    assert page.locator("h1").inner_text() == to_traditional(essay.title)
    assert page.locator("article.essay").get_attribute("lang") == "zh-Hant"
    assert page.evaluate("localStorage.getItem('wenji:script')") == "hant"

    # The plain address; the page sends the reader on to ?script=hant at once
    # (so wait for the redirect, not for the plain page to load).
    following = next_in_collection(essay)
    page.goto(following.get_absolute_url(), wait_until="commit")
    page.wait_for_url(site(following.get_absolute_url() + "?script=hant"))
    assert page.locator("h1").inner_text() == to_traditional(following.title)


def test_going_back_to_simplified_sticks(site, page):
    page.goto(site.pages["essay"])
    page.locator(".script-toggle").click()
    page.wait_for_url(re.compile(r"\?script=hant$"))
    page.locator(".script-toggle").click()
    page.wait_for_url(re.compile(r"\?script=hans$"))
    assert page.evaluate("localStorage.getItem('wenji:script')") is None
    page.goto(site.pages["essay"])
    page.wait_for_load_state("networkidle")
    assert page.url == site(site.pages["essay"])
    assert page.locator("article.essay").get_attribute("lang") == "zh-Hans"


def test_a_tapped_placeholder_explains_itself(site, new_context, problems):
    page = problems.watch(new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page())
    page.goto(site.pages["essay"])
    placeholder = page.locator(".essay__body .placeholder").first
    placeholder.tap()
    note = placeholder.evaluate("el => getComputedStyle(el, '::after').content")
    assert "匿名" in note
    # The explanation stays on the screen: no sideways scroll while it shows.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_printing_an_essay_keeps_the_text_title_and_link(site, page):
    page.goto(site.pages["essay"])
    page.emulate_media(media="print")
    assert page.locator(".essay__title").is_visible()
    assert page.locator(".essay__body p").first.is_visible()
    assert page.locator(".print-url").inner_text() == site(site.pages["essay"])
    for hidden in (".site-header", ".reader-controls", ".essay-pager", ".site-footer"):
        assert not page.locator(hidden).is_visible(), hidden


def test_the_first_tab_shows_a_skip_link_to_the_text(site, page):
    page.goto(site.pages["essay"])
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    assert skip.evaluate("el => el === document.activeElement")
    assert skip.bounding_box()["y"] >= 0
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
