#!/usr/bin/env python3
"""scripts/browser-check.py — check Peel's pages in a real (headless) browser.

Usage: python3 scripts/browser-check.py --base-url http://127.0.0.1:8099

Needs Debian's chromium and chromium-driver and the PyPI packages selenium and
selenium-axe-python==2.2.0 (scripts/install-test-deps installs them all). It is
normally run by scripts/browser-check, which starts a `peel serve` first.

For each page in PAGES (the landing page, three force sites, and the gallery of every
question type, plain and in its error state), in English (no query) and in Welsh (`lang=cy`):
  * the page answers HTTP 200 and has a non-empty <title>;
  * <html lang> is "en" or "cy" as expected (a region such as en-GB is allowed);
  * axe-core (bundled by selenium-axe-python) finds 0 violations; each
    violation is printed with its id, impact, help and its nodes' targets;
  * keyboard: after a fresh load, ONE press of TAB focuses the skip link, an
    <a> whose href attribute is exactly "#main-content"; the element
    id="main-content" exists, and the link is visible (not 1px/clipped) while
    focused.
Cookies are cleared before every load, so a language remembered in a cookie
cannot leak from one page into the next.

With a second browser that has JavaScript disabled:
  * `/?q=wales` links to /north-wales/ and does not link to /metropolitan/
    (the find-your-force filter must work server-side, as a plain GET form);
  * on `/`, typing "wales" into the form field named q and pressing Enter
    submits the form (to a URL with q=wales) with the same result;
  * on `/crime?lang=cy` (with police data loaded), typing "Marquis Street" and
    pressing Enter shows that street's results and map.

Journeys (the online services engine), with JavaScript on:
  * "report a crime" is walked from its start page to a reference in English and
    in Welsh, by filling each form the way a person would; axe-core runs on
    every page on the way: the start page, a question page of each kind used on
    the way (radios, yes/no, approximate date and time, location, text, person,
    file, address, email and phone), the error summary (the first question is
    sent empty once), a repeating group's summary, check your answers and the
    confirmation. 0 violations on each.
With JavaScript off:
  * "report a crime" is completed in English to a reference.

Prints one line per check ("OK /north-wales/ cy: 0 violations") and exits
non-zero if any check failed.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import traceback
import urllib.error
import urllib.request
from html.parser import HTMLParser
from urllib.parse import parse_qs, urljoin, urlsplit

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

try:  # selenium-axe-python (the package installed by install-test-deps)
    from selenium_axe_python import Axe
except ImportError:  # the older, differently named axe-selenium-python
    from axe_selenium_python import Axe

PAGES = ["/", "/metropolitan/", "/north-wales/", "/btp/", "/_dev/question-types", "/_dev/question-types?errors=1",
         # Crime in your area (scripts/browser-check imports the shared 2024-01 archive when present).
         "/crime", "/crime?q=Marquis+Street&date=2024-01", "/crime?q=Road",
         "/leicestershire/crime?lat=52.629729&lng=-1.131592&date=2024-01",
         # Neighbourhood pages (scripts/browser-check loads scripts/fixtures/leicestershire-neighbourhoods.geojson).
         "/leicestershire/neighbourhoods", "/leicestershire/neighbourhoods/NC04"]
LANGS = ["en", "cy"]
SKIP_LINK_HREF = "#main-content"
MAIN_ID = "main-content"

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")


class CheckFailed(Exception):
    """One assertion of a check did not hold; the message says which."""


def make_driver(javascript: bool = True) -> webdriver.Chrome:
    """A headless Chromium driven by Debian's chromedriver."""
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--window-size=1280,1024",
        "--lang=en-GB",
    ):
        opts.add_argument(arg)
    prefs = {"intl.accept_languages": "en-GB,en"}
    if not javascript:
        prefs["profile.managed_default_content_settings.javascript"] = 2
    opts.add_experimental_option("prefs", prefs)
    # An explicit chromedriver path: Selenium Manager never tries to download.
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=opts)
    driver.set_page_load_timeout(30)
    driver.set_script_timeout(60)
    return driver


