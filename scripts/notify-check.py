"""Checks `peel fake-notify` with GOV.UK Notify's official Python client.

Run by scripts/notify-check, which starts the fake with its delivery receipts pointed at
--receiver-port. Every check prints one line; the exit status is the number of failures.
"""

import argparse
import http.server
import json
import logging
import sys
import threading
import time
import uuid

from notifications_python_client.errors import HTTPError
from notifications_python_client.notifications import NotificationsAPIClient

failures = 0


def check(what, condition, detail=""):
    global failures
    if condition:
        print(f"OK   {what}")
    else:
        failures += 1
        print(f"FAIL {what}{': ' + str(detail) if detail else ''}")


def refused(call):
    """The HTTPError a call raises, or None."""
    try:
        call()
    except HTTPError as error:
        return error
    return None


receipts = []


class Receiver(http.server.BaseHTTPRequestHandler):
    token = ""

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        receipts.append((self.headers.get("Authorization"), json.loads(body)))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"status":"applied"}')

    def log_message(self, *args):
        pass


def wait_for_status(client, notification_id, expected):
    status = None
    for _ in range(50):
        status = client.get_notification_by_id(notification_id)["status"]
        if status == expected:
            break
        time.sleep(0.1)
    return status


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--api-key", required=True)
    parser.add_argument("--receiver-port", type=int, required=True)
    parser.add_argument("--callback-token", required=True)
    args = parser.parse_args()
    # The client logs every refusal; the refusals here are expected, and checked below.
    logging.getLogger("notifications_python_client").setLevel(logging.CRITICAL)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", args.receiver_port), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()

    client = NotificationsAPIClient(args.api_key, base_url=args.base_url)

    # Templates: Peel's, found by name as a service would list them.
    templates = client.get_all_templates()["templates"]
    by_name = {t["name"]: t for t in templates}
    check("templates are listed with Notify's fields",
          all(set(t) >= {"id", "name", "type", "version", "subject", "body", "created_at"} for t in templates), templates[:1])
    sign_in_email = by_name["MyPolice sign-in code (email, English)"]
    sign_in_sms_cy = by_name["MyPolice sign-in code (text, Welsh)"]
    check("templates filter by type", {t["type"] for t in client.get_all_templates(template_type="sms")["templates"]} == {"sms"})
    check("one template by id", client.get_template(sign_in_email["id"])["body"] == sign_in_email["body"])

    # An email.
    reference = f"notify-check-{uuid.uuid4()}"
    sent = client.send_email_notification(
        email_address="sam@example.org", template_id=sign_in_email["id"], personalisation={"code": "482913"}, reference=reference)
    check("an email is answered with Notify's shape",
          set(sent) >= {"id", "reference", "content", "uri", "template"} and sent["reference"] == reference
          and set(sent["content"]) >= {"subject", "body", "from_email"} and set(sent["template"]) == {"id", "version", "uri"},
          sent)
    check("the email is rendered from the template",
          sent["content"]["body"].startswith("Your MyPolice code is 482913.") and sent["content"]["subject"] == "Your MyPolice code",
          sent["content"])
    check("its uri names it", sent["uri"].endswith(f"/v2/notifications/{sent['id']}"), sent["uri"])
    got = client.get_notification_by_id(sent["id"])
    check("it is read back by id", got["id"] == sent["id"] and got["type"] == "email" and got["email_address"] == "sam@example.org"
          and got["template"]["id"] == sign_in_email["id"], got)
    status = wait_for_status(client, sent["id"], "delivered")
    check("it is delivered", status == "delivered", status)

    # A text message, in Welsh.
    sms = client.send_sms_notification(
        phone_number="+447700900123", template_id=sign_in_sms_cy["id"], personalisation={"code": "123456"}, reference=reference)
    check("a text message is answered with its body and sender",
          sms["content"]["body"].startswith("Eich cod MyPolice yw 123456.") and "from_number" in sms["content"], sms["content"])
    check("the text message is delivered", wait_for_status(client, sms["id"], "delivered") == "delivered")

    # The test key's simulated failures.
    temporary = client.send_email_notification(
        email_address="temp-fail@simulator.notify", template_id=sign_in_email["id"], personalisation={"code": "1"})
    permanent = client.send_sms_notification(
        phone_number="07700900002", template_id=sign_in_sms_cy["id"], personalisation={"code": "1"})
    check("temp-fail@simulator.notify ends in temporary-failure",
          wait_for_status(client, temporary["id"], "temporary-failure") == "temporary-failure")
    check("07700900002 ends in permanent-failure", wait_for_status(client, permanent["id"], "permanent-failure") == "permanent-failure")

    # Lists.
    listed = client.get_all_notifications(reference=reference)
    check("notifications are listed by reference, newest first",
          [n["id"] for n in listed["notifications"]] == [sms["id"], sent["id"]], listed["notifications"])
    check("the list has its links", listed["links"]["current"].startswith(args.base_url) and "next" in listed["links"], listed["links"])
    delivered_sms = client.get_all_notifications(status="delivered", template_type="sms")["notifications"]
    check("notifications are listed by status and type", [n["id"] for n in delivered_sms] == [sms["id"]], delivered_sms)

    # Errors, as the client raises them: HTTPError with status_code and Notify's errors.
    error = refused(lambda: client.send_email_notification(email_address="sam@example.org", template_id=str(uuid.uuid4())))
    check("an unknown template is 400 BadRequestError 'Template not found'",
          error is not None and error.status_code == 400
          and error.message == [{"error": "BadRequestError", "message": "Template not found"}], error and error.message)
    error = refused(lambda: client.send_email_notification(email_address="sam@example.org", template_id=sign_in_email["id"]))
    check("missing personalisation is 400 BadRequestError",
          error is not None and error.status_code == 400
          and error.message == [{"error": "BadRequestError", "message": "Missing personalisation: code"}], error and error.message)
    error = refused(lambda: client.send_sms_notification(
        phone_number="01632 960001", template_id=sign_in_sms_cy["id"], personalisation={"code": "1"}))
    check("an invalid phone number is 400 ValidationError",
          error is not None and error.status_code == 400 and error.message[0]["error"] == "ValidationError", error and error.message)
    error = refused(lambda: client.send_sms_notification(
        phone_number="07700900123", template_id=sign_in_email["id"], personalisation={"code": "1"}))
    check("an email template sent as a text is 400 BadRequestError",
          error is not None and error.status_code == 400 and error.message[0]["error"] == "BadRequestError", error and error.message)
    error = refused(lambda: client.get_notification_by_id(str(uuid.uuid4())))
    check("an unknown notification is 404 NoResultFound",
          error is not None and error.status_code == 404 and error.message == [{"error": "NoResultFound", "message": "No result found"}],
          error and error.message)
    service_and_secret = args.api_key[-73:]
    wrong = NotificationsAPIClient(f"wrong-{service_and_secret[:36]}-{uuid.uuid4()}", base_url=args.base_url)
    error = refused(lambda: wrong.get_all_notifications())
    check("a wrong key is 403 AuthError",
          error is not None and error.status_code == 403
          and error.message == [{"error": "AuthError", "message": "Invalid token: signature, api token is not valid"}],
          error and error.message)
    stranger = NotificationsAPIClient(f"stranger-{uuid.uuid4()}-{uuid.uuid4()}", base_url=args.base_url)
    error = refused(lambda: stranger.get_all_notifications())
    check("another service's key is 403 AuthError 'service not found'",
          error is not None and error.status_code == 403 and error.message[0]["message"] == "Invalid token: service not found",
          error and error.message)
    import notifications_python_client.authentication as authentication
    real_epoch = authentication.epoch_seconds
    authentication.epoch_seconds = lambda: real_epoch() - 60
    try:
        error = refused(lambda: client.get_all_notifications())
    finally:
        authentication.epoch_seconds = real_epoch
    check("a token a minute old is 403 AuthError about the clock",
          error is not None and error.status_code == 403 and "30 seconds" in error.message[0]["message"], error and error.message)

    # Delivery receipts, with the callback token, in Notify's shape.
    expected = {sent["id"]: "delivered", sms["id"]: "delivered", temporary["id"]: "temporary-failure", permanent["id"]: "permanent-failure"}
    for _ in range(50):
        if {r["id"] for _, r in receipts} >= set(expected):
            break
        time.sleep(0.1)
    by_id = {r["id"]: (auth, r) for auth, r in receipts}
    check("a receipt is posted for each notification", set(by_id) >= set(expected), sorted(by_id))
    check("receipts carry the bearer token", all(auth == f"Bearer {args.callback_token}" for auth, _ in receipts),
          {auth for auth, _ in receipts})
    keys = {"id", "reference", "to", "status", "created_at", "completed_at", "sent_at", "notification_type", "template_id",
            "template_version"}
    check("receipts have exactly Notify's fields", all(set(r) == keys for _, r in receipts), receipts[:1])
    check("receipts give each final status", all(by_id.get(i, (None, {}))[1].get("status") == s for i, s in expected.items()),
          {i: by_id.get(i, (None, {}))[1].get("status") for i in expected})
    check("receipts' values are strings but template_version",
          all(isinstance(r["template_version"], int)
              and all(isinstance(v, str) or v is None for k, v in r.items() if k != "template_version") for _, r in receipts))

    server.shutdown()
    print(f"notify-check: {'all checks passed' if failures == 0 else f'{failures} failed'}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
