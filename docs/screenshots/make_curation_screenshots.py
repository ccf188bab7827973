"""Take docs/curation.md's screenshots of the repair pages from a running
Wenji server with the seeds imported, at 1366 and 390 pixels wide.

    .venv/bin/python docs/screenshots/make_curation_screenshots.py \\
        --base-url http://127.0.0.1:8501 --user admin --password ...

It logs in, previews an upload (and cancels it), opens a collection's
re-cut page, splits an essay, shows its history with the diff, then undoes
the split: the archive's cut is as before (with two more history rows).
Uses Debian's Chromium (/usr/bin/chromium, or $WENJI_CHROMIUM).
"""

import argparse
import os
import re
from pathlib import Path

from playwright.sync_api import sync_playwright

HERE = Path(__file__).resolve().parent
CHROMIUM = os.environ.get("WENJI_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
WIDTHS = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
SAMPLE = """山村里的三件新事

（一）修路
过去进村只有一条泥泞的土路，一下雨就没法走，孩子们上学要绕很远。去年，村里组织大家一起出工出力，用了三个月把水泥路修到了每家门口。

（二）种树
山坡上原来光秃秃的，村民们在技术员的指导下种下了一万多棵核桃树和板栗树，还在林下套种了蓝莓。

（三）办合作社
几户人家牵头办起了合作社，统一品牌、统一包装，还学会了在网上直播带货。
"""


def shoot(page, name, width_name, full_page=True):
    path = HERE / f"{name}-{width_name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    print(path.relative_to(HERE.parent.parent))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    parser.add_argument("--user", required=True)
    parser.add_argument("--password", required=True)
    options = parser.parse_args()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for width_name, viewport in WIDTHS.items():
            context = browser.new_context(viewport=viewport, base_url=options.base_url, locale="zh-CN")
            page = context.new_page()
            page.goto("/admin/login/")
            page.fill("#id_username", options.user)
            page.fill("#id_password", options.password)
            page.click("input[type=submit]")

            # Upload preview, with a hint; then cancel.
            page.goto("/admin/essays/sourcefile/upload/")
            page.set_input_files(
                "input[type=file]", {"name": "三件新事.txt", "mimeType": "text/plain", "buffer": SAMPLE.encode()}
            )
            page.click("#upload-form input[type=submit]")
            shoot(page, "upload-preview", width_name)
            page.click("input[name=cancel]")

            # The preview and the report after confirming, light and dark (the
            # admin follows the system's colour scheme); one file per width.
            for scheme in ("light", "dark"):
                page.emulate_media(color_scheme=scheme)
                page.goto("/admin/essays/sourcefile/upload/")
                name = f"{width_name}样例{scheme}.txt"
                page.set_input_files(
                    "input[type=file]",
                    {"name": name, "mimeType": "text/plain", "buffer": (SAMPLE + width_name + scheme).encode()},
                )
                page.click("#upload-form input[type=submit]")
                shoot(page, f"upload-preview-{scheme}", width_name)
                page.click("input[name=confirm]")
                page.wait_for_load_state()
                shoot(page, f"upload-report-{scheme}", width_name)
            page.emulate_media(color_scheme="light")

            # A collection's re-cut page, previewing the hand-marked lines.
            page.goto("/admin/essays/sourcefile/")
            page.locator("#result_list tbody tr th a").first.click()
            page.locator(".object-tools a", has_text="重新切分").click()
            page.select_option("#id_mode", "lines")
            page.click("button[name=preview]")
            shoot(page, "recut", width_name, full_page=False)

            # Split an essay of that collection, see the history, undo.
            page.goto("/admin/essays/essay/?o=3")
            page.locator("#result_list tbody tr th a").first.click()
            essay_url = page.url
            page.locator(".object-tools a", has_text="拆分").click()
            shoot(page, "split", width_name, full_page=False)
            page.locator("input[name=at]").last.check()
            page.click("input[type=submit].default")
            page.wait_for_url(re.compile(r"/change/"))
            page.goto(essay_url.replace("/change/", "/versions/"))
            page.click("text=比较所选的两个版本")
            shoot(page, "versions", width_name)
            page.locator("table.versions tbody tr").last.locator("button").click()
            context.close()
        browser.close()


if __name__ == "__main__":
    main()
