"""Take the README's screenshots from a running Wenji server.

    make run                 # in one terminal: serves http://127.0.0.1:8000
    make screenshots         # in another: writes docs/screenshots/*.png

or directly: .venv/bin/python docs/screenshots/make_screenshots.py
--base-url http://127.0.0.1:8000 [--essay /essays/<key>/]. Uses Debian's
Chromium (/usr/bin/chromium, or $WENJI_CHROMIUM), never a downloaded one.
"""

import argparse
import os
import re
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

HERE = Path(__file__).resolve().parent
CHROMIUM = os.environ.get("WENJI_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 800}, "device_scale_factor": 1}

# file name: (device, colour scheme, page)
SHOTS = {
    "home-phone.png": (PHONE, "light", "home"),
    "home-desktop.png": (DESKTOP, "light", "home"),
    "essay-phone-light.png": (PHONE, "light", "essay"),
    "essay-phone-dark.png": (PHONE, "dark", "essay"),
    "essay-desktop-light.png": (DESKTOP, "light", "essay"),
    "essay-desktop-dark.png": (DESKTOP, "dark", "essay"),
}


def first_featured_essay(browser, base_url: str) -> str:
    page = browser.new_page()
    page.goto(base_url + "/")
    links = page.locator("a[href^='/essays/']").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    page.close()
    essays = [href for href in links if re.fullmatch(r"/essays/[^/?]+/", href)]
    if not essays:
        sys.exit(f"no essay is linked from {base_url}/: import the seeds first (make seed)")
    return essays[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    parser.add_argument("--essay", help="path of the essay to show (default: the first one the home page links)")
    parser.add_argument("--output", type=Path, default=HERE)
    options = parser.parse_args()
    base_url = options.base_url.rstrip("/")

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        pages = {"home": "/", "essay": options.essay or first_featured_essay(browser, base_url)}
        for name, (device, scheme, page_name) in SHOTS.items():
            context = browser.new_context(**device, color_scheme=scheme, locale="zh-CN", reduced_motion="reduce")
            page = context.new_page()
            page.goto(base_url + pages[page_name])
            page.evaluate("document.fonts.ready")
            page.screenshot(path=options.output / name)
            print(f"{options.output / name}: {base_url}{pages[page_name]}")
            context.close()
        browser.close()


if __name__ == "__main__":
    main()
