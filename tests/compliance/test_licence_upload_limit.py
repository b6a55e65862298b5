"""An oversized licence file is refused before its body is read: through the ASGI application
the server runs (config.asgi), with real multipart bodies, declared by Content-Length or sent
chunked without one. The page is the import page with a 413 and a sentence; nothing is stored."""

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.utils import translation

from accounts.models import Role
from compliance.models import LicenceImportJob
from tests.conftest import TenantClient

pytestmark = pytest.mark.django_db

HEADER = "License No,Business Name,Address,License Type\n"
LIMIT = 100 * 1024
CHUNK = 16 * 1024


@pytest.fixture(autouse=True)
def _small_limit(settings: Any, tmp_path: Path) -> None:
    settings.PORCHLIGHT_LICENCE_IMPORT_MAX_BYTES = LIMIT
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture(autouse=True)
def _language_restored() -> Iterator[None]:
    yield
    translation.deactivate()


@pytest.fixture
def admin(logged_in_staff: Any) -> TenantClient:
    client, _user = logged_in_staff(Role.DEPT_ADMIN)
    client.get("/console/licences/")  # the form's page sets the CSRF cookie
    return client


class Upload:
    """One POST of a multipart body through the ASGI application, in pieces of CHUNK bytes;
    records how many bytes the application read of it and what it answered."""

    def __init__(self, client: TenantClient, rows: int, *, declared: bool, language: str = "en") -> None:
        text = HEADER + "".join(f"PG-{n},Shop {n},{n} Main St,Retail\n" for n in range(rows))
        self.body = encode_multipart(
            BOUNDARY,
            {
                "source": "business_licence",
                "csrfmiddlewaretoken": client.cookies["csrftoken"].value,
                "file": _named(text.encode(), "city.csv"),
            },
        )
        cookies = "; ".join(f"{k}={v.value}" for k, v in client.cookies.items())
        headers = [
            (b"host", b"rialto.localhost"),
            (b"content-type", MULTIPART_CONTENT.encode()),
            (b"cookie", cookies.encode()),
            (b"accept-language", language.encode()),
        ]
        if declared:
            headers.append((b"content-length", str(len(self.body)).encode()))
        self.scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "POST",
            "scheme": "http",
            "path": "/console/licences/",
            "raw_path": b"/console/licences/",
            "query_string": b"",
            "root_path": "",
            "headers": headers,
            "client": ("127.0.0.1", 50000),
            "server": ("rialto.localhost", 80),
        }
        self.read = 0
        self.status = 0
        self.content = b""

    def run(self) -> "Upload":
        from config.asgi import application

        async def receive() -> dict[str, Any]:
            if self.read >= len(self.body):
                # A client still connected, waiting for the answer (Django stops listening once
                # it has answered).
                await asyncio.Future()
            piece = self.body[self.read : self.read + CHUNK]
            self.read += len(piece)
            return {"type": "http.request", "body": piece, "more_body": self.read < len(self.body)}

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                self.status = message["status"]
            elif message["type"] == "http.response.body":
                self.content += message.get("body", b"")

        # As Django's own test clients do: the handler's signal would close this test's
        # connection, and with it the transaction the test's data lives in.
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        try:
            async_to_sync(application)(self.scope, receive, send)
        finally:
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)
        return self

    @property
    def page(self) -> str:
        return self.content.decode()


def _named(content: bytes, name: str) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="text/csv")


def _stored(tmp_path: Path) -> list[Path]:
    return [p for p in (tmp_path / "media").rglob("*") if p.is_file()]


def test_a_declared_length_over_the_limit_is_refused_before_a_byte_is_read(admin: TenantClient, tmp_path: Path) -> None:
    upload = Upload(admin, rows=20_000, declared=True)

    upload.run()

    assert len(upload.body) > 5 * LIMIT
    assert upload.read == 0
    assert upload.status == 413
    assert "; at most 100.0\xa0KB can be imported. Split it into smaller files." in upload.page
    assert not LicenceImportJob.objects.exists()
    assert _stored(tmp_path) == []


def test_a_chunked_body_over_the_limit_is_cut_where_it_passes_it_and_refused(
    admin: TenantClient, tmp_path: Path
) -> None:
    upload = Upload(admin, rows=20_000, declared=False)

    upload.run()

    # read up to the limit and its framing margin, then one piece more at most: not the rest
    assert upload.read <= LIMIT + 64 * 1024 + CHUNK
    assert upload.read < len(upload.body) // 2
    assert upload.status == 413
    assert "This file is larger than 100.0\xa0KB: split it into smaller files." in upload.page
    assert not LicenceImportJob.objects.exists()
    assert _stored(tmp_path) == []


def test_the_refusal_of_a_chunked_body_is_in_spanish(admin: TenantClient) -> None:
    upload = Upload(admin, rows=20_000, declared=False, language="es").run()

    assert upload.status == 413
    assert "Este archivo ocupa más de 100,0\xa0KB" in upload.page


@pytest.mark.parametrize("declared", [True, False])
def test_a_file_under_the_limit_passes_whole_declared_or_chunked(admin: TenantClient, declared: bool) -> None:
    upload = Upload(admin, rows=200, declared=declared)

    upload.run()

    assert upload.read == len(upload.body)
    assert upload.status == 302
    job = LicenceImportJob.objects.get()
    assert (job.file_size, job.columns) == (
        len(HEADER) + sum(len(f"PG-{n},Shop {n},{n} Main St,Retail\n") for n in range(200)),
        ["License No", "Business Name", "Address", "License Type"],
    )
