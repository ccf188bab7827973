"""Pages fit a phone: nothing makes the reader scroll sideways."""

import pytest

from tests.browser.conftest import PHONE
from tests.browser.pages import PAGES

# django_db: so that pytest-django sets up the test database (see conftest.site).
pytestmark = [pytest.mark.browser, pytest.mark.django_db]

# Elements sticking out past the right edge, for a useful failure message.
OVERFLOWING = """width => [...document.querySelectorAll('body *')]
  .filter(el => el.getBoundingClientRect().right > width + 0.5)
  .slice(0, 5)
  .map(el => `<${el.tagName.toLowerCase()} class="${el.className}"> right=${Math.round(el.getBoundingClientRect().right)}`)"""


def assert_fits(page, width):
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    # A mobile browser widens the layout viewport to fit content that sticks
    # out, so compare with the phone's width, not just window.innerWidth.
    assert page.evaluate("window.innerWidth") == width
    assert scroll_width <= width, page.evaluate(OVERFLOWING, width)


@pytest.fixture
def phone(new_context, problems):
    return problems.watch(new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page())


@pytest.mark.parametrize("name", PAGES)
def test_page_does_not_scroll_sideways_on_a_phone(site, phone, name):
    phone.goto(site.pages[name])
    assert_fits(phone, PHONE["width"])


def test_essay_in_large_type_fits_a_small_phone(site, new_context, problems):
    page = problems.watch(
        new_context(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True).new_page()
    )
    page.goto(site.pages["essay"])
    page.locator("button[data-font=large]").click()
    assert page.evaluate("document.documentElement.dataset.font") == "large"
    assert_fits(page, 360)
