"""/healthz: database, Redis and Celery worker, as JSON; 503 when one is down."""

import time
from typing import Any

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse


def _check_database() -> dict[str, Any]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT postgis_lib_version()")
        (postgis,) = cursor.fetchone()
    return {"ok": True, "postgis": postgis}


def _check_redis() -> dict[str, Any]:
    if not settings.REDIS_URL:
        return {"ok": True, "detail": "not configured (in-memory channel layer, eager tasks)"}
    import redis

    client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
    client.ping()
    return {"ok": True}


def _check_celery() -> dict[str, Any]:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return {"ok": True, "detail": "tasks run eagerly in-process"}
    from config.celery import app

    replies = app.control.ping(timeout=1.0, limit=1)
    if not replies:
        return {"ok": False, "detail": "no Celery worker answered"}
    return {"ok": True, "workers": sorted(name for reply in replies for name in reply)}


def healthz(request: HttpRequest) -> JsonResponse:
    results: dict[str, Any] = {}
    for name, check in (("database", _check_database), ("redis", _check_redis), ("celery", _check_celery)):
        started = time.perf_counter()
        try:
            results[name] = check()
        except Exception as exc:  # a health check reports every failure instead of raising
            results[name] = {"ok": False, "detail": f"{type(exc).__name__}: {exc}"}
        results[name]["ms"] = round((time.perf_counter() - started) * 1000, 1)
    healthy = all(r["ok"] for r in results.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "checks": results}, status=200 if healthy else 503
    )
