"""Stored codes as the words people read: a purpose's category, what a camera views.

Plain functions, so that the domain (the gate's messages, the owner's access log) and the
forms use them without importing a template-tag module; cameras/templatetags/porchlight.py
only registers them as filters.
"""

from collections.abc import Iterable

from tenants.models import PURPOSE_LABELS

from .models import ViewTarget


def purpose_label(code: str) -> str:
    return str(PURPOSE_LABELS.get(code, code.replace("_", " ")))


def purpose_labels(codes: Iterable[str]) -> str:
    return ", ".join(purpose_label(c) for c in codes)


def view_labels(codes: Iterable[str]) -> str:
    labels = dict(ViewTarget.choices)
    return ", ".join(str(labels.get(c, c)) for c in codes)