def page_url(base: str, path: str, lang: str) -> str:
    url = base.rstrip("/") + path
    if lang != "cy":
        return url
    return url + ("&" if "?" in url else "?") + "lang=cy"


def http_status(url: str) -> int:
    """The status of a plain GET (Selenium does not expose it)."""
    req = urllib.request.Request(url, headers={"Accept": "text/html"})
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status
    except urllib.error.HTTPError as err:
        return err.code


def fresh_load(driver: webdriver.Chrome, url: str) -> None:
    """Load url with no cookies left from earlier pages."""
    driver.delete_all_cookies()
    driver.get(url)
    # A chromium error page (connection refused...) has this URL scheme.
    if driver.current_url.startswith("chrome-error://"):
        raise CheckFailed(f"page did not load ({driver.current_url})")


def format_violations(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"    - {v.get('id')} [{v.get('impact')}]: {v.get('help')}")
        if v.get("helpUrl"):
            lines.append(f"      {v['helpUrl']}")
        for node in v.get("nodes", []):
            target = ", ".join(str(t) for t in node.get("target", []))
            lines.append(f"      target: {target}")
    return "\n".join(lines)


def check_page(driver: webdriver.Chrome, base: str, path: str, lang: str) -> tuple[bool, str]:
    """All per-page checks. Returns (ok, summary text)."""
    url = page_url(base, path, lang)
    problems: list[str] = []
    details: list[str] = []
    n_violations = "?"

    status = http_status(url)
    if status != 200:
        problems.append(f"HTTP {status}")

    fresh_load(driver, url)

    title = (driver.title or "").strip()
    if not title:
        problems.append("empty or missing <title>")

    html_lang = driver.find_element(By.TAG_NAME, "html").get_attribute("lang") or ""
    if html_lang.split("-")[0].lower() != lang:
        problems.append(f"<html lang={html_lang!r}>, expected {lang!r}")

    axe = Axe(driver)
    axe.inject()
    results = axe.run()
    violations = results.get("violations", [])
    n_violations = str(len(violations))
    if violations:
        problems.append(f"{len(violations)} axe violation(s)")
        details.append(format_violations(violations))

    # Keyboard: a fresh load, then exactly one TAB.
    try:
        check_skip_link(driver, url)
    except CheckFailed as err:
        problems.append(f"keyboard: {err}")

    summary = f"{path} {lang}: {n_violations} violations"
    if problems:
        summary += " -- " + "; ".join(problems)
    if details:
        summary += "\n" + "\n".join(details)
    return (not problems, summary)


def check_skip_link(driver: webdriver.Chrome, url: str) -> None:
    fresh_load(driver, url)
    # Key presses go to the page itself: start from the document body.
    body = driver.find_element(By.TAG_NAME, "body")
    body.send_keys(Keys.TAB)
    el = driver.switch_to.active_element
    tag = (el.tag_name or "").lower()
    href = el.get_dom_attribute("href")
    if tag != "a" or href != SKIP_LINK_HREF:
        desc = driver.execute_script("return arguments[0].outerHTML.slice(0, 160)", el)
        raise CheckFailed(
            f"first TAB focused {desc!r}, expected <a href=\"{SKIP_LINK_HREF}\">"
        )
    if not driver.find_elements(By.ID, MAIN_ID):
        raise CheckFailed(f"skip link target id={MAIN_ID!r} not found")
    rect = driver.execute_script(
        "const r = arguments[0].getBoundingClientRect();"
        "return [r.width, r.height];",
        el,
    )
    if rect[0] <= 1 or rect[1] <= 1 or not el.is_displayed():
        raise CheckFailed(f"skip link is not visible when focused (size {rect[0]}x{rect[1]})")


