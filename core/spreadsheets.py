"""CSV cells that a spreadsheet opens as text, never as a formula.

Text someone else typed (an officer's message, a case number, an owner's address) can start
with "=", "+", "-" or "@"; Excel and LibreOffice then run it as a formula (CSV injection,
OWASP). A leading apostrophe makes the cell plain text and shows nothing more.
"""

__all__ = ["csv_safe_cell"]

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe_cell(value: object) -> object:
    """``value`` as a CSV cell: a string that would start a formula is quoted as text."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
