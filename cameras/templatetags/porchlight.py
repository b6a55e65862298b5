"""Template filters that turn stored codes into words people read."""

from collections.abc import Iterable

from django import template

from cameras.models import ViewTarget
from tenants.models import PURPOSE_LABELS

register = template.Library()


@register.filter
def purpose_label(code: str) -> str:
    return str(PURPOSE_LABELS.get(code, code.replace("_", " ")))


@register.filter
def purpose_labels(codes: Iterable[str]) -> str:
    return ", ".join(purpose_label(c) for c in codes)


@register.filter
def view_labels(codes: Iterable[str]) -> str:
    labels = dict(ViewTarget.choices)
    return ", ".join(str(labels.get(c, c)) for c in codes)
