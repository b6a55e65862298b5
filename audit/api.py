"""The log's public transparency endpoints: no login, on the department's host.

``GET /audit-log/checkpoint`` is the latest signed checkpoint as text (C2SP tlog-checkpoint);
under ``/api/v1/log/`` the same as JSON, a checkpoint by size, consistency and inclusion
proofs (docs/transparency-log.md). Hashes are base64 (standard alphabet, as in the note).
Errors are the API's (accounts.api_base.error_body): ``{"detail", "code"}``, 400 for a
question that has no answer, 404 for what is not there. They say nothing that is not
public: hashes of the department's own log, never an event's contents.
"""

import base64
import re
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from accounts.api_base import error_body
from core.errors import DomainError, Invalid, NotFound
from core.http import status_of

from . import merkle
from .checkpoints import (
    ProofNotFound,
    checkpoint_latest,
    checkpoint_of_size,
    consistency_proof,
    inclusion_proof,
    key_fingerprint,
    log_origin,
    root_of,
    verifier_key,
)
from .models import SignedCheckpoint

_WHOLE = re.compile(r"\d{1,18}")
_CACHE = "public, max-age=60"


def _b64(value: bytes) -> str:
    return base64.b64encode(value).decode()


def _error(detail: str, code: str, status: int) -> JsonResponse:
    return JsonResponse(error_body(detail=detail, code=code), status=status)


def _optional(request: HttpRequest, name: str) -> int | None:
    text = request.GET.get(name, "")
    if text == "":
        return None
    if not _WHOLE.fullmatch(text.strip()):
        raise Invalid(
            _("%(name)s must be a whole number of events, e.g. 100.") % {"name": name}, code="not_a_number", field=name
        )
    return int(text)


def _required(request: HttpRequest, name: str) -> int:
    value = _optional(request, name)
    if value is None:
        raise Invalid(
            _("%(name)s is required: a whole number of events.") % {"name": name}, code="required", field=name
        )
    return value


def _public(view: Callable[[HttpRequest], JsonResponse]) -> Callable[..., HttpResponse]:
    """GET (and HEAD) only; bad input and proofs that cannot be given as the API's errors."""

    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method not in ("GET", "HEAD"):
            response: HttpResponse = _error(_("Only GET is allowed here."), "method_not_allowed", 405)
            response["Allow"] = "GET, HEAD"
            return response
        try:
            response = view(request)
        except DomainError as exc:  # bad input, or a proof that cannot be given: the API's error shape
            return _error(exc.message, "not_found" if isinstance(exc, NotFound) else "invalid", status_of(exc))
        response["Cache-Control"] = _CACHE
        return response

    wrapped.__doc__ = view.__doc__
    wrapped.__name__ = view.__name__
    # Public and read-only: no session is used, nothing is written. Exempt from the CSRF check,
    # which would answer a POST with its HTML 403 page before the documented JSON 405.
    return csrf_exempt(wrapped)


def _checkpoint_json(checkpoint: SignedCheckpoint) -> dict[str, Any]:
    return {
        "origin": log_origin(),
        "tree_size": checkpoint.tree_size,
        "root_hash": _b64(bytes(checkpoint.root_hash)),
        "time": checkpoint.made_at.isoformat().replace("+00:00", "Z"),
        "checkpoint": checkpoint.note,
        "key": {"verifier": verifier_key(), "fingerprint": key_fingerprint()},
    }


@_public
def checkpoint_api(request: HttpRequest) -> JsonResponse:
    """The latest checkpoint, or with ``?size=N`` the latest one of N events."""
    size = _optional(request, "size")
    checkpoint = checkpoint_latest() if size is None else checkpoint_of_size(size)
    if checkpoint is None:
        if size is None:
            raise ProofNotFound(_("The log has no checkpoint yet; the first is made within 15 minutes."))
        raise ProofNotFound(_("No checkpoint of %(size)s events was published.") % {"size": size})
    return JsonResponse(_checkpoint_json(checkpoint))


@_public
def consistency_api(request: HttpRequest) -> JsonResponse:
    """``?first=M&second=N``: the proof that the log of N events holds the log of M."""
    first, second = _required(request, "first"), _required(request, "second")
    proof = consistency_proof(first, second)
    return JsonResponse(
        {
            "first": first,
            "second": second,
            "proof": [_b64(value) for value in proof],
            # What the stored tree's roots are at both sizes (a witness checks its own).
            "first_root": _b64(root_of(first)),
            "second_root": _b64(root_of(second)),
        }
    )


@_public
def inclusion_api(request: HttpRequest) -> JsonResponse:
    """``?seq=S[&tree_size=N]``: the proof that event #S is leaf S-1 of the log of N events
    (default: the latest checkpoint's)."""
    seq, size = _required(request, "seq"), _optional(request, "tree_size")
    inclusion = inclusion_proof(seq, size)
    checkpoint = checkpoint_of_size(inclusion.tree_size)
    return JsonResponse(
        {
            "seq": inclusion.seq,
            "leaf_index": inclusion.leaf_index,
            "tree_size": inclusion.tree_size,
            "leaf": inclusion.chain_hash,
            "leaf_hash": _b64(merkle.leaf_hash(merkle.event_leaf(inclusion.chain_hash))),
            "proof": [_b64(value) for value in inclusion.proof],
            "checkpoint": checkpoint.note if checkpoint is not None else None,
        }
    )


@csrf_exempt  # public and read-only (as _public): a POST gets the 405, not the CSRF page
def checkpoint_note(request: HttpRequest) -> HttpResponse:
    """The latest checkpoint as the signed note itself (text/plain), for C2SP tools."""
    if request.method not in ("GET", "HEAD"):
        return HttpResponse(status=405, headers={"Allow": "GET, HEAD"})
    checkpoint = checkpoint_latest()
    if checkpoint is None:
        return HttpResponse(
            _("The log has no checkpoint yet.") + "\n", status=404, content_type="text/plain; charset=utf-8"
        )
    response = HttpResponse(checkpoint.note, content_type="text/plain; charset=utf-8")
    response["Cache-Control"] = _CACHE
    return response
