"""axe-core finds no serious or critical problem on any kind of page, in the
light and dark themes, whether dark comes from the system or the reader."""

import pytest

from tests.browser.conftest import NODE_MODULES
from tests.browser.pages import PAGES, body_background, luminance

# django_db: so that pytest-django sets up the test database (see conftest.site).
pytestmark = [pytest.mark.browser, pytest.mark.django_db]

AXE = NODE_MODULES / "axe-core" / "axe.min.js"

# A theme changes colours only, so after the full check in the light theme
# the other themes are checked with the colour rules.
COLOUR_RULES = ["color-contrast", "link-in-text-block"]

# name: (the system's colour scheme, the reader's saved choice or None)
THEMES = {
    "dark (system)": ("dark", None),
    "light (chosen on a dark system)": ("dark", "light"),
    "dark (chosen on a light system)": ("light", "dark"),
}


def axe_violations(page, rules=None) -> list[dict]:
    options = {"resultTypes": ["violations"]}
    if rules:
        options["runOnly"] = {"type": "rule", "values": rules}
    results = page.evaluate("options => axe.run(document, options)", options)
    return [v for v in results["violations"] if v["impact"] in ("serious", "critical")]


def describe(theme, violations) -> list[str]:
    lines = []
    for violation in violations:
        lines.append(f"[{theme}] {violation['impact']}: {violation['id']}: {violation['help']}")
        for node in violation["nodes"][:5]:
            lines.append(f"    {' '.join(node['target'])}: {node['failureSummary']}".replace("\n", " "))
    return lines


def set_theme(page, system, chosen):
    """The system scheme as the browser reports it, then the reader's choice:
    made with the theme toggle on pages that have one (essays), elsewhere set
    as the page sets it from localStorage (that a choice holds across pages
    and reloads is tested in test_reading.py)."""
    page.emulate_media(color_scheme=system)
    page.evaluate("delete document.documentElement.dataset.theme")
    toggle = page.locator(".theme-toggle")
    if chosen and toggle.count():
        toggle.click()  # the toggle flips the system's scheme
    elif chosen:
        page.evaluate("chosen => { document.documentElement.dataset.theme = chosen; }", chosen)
    assert page.evaluate("document.documentElement.dataset.theme") == chosen
    dark = (chosen or system) == "dark"
    assert (luminance(body_background(page)) < 0.05) == dark, (system, chosen, body_background(page))


@pytest.mark.parametrize("name", PAGES)
def test_no_serious_accessibility_problems_in_any_theme(site, new_context, problems, name):
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `make node-deps` (npm ci --ignore-scripts)")
    # Reduced motion: the colour transitions would otherwise be caught halfway
    # through when the theme changes.
    # bypass_csp: axe is injected by the test as an inline script, which the
    # site's Content-Security-Policy (script-src 'self') would block.
    page = problems.watch(new_context(color_scheme="light", reduced_motion="reduce", bypass_csp=True).new_page())
    page.goto(site.pages[name])
    page.add_script_tag(path=str(AXE))
    found = describe("light", axe_violations(page))
    for theme, (system, chosen) in THEMES.items():
        set_theme(page, system, chosen)
        found += describe(theme, axe_violations(page, COLOUR_RULES))
    assert not found, "\n".join(found)
