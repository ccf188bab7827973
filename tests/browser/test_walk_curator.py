"""A curator's walk in a real browser: log in, filter to placeholders, fix
one, add a suggested tag, publish, and see the change on the public page and
in search.

It runs after the readers' tests (file order) because it changes an essay;
the folder's database is put back when the folder is done. Its checks go
through pages: the live server commits, the test's own transaction would not
see it reliably."""

import re

import pytest

from essays.models import Essay
from tests.browser.conftest import CURATOR

# transaction=True: an open test transaction would hold SQLite's table locks
# while the live server writes. (It empties the database afterwards; this is
# the folder's last file, and the site fixture restores the database anyway.)
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FIXED = "中央政治局委员"


@pytest.fixture(scope="module")
def essay(site, django_db_blocker):
    """004 #1, whose text names a "*政治局委员"; read before the walk."""
    with django_db_blocker.unblock():
        essay = Essay.objects.get(source__name__startswith="004", position=1)
        assert "*政治局委员" in essay.text and FIXED not in essay.text
        return essay


def test_curator_fixes_tags_and_publishes_an_essay(site, new_context, essay):
    page = new_context().new_page()

    page.goto("/admin/login/")
    page.fill("#id_username", CURATOR[0])
    page.fill("#id_password", CURATOR[1])
    page.click("input[type=submit]")
    page.wait_for_url(site("/admin/"))

    # Hide it first, so that publishing is the curator's last step.
    page.goto(f"/admin/essays/essay/?q={essay.key}")
    page.locator(f"#result_list input[value='{essay.pk}']").check()
    page.select_option("select[name=action]", "hide")
    page.click("button[name=index]")
    assert "已隐藏 1 篇文章。" in page.locator(".messagelist").inner_text()
    assert page.request.get(site(essay.get_absolute_url())).status == 404

    # The dashboard's placeholder queue leads to the filtered list.
    page.goto("/admin/")
    page.locator("#review-queues a[href$='queue=placeholders']").click()
    page.wait_for_url(re.compile(r"queue=placeholders"))
    assert page.locator("#result_list tbody tr").count() > 0
    assert page.locator("#result_list tbody tr", has_text=essay.title).count() == 0  # hidden ones leave the queue
    page.goto(f"/admin/essays/essay/?has_placeholders__exact=1&q={essay.key}")
    page.locator("#result_list tbody tr th a").first.click()
    page.wait_for_url(re.compile(rf"/admin/essays/essay/{essay.pk}/change/"))

    # Fix the placeholder in the text.
    text = page.locator("#id_text")
    text.fill(text.input_value().replace("*政治局委员", FIXED, 1))
    page.locator("input[name=_continue]").first.click()
    page.wait_for_url(re.compile(rf"/admin/essays/essay/{essay.pk}/change/"))
    assert FIXED in page.locator("#id_text").input_value()

    # One click puts a suggested tag in the form; saving adds it.
    suggestion = page.locator("button.suggested-tag").first
    tag_name = suggestion.get_attribute("value")
    suggestion.click()
    page.locator("input[name=_continue]").first.click()
    page.wait_for_url(re.compile(rf"/admin/essays/essay/{essay.pk}/change/"))
    assert tag_name in page.locator("#id_tags option:checked").all_inner_texts()

    # Publish with the bulk action.
    page.goto(f"/admin/essays/essay/?q={essay.key}")
    page.locator(f"#result_list input[value='{essay.pk}']").check()
    page.select_option("select[name=action]", "publish")
    page.click("button[name=index]")
    assert "已发布 1 篇文章。" in page.locator(".messagelist").inner_text()

    # The public page shows it at once, with the new tag...
    page.goto(essay.get_absolute_url())
    assert FIXED in page.locator(".essay__body").inner_text()
    assert page.locator(".essay__tags").get_by_text(tag_name, exact=True).count() == 1
    # ...and search finds the fixed words.
    page.goto(f"/search/?q={FIXED}")
    assert page.locator(f"a[href='{essay.get_absolute_url()}']").count() >= 1
