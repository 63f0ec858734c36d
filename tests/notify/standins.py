"""Local stand-ins for the providers, speaking their protocols over real sockets on 127.0.0.1.

- SmtpStandIn: aiosmtpd's SMTP server; records envelopes, can refuse recipients or defer mail.
- EskizStandIn: the Eskiz HTTP API (login, send, status by id, the account's message history), with
  expiring tokens and scripted failures.
- TelegramStandIn: the Bot API's sendMessage.

Each can `hold()` the next message it takes: it is recorded (the provider has it), then the answer
waits until `release` is set (or `hold_limit` seconds) — the moment a worker killed then has sent a
message without knowing it.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import socket
import threading
import urllib.parse
import uuid
from dataclasses import dataclass, field
from email import policy
from email.parser import BytesParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- HTTP ------------------------------------------------------------------------------------------


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict
    body: bytes
    form: dict = field(default_factory=dict)
    json: dict = field(default_factory=dict)


class Holding:
    """`hold()` the next message taken: recorded, then answered only once `release` is set."""

    hold_limit = 10.0

    def _init_holding(self):
        self._hold_next = 0
        self.held = threading.Event()  # set while a message is being held
        self.held_peer: tuple[str, int] | None = None  # the client's address, while held
        self.release = threading.Event()

    def hold(self, count: int = 1):
        self.held.clear()
        self.release.clear()
        self._hold_next = count

    def _take_hold(self) -> bool:
        if self._hold_next <= 0:
            return False
        self._hold_next -= 1
        return True


class HttpStandIn(Holding):
    """A threaded HTTP server recording every request; subclasses answer in `respond`."""

    def __init__(self):
        self.requests: list[Recorded] = []
        self._failures: list[tuple[int, dict]] = []
        self._lock = threading.Lock()
        self._init_holding()
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def _handle(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                recorded = Recorded(self.command, self.path, dict(self.headers.items()), body)
                content_type = self.headers.get("Content-Type", "")
                if content_type.startswith("application/x-www-form-urlencoded"):
                    recorded.form = dict(urllib.parse.parse_qsl(body.decode()))
                elif content_type.startswith("application/json"):
                    recorded.json = json.loads(body or b"{}")
                with stand_in._lock:
                    stand_in.requests.append(recorded)
                    status, payload = stand_in.respond(recorded)
                    hold = 200 <= status < 300 and stand_in.holds(recorded) and stand_in._take_hold()
                if hold:
                    stand_in.held_peer = self.client_address[:2]
                    stand_in.held.set()
                    stand_in.release.wait(stand_in.hold_limit)
                answer = json.dumps(payload, ensure_ascii=False).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(answer)))
                    self.end_headers()
                    self.wfile.write(answer)
                except OSError:  # the client is gone (a worker killed while it waited)
                    self.close_connection = True

            do_GET = do_POST = do_PATCH = _handle

            def log_message(self, format, *args):  # keep the test output quiet
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def fail_next(self, *statuses: int, payload: dict | None = None):
        """Answer the next matching requests with these statuses (see `take_failure`)."""
        self._failures.extend((status, payload or {"message": f"stand-in error {status}"}) for status in statuses)

    def take_failure(self):
        return self._failures.pop(0) if self._failures else None

    def respond(self, request: Recorded) -> tuple[int, dict]:
        raise NotImplementedError

    def holds(self, request: Recorded) -> bool:
        """Whether `request` takes a message (what `hold()` holds)."""
        return False


class EskizStandIn(HttpStandIn):
    def __init__(self, *, email: str, password: str):
        super().__init__()
        self.email, self.password = email, password
        self.valid_tokens: set[str] = set()
        self.statuses: dict[str, str] = {}  # request id -> status reported by status_by_id
        self.history: list[dict] = []  # every SMS taken, as get-user-messages lists them
        self._tokens = itertools.count(1)
        self._sms_ids = itertools.count(4385001)

    @property
    def logins(self) -> list[Recorded]:
        return [r for r in self.requests if r.path == "/api/auth/login"]

    @property
    def sends(self) -> list[Recorded]:
        return [r for r in self.requests if r.path == "/api/message/sms/send"]

    @property
    def lookups(self) -> list[Recorded]:
        return [r for r in self.requests if r.path.startswith("/api/message/sms/get-user-messages")]

    def holds(self, request):
        return request.path == "/api/message/sms/send"

    def expire_tokens(self):
        self.valid_tokens.clear()

    def respond(self, request):
        if request.path == "/api/auth/login" and request.method == "POST":
            if request.form != {"email": self.email, "password": self.password}:
                return 401, {"message": "Unauthorized", "status": "error"}
            token = f"token-{next(self._tokens)}"
            self.valid_tokens.add(token)
            return 200, {"message": "token_generated", "data": {"token": token}, "token_type": "bearer"}
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        if token not in self.valid_tokens:
            return 401, {"message": "Expired", "status": "token-invalid"}
        if request.path == "/api/message/sms/send" and request.method == "POST":
            failure = self.take_failure()
            if failure:
                return failure
            request_id = str(uuid.uuid4())
            self.statuses[request_id] = "ACCEPTED"
            self.history.append(
                {
                    "id": next(self._sms_ids),
                    "request_id": request_id,
                    "user_sms_id": request.form.get("user_sms_id", ""),
                    "to": request.form.get("mobile_phone", ""),
                    "message": request.form.get("message", ""),
                    "status": "ACCEPTED",
                }
            )
            return 200, {"id": request_id, "message": "Waiting for SMS provider", "status": "waiting"}
        url = urllib.parse.urlsplit(request.path)
        if url.path == "/api/message/sms/get-user-messages" and request.method == "POST":
            failure = self.take_failure()
            if failure:
                return failure
            size = max(20, min(200, int(request.form.get("page_size") or 20)))
            page = int(dict(urllib.parse.parse_qsl(url.query)).get("page") or 1)
            last_page = max(1, -(-len(self.history) // size))
            rows = self.history[(page - 1) * size : page * size]
            data = {"current_page": page, "last_page": last_page, "per_page": size, "total": len(self.history)}
            return 200, {"status": "success", "data": {**data, "result": rows}}
        if request.path.startswith("/api/message/sms/status_by_id/") and request.method == "GET":
            request_id = request.path.rsplit("/", 1)[-1]
            if request_id not in self.statuses:
                return 404, {"status": "error", "message": "Not found"}
            return 200, {"status": "success", "data": {"request_id": request_id, "status": self.statuses[request_id]}}
        return 404, {"message": "Not found"}


class TelegramStandIn(HttpStandIn):
    def __init__(self, *, token: str):
        super().__init__()
        self.token = token
        self.blocked: set[str] = set()
        self._ids = itertools.count(100)

    def holds(self, request):
        return request.path.endswith("/sendMessage")

    def sent(self) -> list[Recorded]:
        """The sendMessage requests Telegram accepted."""
        return [r for r in self.requests if r.path == f"/bot{self.token}/sendMessage" and r.json.get("accepted")]

    def respond(self, request):
        if request.path != f"/bot{self.token}/sendMessage":
            return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
        failure = self.take_failure()
        if failure:
            status, _payload = failure
            return status, {"ok": False, "error_code": status, "description": "Internal Server Error"}
        chat = str(request.json.get("chat_id"))
        if chat in self.blocked:
            return 403, {"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked by the user"}
        result = {"message_id": next(self._ids), "chat": {"id": int(chat)}, "text": request.json.get("text")}
        request.json["accepted"] = True
        return 200, {"ok": True, "result": result}


# --- SMTP ------------------------------------------------------------------------------------------


@dataclass
class ReceivedMail:
    mail_from: str
    rcpt_tos: list[str]
    message: object  # email.message.EmailMessage


class SmtpStandIn(Holding):
    def __init__(self):
        self.received: list[ReceivedMail] = []
        self.refused: set[str] = set()  # recipients answered with 550
        self.defer_data = False  # answer DATA with 451 (try again later)
        self.port = free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._init_holding()

    def start(self):
        self.controller.start()
        return self

    def stop(self):
        self.controller.stop()

    # aiosmtpd handler hooks
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refused:
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.defer_data:
            return "451 4.3.0 Mail server busy, try again later"
        message = BytesParser(policy=policy.default).parsebytes(envelope.original_content or envelope.content)
        self.received.append(ReceivedMail(envelope.mail_from, list(envelope.rcpt_tos), message))
        if self._take_hold():  # the mail is taken; the client does not hear so until released
            self.held_peer = tuple(session.peer[:2])
            self.held.set()
            await asyncio.get_running_loop().run_in_executor(None, self.release.wait, self.hold_limit)
        return "250 Message accepted for delivery"


class TelegramBotStandIn(TelegramStandIn):
    """The Bot API for a long-polling bot: sendMessage (recorded, as above) and getUpdates serving
    queued updates. Like Telegram, a getUpdates call with `offset` confirms (forgets) every update
    below it; with `long_poll` set, a call finding nothing waits up to its `timeout` for an update."""

    def __init__(self, *, token: str):
        super().__init__(token=token)
        self.updates: list[dict] = []  # not yet confirmed
        self.long_poll = False
        self._update_ids = itertools.count(700_001)
        self._message_ids = itertools.count(1)
        self._arrived = threading.Condition(self._lock)  # the lock `respond` is called under
        self._closing = False
        # A bot stopped in the middle of a long poll has hung up; writing to it then is no error here.
        self.server.handle_error = lambda request, client_address: None

    def say(self, text: str, *, chat_id: int = 5512345678, language_code: str | None = "uz", chat_type="private"):
        """A person writes `text` to the bot; returns the update."""
        sender = {"id": chat_id if chat_type == "private" else 42, "is_bot": False, "first_name": "Vali"}
        if language_code is not None:
            sender["language_code"] = language_code
        update = {
            "update_id": next(self._update_ids),
            "message": {
                "message_id": next(self._message_ids),
                "from": sender,
                "chat": {"id": chat_id, "type": chat_type},
                "date": 1772690000,
                "text": text,
            },
        }
        with self._arrived:
            self.updates.append(update)
            self._arrived.notify_all()
        return update

    @property
    def polls(self) -> list[Recorded]:
        return [r for r in self.requests if r.path.endswith("/getUpdates")]

    def replies(self, chat_id: int | None = None) -> list[str]:
        """Texts sent with sendMessage (to one chat, if given), oldest first."""
        return [
            r.json.get("text")
            for r in self.requests
            if r.path.endswith("/sendMessage") and (chat_id is None or str(r.json.get("chat_id")) == str(chat_id))
        ]

    def stop(self):
        with self._arrived:
            self._closing = True
            self._arrived.notify_all()
        super().stop()

    def respond(self, request):
        if request.path != f"/bot{self.token}/getUpdates":
            return super().respond(request)
        failure = self.take_failure()
        if failure:
            status, _payload = failure
            return status, {"ok": False, "error_code": status, "description": "Bad Gateway"}
        offset = request.json.get("offset")
        if offset is not None:
            self.updates = [u for u in self.updates if u["update_id"] >= offset]
        if not self.updates and self.long_poll:
            self._arrived.wait_for(lambda: self.updates or self._closing, timeout=request.json.get("timeout") or 0)
        limit = request.json.get("limit") or 100
        return 200, {"ok": True, "result": list(self.updates[:limit])}
