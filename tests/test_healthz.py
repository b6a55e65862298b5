"""/healthz: JSON for database, Redis and Celery; 503 when one is down."""

from typing import Any

from tests.conftest import TenantClient


def test_healthz_is_ok_with_everything_up(public_client: TenantClient) -> None:
    response = public_client.get("/healthz")

    body = response.json()
    assert response.status_code == 200
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "redis", "celery"}
    assert body["checks"]["database"]["postgis"]


def test_healthz_is_503_when_redis_is_down(public_client: TenantClient, settings: Any) -> None:
    settings.REDIS_URL = "redis://127.0.0.1:1/0"

    response = public_client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["checks"]["redis"]["ok"] is False


def test_healthz_is_503_when_no_worker_answers(public_client: TenantClient, settings: Any) -> None:
    settings.CELERY_TASK_ALWAYS_EAGER = False  # no worker runs in this test

    response = public_client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["checks"]["celery"] == {
        "ok": False,
        "detail": "no Celery worker answered",
        "ms": response.json()["checks"]["celery"]["ms"],
    }


def test_healthz_works_on_department_hosts(rialto_client: TenantClient) -> None:
    response = rialto_client.get("/healthz")

    assert response.status_code == 200


def test_pages_carry_a_content_security_policy(rialto_client: TenantClient) -> None:
    response = rialto_client.get("/")

    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