class LinkParser(HTMLParser):
    """Collects the href of every <a> in a page (works with JavaScript off)."""

    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            if href is not None:
                self.hrefs.append(href)


def linked_paths(driver: webdriver.Chrome) -> set[str]:
    parser = LinkParser()
    parser.feed(driver.page_source)
    base = driver.current_url
    return {urlsplit(urljoin(base, h)).path for h in parser.hrefs}


def assert_wales_results(driver: webdriver.Chrome) -> None:
    paths = linked_paths(driver)
    if "/north-wales/" not in paths:
        raise CheckFailed("no link to /north-wales/")
    if "/metropolitan/" in paths:
        raise CheckFailed("still links to /metropolitan/ (not filtered)")


def check_no_js(base: str) -> list[tuple[bool, str]]:
    """The find-your-force filter without JavaScript."""
    out: list[tuple[bool, str]] = []
    driver = make_driver(javascript=False)
    try:
        # 1. The filtered URL itself.
        name = "no-js /?q=wales"
        try:
            fresh_load(driver, base.rstrip("/") + "/?q=wales")
            assert_wales_results(driver)
            out.append((True, f"{name}: links /north-wales/, not /metropolitan/"))
        except Exception as err:  # noqa: BLE001 - report and carry on
            out.append((False, f"{name}: {describe(err)}"))

        # 2. The form on / submitted with Enter, as a person would.
        name = "no-js form q=wales"
        try:
            fresh_load(driver, base.rstrip("/") + "/")
            fields = driver.find_elements(By.CSS_SELECTOR, "form input[name='q']")
            if not fields:
                raise CheckFailed("no <form> with an <input name=\"q\"> on /")
            before = driver.current_url
            fields[0].clear()
            fields[0].send_keys("wales", Keys.ENTER)
            WebDriverWait(driver, 15).until(lambda d: d.current_url != before)
            query = parse_qs(urlsplit(driver.current_url).query)
            if query.get("q") != ["wales"]:
                raise CheckFailed(f"form went to {driver.current_url}, expected ?q=wales")
            assert_wales_results(driver)
            out.append((True, f"{name}: submitted to {urlsplit(driver.current_url).path}?"
                              f"{urlsplit(driver.current_url).query}, filtered"))
        except Exception as err:  # noqa: BLE001
            out.append((False, f"{name}: {describe(err)}"))

        # 3. Crime in your area: a street name typed in the form, in Welsh, then Enter (only
        #    when police data is loaded: the page then has a month to choose).
        name = "no-js crime form q=Marquis Street (cy)"
        try:
            fresh_load(driver, base.rstrip("/") + "/crime?lang=cy")
            if driver.find_elements(By.CSS_SELECTOR, "select[name='date']"):
                field = driver.find_element(By.CSS_SELECTOR, "form input[name='q']")
                before = driver.current_url
                field.send_keys("Marquis Street", Keys.ENTER)
                WebDriverWait(driver, 15).until(lambda d: d.current_url != before)
                heading = next((h.text for h in driver.find_elements(By.TAG_NAME, "h2") if "Marquis Street" in h.text), "")
                if not heading or not driver.find_elements(By.CSS_SELECTOR, "svg[role='img']"):
                    raise CheckFailed(f"no results for Marquis Street (h2 {heading!r})")
                out.append((True, f"{name}: {heading}"))
            else:
                out.append((True, f"{name}: skipped, no police data loaded"))
        except Exception as err:  # noqa: BLE001
            out.append((False, f"{name}: {describe(err)}"))
    finally:
        driver.quit()
    return out


# Answers for the journey walk: the named choices, otherwise "no", otherwise the first.
PREFERRED = {
    "emergency-now": "no",
    "crime-kind": "something-else",
    "reporting-for": "me",
    "suspect-known": "yes",
    "add-another": "no",
    "update-method": "email",
}
TEXT_BY_SUFFIX = [
    ("-day", "3"), ("-month", "11"), ("-year", "2026"), ("-time", "14:30"), ("email", "walker@example.org"),
    ("phone", "07700 900982"), ("postcode", "LL18 1AA"), ("-registration", "AB12 CDE"), ("-latitude", ""),
    ("-longitude", ""), ("-age-range", "25-34"), ("-value", "20"), ("-serial", ""), ("-line2", ""),
]


