"""The OpenAPI schema's error answers: every operation documents what it may refuse with.

drf-spectacular lists only the success response of a view; a client then meets 400, 401,
403 and 404 undocumented. This post-processing hook adds them, all with the one shape the
API's exception handler (accounts.api_base.exception_handler) gives them: ``Error``.
"""

from typing import Any

from .api_base import ERROR_CODES

_ERROR = {
    "type": "object",
    "description": "A refusal or failure: `detail` says why in a sentence, `code` is a machine code "
    "(docs/api-errors.md). A 400 about the input names each field (or `page`, a query parameter) in "
    "`fields`, by its path (`windows[0].end`); `non_field_errors` holds what concerns no one field.",
    "properties": {
        "detail": {"type": "string"},
        "code": {"type": "string", "enum": list(ERROR_CODES)},
        "fields": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
        "reason": {
            "type": "string",
            "description": "With `access_denied`: the access gate's reason code (docs/audit-events.md).",
        },
        "other_department": {
            "type": "object",
            "description": "With a `location` error: the Porchlight department that covers the point.",
            "properties": {"name": {"type": "string"}, "url": {"type": "string"}},
        },
    },
    "required": ["detail", "code"],
}
_METHODS = frozenset({"get", "post", "put", "patch", "delete"})
_REF = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}


def _answer(text: str) -> dict[str, Any]:
    return {"description": text, "content": _REF}


def add_error_responses(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = _ERROR
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if method not in _METHODS:
                continue
            responses = operation.setdefault("responses", {})
            if method in {"post", "put", "patch"} or operation.get("parameters"):
                responses.setdefault("400", _answer("The input is not valid: the answer says which field and why."))
            responses.setdefault("401", _answer("No valid session or API token."))
            responses.setdefault(
                "403", _answer("Not allowed: wrong role, no two-factor session, or (staff) no valid purpose.")
            )
            # Every path can be a 404: an id in the path that matches nothing of yours, or (at
            # any path) a missing trailing slash.
            responses.setdefault("404", _answer("Not found (or not yours: the two are not told apart)."))
            if "requestBody" in operation:
                responses.setdefault("415", _answer("The body's media type is not one this operation reads."))
            responses.setdefault("500", _answer("The server failed; the error was logged."))
            for code, response in responses.items():
                # A view's own description of a refusal is kept; its shape is always Error's.
                if code[0] in "45":
                    response["content"] = _REF
                    response.setdefault("description", "")
    return result
