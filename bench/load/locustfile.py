"""The Porchlight load mix (bench/load/README in bench/README.md): residents browsing their
cameras and editing consent, officers searching the map through the API and opening console
pages, oversight board members reading the log. Users and their credentials come from
bench/load/prepare.py (LOAD_USERS, default .local/load-users.json).

Mix, by simulated users (weights): residents 6, officers 3, board 1. Each user waits 0.5-2 s
between tasks, as a person clicking does. Every answer other than the expected status counts
as a failure, named by page.
"""

import itertools
import json
import os
import random
import re
import threading
from typing import Any

import pyotp
from locust import HttpUser, between, task

USERS = json.loads(open(os.environ.get("LOAD_USERS", ".local/load-users.json")).read())  # noqa: SIM115
HOST = USERS["host"]
CENTRE = USERS["centre"]
_lock = threading.Lock()
_officers = itertools.cycle(USERS["officers"])
_board = itertools.cycle(USERS["board"])
_residents = itertools.cycle(USERS["residents"])
_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _next(pool: "itertools.cycle[dict[str, Any]]") -> dict[str, Any]:
    with _lock:
        return next(pool)


class Visitor(HttpUser):
    abstract = True
    wait_time = between(0.5, 2.0)

    def on_start(self) -> None:
        self.client.headers["Host"] = HOST
        self.client.headers["Accept-Encoding"] = "gzip"

    def sign_in(self, email: str, password: str, totp: str | None = None) -> None:
        page = self.client.get("/accounts/login/", name="sign-in form")
        token = _CSRF.search(page.text)
        with self.client.post(
            "/accounts/login/",
            data={"login": email, "password": password, "csrfmiddlewaretoken": token[1] if token else ""},
            name="sign-in",
            allow_redirects=False,
            catch_response=True,
        ) as answer:
            if answer.status_code != 302:
                answer.failure(f"sign-in answered {answer.status_code}")
                return
            if totp is None:
                return
        step = self.client.get("/accounts/2fa/authenticate/", name="second step form")
        token = _CSRF.search(step.text)
        with self.client.post(
            "/accounts/2fa/authenticate/",
            data={"code": pyotp.TOTP(totp).now(), "csrfmiddlewaretoken": token[1] if token else ""},
            name="second step",
            allow_redirects=False,
            catch_response=True,
        ) as answer:
            if answer.status_code != 302 or "/accounts/" in answer.headers.get("Location", ""):
                answer.failure(f"second step answered {answer.status_code} {answer.headers.get('Location', '')}")


class Resident(Visitor):
    weight = 6

    def on_start(self) -> None:
        super().on_start()
        self.me = _next(_residents)
        self.sign_in(self.me["email"], self.me["password"])

    @task(1)
    def home(self) -> None:
        self.client.get("/", name="portal home")

    @task(3)
    def my_cameras(self) -> None:
        self.client.get("/my/", name="my cameras")

    @task(2)
    def access_history(self) -> None:
        self.client.get("/my/access/", name="my access history")

    @task(1)
    def edit_consent(self) -> None:
        camera = random.choice(self.me["cameras"])  # noqa: S311 (load mix, not security)
        url = f"/api/v1/me/cameras/{camera}/consent/"
        current = self.client.get(url, name="api consent read", headers={"Accept": "application/json"})
        if current.status_code != 200:
            return
        body = current.json()
        self.client.put(
            url,
            json={"level": body["level"], "notify_on_access": bool(body.get("notify_on_access", False))},
            headers={"X-CSRFToken": self.client.cookies.get("csrftoken", ""), "Referer": f"http://{HOST}/my/"},
            name="api consent edit",
        )


class Officer(Visitor):
    weight = 3

    def on_start(self) -> None:
        super().on_start()
        self.me = _next(_officers)
        self.sign_in(self.me["email"], self.me["password"], self.me["totp"])

    @task(6)
    def api_search(self) -> None:
        lat = CENTRE["lat"] + random.uniform(-0.01, 0.01)  # noqa: S311
        lon = CENTRE["lon"] + random.uniform(-0.01, 0.01)  # noqa: S311
        self.client.get(
            "/api/v1/cameras/search/",
            params={"lat": f"{lat:.6f}", "lon": f"{lon:.6f}", "radius_m": 1000, "purpose": self.me["purpose"]},
            headers={"Authorization": f"Token {self.me['token']}", "Accept": "application/json"},
            name="api search",
        )

    @task(1)
    def console_map(self) -> None:
        self.client.get("/console/", name="console map")

    @task(1)
    def incidents(self) -> None:
        self.client.get("/console/incidents/", name="console incidents")


class Board(Visitor):
    weight = 1

    def on_start(self) -> None:
        super().on_start()
        self.me = _next(_board)
        self.sign_in(self.me["email"], self.me["password"], self.me["totp"])

    @task(2)
    def log(self) -> None:
        self.client.get("/oversight/", name="board log")

    @task(1)
    def dashboard(self) -> None:
        self.client.get("/oversight/dashboard/", name="board dashboard")

    @task(2)
    def search(self) -> None:
        self.client.get("/oversight/search/", params={"action": "search"}, name="board log search")