def fill_and_send(driver: webdriver.Chrome) -> None:
    """Fill the page's main form as a person would, then press its button."""
    forms = driver.find_elements(By.CSS_SELECTOR, "main form[method='post']")
    if not forms:
        raise CheckFailed(f"no form on {driver.current_url}")
    form = forms[-1]
    radios: dict[str, list] = {}
    for radio in form.find_elements(By.CSS_SELECTOR, "input[type='radio']"):
        radios.setdefault(radio.get_attribute("name"), []).append(radio)
    for name, group in radios.items():
        values = [r.get_attribute("value") for r in group]
        wanted = PREFERRED.get(name) or ("exact" if name.endswith("-mode") else "no" if "no" in values else values[0])
        target = group[values.index(wanted)] if wanted in values else group[0]
        target.click()
    seen_checkbox_names: set[str] = set()
    for box in form.find_elements(By.CSS_SELECTOR, "input[type='checkbox']"):
        name = box.get_attribute("name")
        if name not in seen_checkbox_names and not box.is_selected():
            box.click()
        seen_checkbox_names.add(name)
    for field in form.find_elements(By.CSS_SELECTOR, "input[type='text'], input[type='email'], input[type='tel']"):
        name = field.get_attribute("name") or ""
        value = next((v for suffix, v in TEXT_BY_SUFFIX if name.endswith(suffix)), "Test answer")
        field.clear()
        if value:
            field.send_keys(value)
    for area in form.find_elements(By.TAG_NAME, "textarea"):
        area.clear()
        area.send_keys("It happened quickly.")
    press_and_wait(driver, form.find_element(By.CSS_SELECTOR, "button[type='submit']"))


def press_and_wait(driver: webdriver.Chrome, button) -> None:
    """Press a form's button and wait until the next page has replaced this one."""
    old = driver.find_element(By.TAG_NAME, "html").id
    button.click()

    def replaced(d: webdriver.Chrome) -> bool:
        try:
            return d.find_element(By.TAG_NAME, "html").id != old
        except Exception:  # noqa: BLE001 - mid-navigation; try again
            return False

    WebDriverWait(driver, 20).until(replaced)


def run_axe(driver: webdriver.Chrome) -> list[dict]:
    axe = Axe(driver)
    axe.inject()
    return axe.run().get("violations", [])


def walk_report_a_crime(driver: webdriver.Chrome, base: str, lang: str, with_axe: bool) -> tuple[bool, str]:
    """From the service's start page to a reference; axe on every page when with_axe."""
    start = f"{base.rstrip('/')}/metropolitan/services/report-crime?lang={lang}"
    driver.delete_all_cookies()
    driver.get(start)
    checked: list[str] = []
    problems: list[str] = []

    def audit(label: str) -> None:
        if not with_axe:
            return
        violations = run_axe(driver)
        checked.append(label)
        if violations:
            problems.append(f"{label}: {len(violations)} axe violation(s)\n{format_violations(violations)}")

    audit("start")
    press_and_wait(driver, driver.find_element(By.CSS_SELECTOR, "main form[method='post'] button[type='submit']"))
    sent_empty = False
    for _ in range(80):
        path = urlsplit(driver.current_url).path
        page = path.rstrip("/").split("/")[-1]
        if page == "confirmation":
            audit("confirmation")
            reference = driver.find_elements(By.CSS_SELECTOR, ".reference")
            if not reference:
                problems.append("no reference on the confirmation page")
            text = reference[0].text if reference else "?"
            html_lang = driver.find_element(By.TAG_NAME, "html").get_attribute("lang")
            if html_lang != lang:
                problems.append(f"confirmation in {html_lang!r}, expected {lang!r}")
            summary = f"journey report-crime {lang}{' (no JavaScript)' if not with_axe else ''}: reference {text}"
            if with_axe:
                summary += f", {len(checked)} pages checked with axe"
            return (not problems, summary + ("" if not problems else " -- " + "\n".join(problems)))
        audit(page)
        if page == "crime-type" and not sent_empty:
            # Send the first real question empty once: the error summary must pass too.
            sent_empty = True
            form = driver.find_elements(By.CSS_SELECTOR, "main form[method='post']")[-1]
            press_and_wait(driver, form.find_element(By.CSS_SELECTOR, "button[type='submit']"))
            if not driver.find_elements(By.CSS_SELECTOR, ".error-summary"):
                problems.append("an empty answer did not show the error summary")
            audit("error summary")
        fill_and_send(driver)
    return (False, f"journey report-crime {lang}: did not reach a reference (last page {driver.current_url})")


