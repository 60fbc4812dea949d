#!/usr/bin/env python3
"""scripts/browser-check-staff.py — the back office in a real (headless) Chromium.

Usage: python3 scripts/browser-check-staff.py --base-url URL --staff-file FILE

FILE is what `peel staff create` printed for a member of staff of the metropolitan force
with the contact-handler, supervisor and force-administrator roles (scripts/browser-check
creates one). The check signs in as a person would (password, then the current TOTP code,
computed here from the printed secret), then on each back-office page checks that axe-core
finds 0 violations and that the first TAB reaches the skip link:
  * the sign-in page and the code page;
  * the triage queue, a report's page (with its THRIVE, assignment, status and note forms),
    the same page in its error state (an empty assessment sent), and its audit trail;
  * the account page and the administration pages (services, a service's page wording, force
    details, staff, delivery to the records system);
  * with --national-file, the national team's sign-in, forces and catalogue pages.
It also checks that the sign-in page works with JavaScript off (the password form posts and
moves on to the code page), and that staff pages are sent with Cache-Control: no-store.

Exits non-zero if any check failed.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import struct
import sys
import time
import urllib.request

from selenium.webdriver.common.by import By

import importlib.util
import os

_spec = importlib.util.spec_from_file_location(
    "browser_check", os.path.join(os.path.dirname(os.path.abspath(__file__)), "browser-check.py"))
bc = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bc)  # type: ignore[union-attr]


def totp(secret_b32: str, at: float | None = None) -> str:
    """RFC 6238 (HMAC-SHA1, 30 s, 6 digits), as an authenticator app computes it."""
    key = base64.b32decode(secret_b32 + "=" * (-len(secret_b32) % 8))
    counter = int((at if at is not None else time.time()) // 30)
    mac = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    value = struct.unpack(">I", mac[offset:offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


def read_staff_file(path: str) -> dict[str, str]:
    values: dict[str, str] = {}
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("Created "):
                values["email"] = line.split()[1]
            elif ": " in line:
                key, value = line.strip().split(": ", 1)
                values[key] = value
    return values


def axe_and_keyboard(driver, label: str, area: str = "staff") -> tuple[bool, str]:
    problems: list[str] = []
    details: list[str] = []
    axe = bc.Axe(driver)
    axe.inject()
    violations = axe.run().get("violations", [])
    if violations:
        problems.append(f"{len(violations)} axe violation(s)")
        details.append(bc.format_violations(violations))
    lang = driver.find_element(By.TAG_NAME, "html").get_attribute("lang") or ""
    if not lang:
        problems.append("<html> has no lang")
    # Keyboard: reload the same page (keeping the session) and press TAB once.
    url = driver.current_url
    driver.get(url)
    body = driver.find_element(By.TAG_NAME, "body")
    body.send_keys(bc.Keys.TAB)
    el = driver.switch_to.active_element
    if (el.tag_name or "").lower() != "a" or el.get_dom_attribute("href") != bc.SKIP_LINK_HREF:
        problems.append("first TAB did not reach the skip link")
    summary = f"{area} {label}: {len(violations)} violations"
    if problems:
        summary += " -- " + "; ".join(problems)
    if details:
        summary += "\n" + "\n".join(details)
    return (not problems, summary)


def send_for_errors(driver, form: str, label: str, what: str, area: str = "staff") -> tuple[bool, str]:
    """Sends the form by keyboard (ENTER on its button, as a person who does not use a mouse
    would), expects the error summary, and checks the page with it."""
    driver.find_element(By.CSS_SELECTOR, f"{form} button[type=submit]").send_keys(bc.Keys.ENTER)
    try:
        bc.WebDriverWait(driver, 10).until(lambda d: "There is a problem" in d.page_source or "Mae problem" in d.page_source)
    except Exception:  # noqa: BLE001
        pass
    if "There is a problem" not in driver.page_source and "Mae problem" not in driver.page_source:
        return (False, f"{area} {label}: {what} showed no error summary (at {driver.current_url}: {driver.title})")
    return axe_and_keyboard(driver, label, area)


def sign_in(driver, base: str, staff: dict[str, str], realm: str = "metropolitan") -> None:
    driver.get(f"{base}/{realm}/staff/sign-in")
    driver.find_element(By.ID, "email").send_keys(staff["email"])
    driver.find_element(By.ID, "password").send_keys(staff["password"])
    driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    wait_for(driver, lambda url: url.endswith("/staff/sign-in/code"), "after the password")


def enter_code(driver, staff: dict[str, str], realm: str = "metropolitan") -> None:
    driver.find_element(By.ID, "code").send_keys(totp(staff["totp-secret"]))
    driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    wait_for(driver, lambda url: url.rstrip("/").endswith(f"/{realm}/staff"), "after the code")


def wait_for(driver, arrived, what: str) -> None:
    """Waits up to 10 s for a form's navigation to land where `arrived` says."""
    try:
        bc.WebDriverWait(driver, 10).until(lambda d: arrived(d.current_url))
    except Exception:  # noqa: BLE001
        raise bc.CheckFailed(f"{what}: {driver.current_url}") from None


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--base-url", required=True)
    ap.add_argument("--staff-file", required=True)
    ap.add_argument("--national-file", help="what `peel staff create` printed for a national administrator")
    args = ap.parse_args()
    base = args.base_url.rstrip("/")
    staff = read_staff_file(args.staff_file)
    results: list[tuple[bool, str]] = []

    def record(ok: bool, text: str) -> None:
        results.append((ok, text))
        print(("OK " if ok else "FAIL ") + text, flush=True)

    # Without JavaScript, the password form still moves on to the code page.
    nojs = bc.make_driver(javascript=False)
    try:
        sign_in(nojs, base, staff)
        record(True, "staff sign-in without JavaScript reaches the code page")
    except Exception as err:  # noqa: BLE001
        record(False, f"staff sign-in without JavaScript: {bc.describe(err)}")
    finally:
        nojs.quit()

    driver = bc.make_driver(javascript=True)
    try:
        driver.get(f"{base}/metropolitan/staff/sign-in")
        record(*axe_and_keyboard(driver, "sign-in"))
        sign_in(driver, base, staff)
        record(*axe_and_keyboard(driver, "code"))
        # The code page was reloaded by the keyboard check; a fresh code may be due.
        enter_code(driver, staff)
        record(*axe_and_keyboard(driver, "queue"))
        links = [a.get_attribute("href") for a in driver.find_elements(By.CSS_SELECTOR, "table a")]
        report = next((href for href in links if "/staff/reports/" in (href or "")), None)
        if report is None:
            record(False, "staff queue: no report to open (the journeys should have made some)")
        else:
            driver.get(report)
            record(*axe_and_keyboard(driver, "report"))
            record(*send_for_errors(driver, "form[action$='/assess']", "report with errors", "an empty assessment"))
            driver.get(report + "/audit")
            record(*axe_and_keyboard(driver, "audit trail"))
            # The journeys' reports share a reporter: a later one lists the earlier as possible duplicates.
            for href in [h for h in links if "/staff/reports/" in (h or "")]:
                driver.get(href)
                if "Possible duplicates" in driver.page_source:
                    record(*axe_and_keyboard(driver, "report with possible duplicates"))
                    break
            else:
                record(False, "staff report: no report lists possible duplicates (the journeys should have made some)")
        for path, label in [("account", "account"), ("admin/services", "services"),
                            ("admin/services/report-crime/pages", "page wording"), ("admin/force", "force details"),
                            ("admin/staff", "staff"), ("admin/delivery", "delivery"), ("admin/neighbourhoods", "neighbourhoods"),
                            # Last: the checks after this loop use the connection form.
                            ("admin/delivery/connection", "records-system connection")]:
            driver.get(f"{base}/metropolitan/staff/{path}")
            record(*axe_and_keyboard(driver, label))
        # The connection form, by keyboard: the standard API without an address or secret is refused
        # with the error summary, and nothing is saved.
        driver.find_element(By.ID, "adapter-standard-api").send_keys(bc.Keys.SPACE)
        record(*send_for_errors(driver, "form[action$='/connection']", "records-system connection with errors",
                                "the standard API without an address or secret"))
        request = urllib.request.Request(f"{base}/metropolitan/staff/sign-in")
        with urllib.request.urlopen(request, timeout=30) as response:
            cache = response.headers.get("Cache-Control")
        record(cache == "no-store", f"staff pages are sent with Cache-Control: {cache}")
    except Exception as err:  # noqa: BLE001
        record(False, f"staff pages: {bc.describe(err)}")
    finally:
        driver.quit()

    if args.national_file:
        national = read_staff_file(args.national_file)
        driver = bc.make_driver(javascript=True)
        try:
            driver.get(f"{base}/national/staff/sign-in")
            record(*axe_and_keyboard(driver, "national sign-in"))
            sign_in(driver, base, national, realm="national")
            enter_code(driver, national, realm="national")
            record(*axe_and_keyboard(driver, "national forces"))
            driver.get(f"{base}/national/staff/catalogue")
            record(*axe_and_keyboard(driver, "national catalogue"))
        except Exception as err:  # noqa: BLE001
            record(False, f"national pages: {bc.describe(err)}")
        finally:
            driver.quit()

    failed = sum(1 for ok, _ in results if not ok)
    print(f"browser-check-staff: {len(results) - failed} of {len(results)} checks OK")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
