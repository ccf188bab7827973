"""A curator repairs a cut in a real browser: upload a file, see the preview
(three short essays, with a doubt), fix the cut with a hint (one essay),
confirm, split one part off, undo the split from the history, and see each
state on the public page and in search.

It runs before the other curator walk (file order): that one empties the
database when it is done. It needs no test transaction (everything goes
through the live server, which commits), so it leaves its collection in
place for the rest of the folder, and the site fixture removes it after."""

import re

import pytest

from tests.browser.conftest import CURATOR

# django_db only so that the test database exists; the test itself never
# touches the ORM (an open transaction reading tables would hold SQLite locks
# the live server needs).
pytestmark = [pytest.mark.browser, pytest.mark.django_db]

FILE = """山村里的三件新事

（一）修路
过去进村只有一条泥泞的土路，一下雨就没法走，孩子们上学要绕很远。去年，村里组织大家一起出工出力，用了三个月把水泥路修到了每家门口。
如今，运菜的货车能直接开进村里，老人们也常在路边的长椅上晒太阳、拉家常。

（二）种树
山坡上原来光秃秃的，水土流失很严重。村民们在技术员的指导下种下了一万多棵核桃树和板栗树，还在林下套种了蓝莓。
三年过去，满山青翠，蓝莓园成了远近闻名的采摘地，周末常有城里人开车来体验。

（三）办合作社
为了把山货卖出好价钱，几户人家牵头办起了合作社，统一品牌、统一包装，还学会了在网上直播带货。
合作社的账本每月公开，分红按股到户，大家的日子越过越有奔头。
"""
WORDS = "直播带货"  # only in the third part


def search_links(page, site, words):
    page.goto(f"/search/?q={words}")
    return [a.get_attribute("href") for a in page.locator("main a[href^='/essays/']").all()]


@pytest.fixture(autouse=True)
def pending_uploads_in_tmp(settings, tmp_path):
    """Pending uploads go to a temporary folder, not the work tree's var/."""
    settings.VAR_DIR = tmp_path


def test_upload_preview_hint_split_and_undo(site, new_context, tmp_path):
    page = new_context().new_page()
    page.goto("/admin/login/")
    page.fill("#id_username", CURATOR[0])
    page.fill("#id_password", CURATOR[1])
    page.click("input[type=submit]")
    page.wait_for_url(site("/admin/"))

    # Upload: the preview shows the guessed cut, nothing lands yet.
    page.goto("/admin/essays/sourcefile/upload/")
    page.set_input_files(
        "input[type=file]", {"name": "walk-three.txt", "mimeType": "text/plain", "buffer": FILE.encode("gb18030")}
    )
    page.click("#upload-form input[type=submit]")
    file_box = page.locator(".upload-file")
    assert "gb18030" in file_box.locator("h2").inner_text()
    assert file_box.locator("tbody tr").count() == 3
    assert file_box.locator("td.doubt", has_text=re.compile(r"\S")).count() >= 1  # a short essay: a doubt

    # The curator knows it is one essay in sections: a hint, a new preview.
    page.select_option("#hint-0", "single")
    page.click("button[name=preview]")
    assert page.locator(".upload-file tbody tr").count() == 1
    assert "山村里的三件新事" in page.locator(".upload-file tbody").inner_text()
    assert len(list((tmp_path / "uploads").iterdir())) == 1  # waiting for the confirmation
    page.click("input[name=confirm]")
    report = page.locator("#import-report")
    assert list((tmp_path / "uploads").iterdir()) == []  # confirmed: nothing left behind
    assert "新增 1 篇" in report.inner_text()
    public = report.locator("a", has_text="公开页面").get_attribute("href")
    admin_url = report.locator("a[href*='/admin/essays/essay/']").first.get_attribute("href")

    page.goto(public)
    assert WORDS in page.locator(".essay__body").inner_text()
    assert public in search_links(page, site, WORDS)

    # Split the third section off: it lands on the new essay's form.
    page.goto(admin_url)
    page.locator(".object-tools a", has_text="拆分").click()
    third = page.locator("ol.paragraphs li", has=page.locator("span", has_text=re.compile(r"^（三）办合作社$")))
    third.locator("input[name=at]").check()
    page.click("input[type=submit].default")
    page.wait_for_url(re.compile(r"/admin/essays/essay/\d+/change/"))
    assert page.url != site(admin_url)
    assert page.locator("#id_title").input_value() == "办合作社"
    new_public = page.locator(".field-public_link a").get_attribute("href")

    page.goto(new_public)
    assert WORDS in page.locator(".essay__body").inner_text()
    page.goto(public)
    assert WORDS not in page.locator(".essay__body").inner_text()
    links = search_links(page, site, WORDS)
    assert new_public in links and public not in links

    # Undo the split: restore the version from before it.
    page.goto(admin_url)
    page.locator(".object-tools a", has_text="历史版本").click()
    page.locator("table.versions tbody tr").last.locator("button", has_text="恢复此版本").click()
    assert "撤销了拆分" in page.locator(".messagelist").inner_text()

    page.goto(public)
    assert WORDS in page.locator(".essay__body").inner_text()
    page.goto(new_public)  # the split-off part's link answers with the essay that holds it again
    assert page.url == site(public)
    links = search_links(page, site, WORDS)
    assert public in links and new_public not in links