def check_journeys(base: str) -> list[tuple[bool, str]]:
    out: list[tuple[bool, str]] = []
    driver = make_driver(javascript=True)
    try:
        for lang in LANGS:
            try:
                out.append(walk_report_a_crime(driver, base, lang, with_axe=True))
            except Exception as err:  # noqa: BLE001
                out.append((False, f"journey report-crime {lang}: {describe(err)}"))
    finally:
        driver.quit()
    driver = make_driver(javascript=False)
    try:
        try:
            out.append(walk_report_a_crime(driver, base, "en", with_axe=False))
        except Exception as err:  # noqa: BLE001
            out.append((False, f"journey report-crime en (no JavaScript): {describe(err)}"))
    finally:
        driver.quit()
    return out


def describe(err: Exception) -> str:
    if isinstance(err, CheckFailed):
        return str(err)
    # Unexpected errors (timeouts, WebDriver errors): the first line is enough
    # for the summary; the traceback goes to stderr.
    traceback.print_exception(err, file=sys.stderr)
    text = (str(err).strip().splitlines() or [""])[0]
    return f"{type(err).__name__}: {text}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--base-url", required=True, help="e.g. http://127.0.0.1:8099")
    ap.add_argument(
        "--pages", default=",".join(PAGES),
        help="comma-separated paths to check (default: %(default)s)",
    )
    ap.add_argument(
        "--langs", default=",".join(LANGS),
        help="comma-separated languages, en and/or cy (default: %(default)s)",
    )
    ap.add_argument("--skip-no-js", action="store_true", help="skip the JavaScript-off checks")
    ap.add_argument("--skip-journeys", action="store_true", help="skip the online-service journeys")
    args = ap.parse_args()

    started = time.monotonic()
    results: list[tuple[bool, str]] = []

    driver = make_driver(javascript=True)
    try:
        for path in [p for p in args.pages.split(",") if p]:
            for lang in [l for l in args.langs.split(",") if l]:
                try:
                    ok, text = check_page(driver, args.base_url, path, lang)
                except Exception as err:  # noqa: BLE001
                    ok, text = False, f"{path} {lang}: {describe(err)}"
                results.append((ok, text))
                print(("OK " if ok else "FAIL ") + text, flush=True)
    finally:
        driver.quit()

    if not args.skip_no_js:
        for ok, text in check_no_js(args.base_url):
            results.append((ok, text))
            print(("OK " if ok else "FAIL ") + text, flush=True)

    if not args.skip_journeys:
        for ok, text in check_journeys(args.base_url):
            results.append((ok, text))
            print(("OK " if ok else "FAIL ") + text, flush=True)

    failed = sum(1 for ok, _ in results if not ok)
    secs = time.monotonic() - started
    if failed:
        print(f"browser-check: {failed} of {len(results)} checks FAILED ({secs:.1f}s)")
        return 1
    print(f"browser-check: all {len(results)} checks OK ({secs:.1f}s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
