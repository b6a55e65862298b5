"""The OpenAPI schema's error answers: every operation documents what it may refuse with.

drf-spectacular lists only the success response of a view; a client then meets 400, 401,
403 and 404 undocumented. This post-processing hook adds them, with the shape the API's
exception handler (accounts.api_base.exception_handler) gives them.
"""

from typing import Any

_ERROR = {
    "type": "object",
    "description": "A refusal: `detail` says why; a 400 about fields lists each field's messages under its name.",
    "properties": {"detail": {"type": "string"}},
    "additionalProperties": {"type": "array", "items": {"type": "string"}},
}
_METHODS = frozenset({"get", "post", "put", "patch", "delete"})


def _answer(text: str) -> dict[str, Any]:
    return {"description": text, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def add_error_responses(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = _ERROR
    for path, operations in result.get("paths", {}).items():
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
            if "{" in path:
                responses.setdefault("404", _answer("Not found (or not yours: the two are not told apart)."))
    return result
