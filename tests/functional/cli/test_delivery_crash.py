"""The delivery worker killed (SIGKILL) at random points, again and again: in the end every message is
sent, each is recorded once in the contact ledger, and the mailbox holds exactly one copy of each
(a message the dead worker had handed over is sent again with the same Message-ID). Real
subprocesses, a real SMTP server on loopback, a database of the test's own."""

from __future__ import annotations

import email
import email.policy
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import psycopg
from aiosmtpd.controller import Controller
from test_import_crash import database  # noqa: F401  (the fixture: a database of the test's own)

RECOUP = str(Path(sys.executable).with_name("recoup"))
PYTHON = sys.executable
MESSAGES = 40
ZONES = ["Pacific/Honolulu", "America/Los_Angeles", "America/Chicago", "America/New_York", "Europe/London",
         "Europe/Berlin", "Europe/Moscow", "Asia/Dubai", "Asia/Kolkata", "Asia/Hong_Kong", "Asia/Tokyo",
         "Australia/Sydney", "Pacific/Auckland"]  # fmt: skip
QUEUE = """
import sys
import django
django.setup()
from django.utils import timezone
from recoup.accounts.models import Account
from recoup.communications.services import UnableToSend, queue_message
from recoup.parties.models import ContactPoint, Debtor
# Everyone in a zone where it is working hours now, and no phone area code putting them elsewhere:
# this test is about delivery, not hours, and must run at any time of day.
Debtor.objects.update(time_zone=sys.argv[1])
ContactPoint.objects.filter(kind="phone").update(do_not_contact=True)
queued = 0
for account in Account.objects.filter(status="active").order_by("id"):
    try:
        queue_message(
            account=account, template_code="payment-reminder", channel="email", now=timezone.now(), actor=None
        )
    except UnableToSend:
        continue
    queued += 1
    if queued == int(sys.argv[2]):
        break
print(queued)
"""


class Mailbox:
    def __init__(self) -> None:
        self.ids: list[str] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.ids.append(email.message_from_bytes(envelope.content, policy=email.policy.default)["Message-ID"])
        return "250 OK"


def query(url: str, sql: str) -> list[tuple[Any, ...]]:
    """Run one statement on the test's database (committed); the rows of a SELECT."""
    if url.startswith("sqlite"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as connection:
            return list(connection.execute(sql).fetchall())
    with psycopg.connect(url) as connection:
        cursor = connection.execute(sql)
        return [tuple(row) for row in cursor.fetchall()] if cursor.description else []


def sent_count(url: str) -> int:
    return int(query(url, "SELECT COUNT(*) FROM communications_message WHERE status = 'sent'")[0][0])


def test_killed_delivery_workers_leave_every_message_delivered_once(database: str, tmp_path: Path) -> None:  # noqa: F811
    box = Mailbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        clean = {
            k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "RECOUP_", "DJANGO_", "EMAIL_"))
        }
        env = {
            **clean,
            "DATABASE_URL": database,
            "RECOUP_DATA_DIR": str(tmp_path),
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(port),
            "DJANGO_SETTINGS_MODULE": "recoup.project.settings",
        }
        for args in (["migrate"], ["demo-data", "--accounts", "300"]):
            subprocess.run([RECOUP, *args], env=env, check=True, capture_output=True, text=True)
        now = datetime.now(UTC)
        zone = next(z for z in ZONES if 9 <= now.astimezone(ZoneInfo(z)).hour <= 17)  # their working day
        queued = subprocess.run(
            [PYTHON, "-c", QUEUE, zone, str(MESSAGES)], env=env, check=True, capture_output=True, text=True
        )
        assert int(queued.stdout.strip()) == MESSAGES, queued.stderr

        rng = random.Random(2026)
        kills = 0
        for _ in range(5):
            sent = sent_count(database)
            if sent >= MESSAGES:
                break
            target = min(MESSAGES - 1, sent + rng.randint(1, 8))  # die after a few more, at a random point
            worker = subprocess.Popen(
                [RECOUP, "messages", "deliver"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
            while worker.poll() is None and sent_count(database) < target:
                time.sleep(0.005)
            if worker.poll() is None:
                os.kill(worker.pid, signal.SIGKILL)
                kills += 1
            worker.wait(timeout=60)
            # Five minutes on: the leases of messages the dead worker held run out.
            query(
                database,
                "UPDATE communications_message SET not_before = '2000-01-01 00:00:00+00:00' WHERE status = 'sending'",
            )
        final = subprocess.run([RECOUP, "messages", "deliver"], env=env, capture_output=True, text=True, check=True)
        assert "failed 0" in final.stdout, final.stdout

        statuses = dict(query(database, "SELECT status, COUNT(*) FROM communications_message GROUP BY status"))
        errors = query(database, "SELECT detail FROM communications_message_event WHERE status = 'deferred' LIMIT 3")
        assert statuses == {"sent": MESSAGES}, errors
        keys = {f"<{k}@recoup>" for (k,) in query(database, "SELECT delivery_key FROM communications_message")}
        assert set(box.ids) == keys, "every message reached the mail server"
        assert len(set(box.ids)) == MESSAGES, "the mailbox keeps one copy of each"
        contacts = query(database, "SELECT COUNT(*) FROM compliance_contact WHERE channel = 'email'")
        assert contacts[0][0] == MESSAGES, "each delivery is recorded once in the contact ledger"
        assert kills >= 1, "at least one worker was killed mid-run"
    finally:
        controller.stop()
