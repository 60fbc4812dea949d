#!/usr/bin/env python3
"""scripts/browser-check-portal.py — MyPolice in a real (headless) Chromium, in English and Welsh.

Usage: python3 scripts/browser-check-portal.py --base-url URL [--email ADDRESS]

Run after scripts/browser-check.py, whose journeys made reports with ADDRESS (default
walker@example.org). In each language the check signs in as a person would: it asks for a
code, reads it from the demo mailbox (/_dev/mailbox.json), and enters it. On each page axe-core
must find 0 violations and the first TAB must reach the skip link:
  * the sign-in page, and its error state (no address);
  * the code page, and its error state (a wrong code);
  * the person's reports, a report's page, its error state (an empty message), and after a
    message is sent;
  * the account page, the privacy notice and the Victims' Code.
Without JavaScript, a person signs in and sends a message. Portal pages are sent no-store.

Exits non-zero if any check failed.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import re
import sys
import time
import urllib.request

from selenium.webdriver.common.by import By


def _load(name: str, file: str):
    spec = importlib.util.spec_from_file_location(name, os.path.join(os.path.dirname(os.path.abspath(__file__)), file))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


bc = _load("browser_check", "browser-check.py")
staff = _load("browser_check_staff", "browser-check-staff.py")


def latest_code(base: str, email: str, after: set[str]) -> str:
    """The six digits of the newest message to `email` in the demo mailbox not seen before."""
    deadline = time.time() + 20
    while time.time() < deadline:
        with urllib.request.urlopen(f"{base}/_dev/mailbox.json", timeout=10) as response:
            messages = json.load(response)
        for message in messages:
            if message.get("to") == email and message.get("id") not in after:
                found = re.search(r"\b(\d{6})\b", message.get("body", ""))
                if found:
                    after.add(message.get("id"))
                    return found.group(1)
        time.sleep(0.25)
    raise bc.CheckFailed(f"no sign-in code for {email} reached the mailbox")


def seen_ids(base: str) -> set[str]:
    with urllib.request.urlopen(f"{base}/_dev/mailbox.json", timeout=10) as response:
        return {m.get("id") for m in json.load(response)}


def sign_in(driver, base: str, lang: str, email: str) -> None:
    seen = seen_ids(base)
    driver.get(f"{base}/metropolitan/my/sign-in?lang={lang}")
    driver.find_element(By.ID, "email").send_keys(email)
    driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    staff.wait_for(driver, lambda url: "/my/sign-in/code" in url, "after the email address")
    code = latest_code(base, email, seen)
    driver.find_element(By.ID, "code").send_keys(code)
    driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    staff.wait_for(driver, lambda url: url.split("?")[0].endswith("/metropolitan/my/"), "after the code")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--base-url", required=True)
    ap.add_argument("--email", default="walker@example.org")
    args = ap.parse_args()
    base = args.base_url.rstrip("/")
    results: list[tuple[bool, str]] = []

    def record(ok: bool, text: str) -> None:
        results.append((ok, text))
        print(("OK " if ok else "FAIL ") + text, flush=True)

    for lang in ("en", "cy"):
        driver = bc.make_driver(javascript=True)
        area = f"mypolice {lang}"
        try:
            driver.get(f"{base}/metropolitan/my/sign-in?lang={lang}")
            record(*staff.axe_and_keyboard(driver, "sign-in", area))
            record(*staff.send_for_errors(driver, "form[action$='/my/sign-in']", "sign-in with errors", "no address", area))
            seen = seen_ids(base)
            driver.find_element(By.ID, "email").clear()
            driver.find_element(By.ID, "email").send_keys(args.email)
            driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
            staff.wait_for(driver, lambda url: "/my/sign-in/code" in url, "after the email address")
            record(*staff.axe_and_keyboard(driver, "code", area))
            code = latest_code(base, args.email, seen)
            wrong = "000000" if code != "000000" else "111111"
            driver.find_element(By.ID, "code").send_keys(wrong)
            record(*staff.send_for_errors(driver, "form[action$='/my/sign-in/code']", "code with errors", "a wrong code", area))
            driver.find_element(By.ID, "code").send_keys(code)
            driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
            staff.wait_for(driver, lambda url: url.split("?")[0].endswith("/metropolitan/my/"), "after the code")
            record(*staff.axe_and_keyboard(driver, "your reports", area))
            report = next((a.get_attribute("href") for a in driver.find_elements(By.CSS_SELECTOR, "table a")
                           if "/my/reports/" in (a.get_attribute("href") or "")), None)
            if report is None:
                record(False, f"{area}: no report listed (the journeys should have made some with {args.email})")
            else:
                driver.get(report)
                record(*staff.axe_and_keyboard(driver, "report", area))
                record(*staff.send_for_errors(driver, "form[action$='/messages']", "report with errors", "an empty message", area))
                driver.get(report)
                driver.find_element(By.ID, "message").send_keys("Is there any news about my report?")
                driver.find_element(By.CSS_SELECTOR, "form[action$='/messages'] button[type=submit]").click()
                staff.wait_for(driver, lambda url: "done=sent" in url, "after sending a message")
                record(*staff.axe_and_keyboard(driver, "report after a message", area))
            for path, label in [("account", "account"), ("privacy", "privacy notice"), ("victims-code", "Victims' Code")]:
                driver.get(f"{base}/metropolitan/my/{path}?lang={lang}")
                record(*staff.axe_and_keyboard(driver, label, area))
        except Exception as err:  # noqa: BLE001
            record(False, f"{area}: {bc.describe(err)}")
        finally:
            driver.quit()

    # Without JavaScript: sign in and send a message.
    nojs = bc.make_driver(javascript=False)
    try:
        sign_in(nojs, base, "en", args.email)
        report = next((a.get_attribute("href") for a in nojs.find_elements(By.CSS_SELECTOR, "table a")
                       if "/my/reports/" in (a.get_attribute("href") or "")), None)
        if report is None:
            raise bc.CheckFailed("no report listed")
        nojs.get(report)
        nojs.find_element(By.ID, "message").send_keys("Sent without JavaScript.")
        nojs.find_element(By.CSS_SELECTOR, "form[action$='/messages'] button[type=submit]").click()
        staff.wait_for(nojs, lambda url: "done=sent" in url, "after sending a message")
        record("Sent without JavaScript." in nojs.page_source, "mypolice without JavaScript: signed in and sent a message")
    except Exception as err:  # noqa: BLE001
        record(False, f"mypolice without JavaScript: {bc.describe(err)}")
    finally:
        nojs.quit()

    with urllib.request.urlopen(f"{base}/metropolitan/my/sign-in", timeout=30) as response:
        cache = response.headers.get("Cache-Control")
    record(cache == "no-store", f"MyPolice pages are sent with Cache-Control: {cache}")

    failed = sum(1 for ok, _ in results if not ok)
    print(f"browser-check-portal: {len(results) - failed} of {len(results)} checks OK")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
