"""Take docs/curation.md's screenshots of the curators' admin from a
running Wenji server with the seeds imported.

    make run                                   # in one terminal
    .venv/bin/python docs/screenshots/make_admin_screenshots.py \\
        --base-url http://127.0.0.1:8000 --user curator --password ...

Signs in as a curator and shows the essay list, an essay's change form and
the review queues, on a desktop (1366×768) and a phone (390 px), in the
admin's light and dark themes. Uses Debian's Chromium (/usr/bin/chromium,
or $WENJI_CHROMIUM), never a downloaded one.
"""

import argparse
import os
from pathlib import Path

from playwright.sync_api import sync_playwright

HERE = Path(__file__).resolve().parent
CHROMIUM = os.environ.get("WENJI_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
DEVICES = {
    "desktop": {"viewport": {"width": 1366, "height": 768}, "device_scale_factor": 1},
    "phone": {
        "viewport": {"width": 390, "height": 844},
        "device_scale_factor": 1,
        "is_mobile": True,
        "has_touch": True,
    },
}
PAGES = {
    "changelist": "/admin/essays/essay/",
    "change-form": None,  # the first essay with a derived title: chosen from the list
    "queue": "/admin/essays/essay/review/",
}


def sign_in(page, base_url, user, password):
    page.goto(base_url + "/admin/login/")
    page.fill("#id_username", user)
    page.fill("#id_password", password)
    page.click("input[type=submit]")
    page.wait_for_url(base_url + "/admin/")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    parser.add_argument("--user", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--output", type=Path, default=HERE)
    options = parser.parse_args()
    base = options.base_url.rstrip("/")

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for device, settings in DEVICES.items():
            for theme in ("light", "dark"):
                context = browser.new_context(**settings, color_scheme=theme, locale="zh-CN", reduced_motion="reduce")
                page = context.new_page()
                sign_in(page, base, options.user, options.password)
                for name, path in PAGES.items():
                    if path is None:
                        page.goto(base + "/admin/essays/essay/?queue=derived_titles")
                        path = page.locator("#result_list tbody tr th a").first.get_attribute("href")
                    page.goto(base + path)
                    page.evaluate("theme => { document.documentElement.dataset.theme = theme; }", theme)
                    page.evaluate("document.fonts.ready")
                    target = options.output / f"admin-{name}-{device}-{theme}.png"
                    page.screenshot(path=target)
                    print(f"{target}: {base}{path}")
                context.close()
        browser.close()


if __name__ == "__main__":
    main()
