"""The API's JSON parser: text the database can store, or a 400 that says why.

JSON may spell characters no UTF-8 text can hold (a lone surrogate, "\\ud800") and the
NUL character ("\\u0000"), which PostgreSQL text refuses. Either would reach a serializer
and fail later, as a 500 when the error message echoes the input or the row is written.
"""

from typing import Any

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


def _check(value: Any, path: str) -> None:
    if isinstance(value, str):
        if "\x00" in value:
            raise ParseError(f"{path or 'The body'}: text may not contain the NUL character (\\u0000).")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise ParseError(
                f"{path or 'The body'}: text contains a lone surrogate (e.g. \\ud800), which is not a character."
            ) from None
    elif isinstance(value, dict):
        for key, item in value.items():
            _check(key, path)
            _check(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check(item, f"{path}[{index}]")


class StrictTextJSONParser(JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
            _check(data, "")
        except RecursionError:  # ~1,000 nested arrays: the decoder (or the check) runs out of stack
            raise ParseError("The JSON is nested too deeply.") from None
        return data
