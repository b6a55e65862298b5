"""The API's pages: ``?page=N`` from 1 to the last page; anything else is a 400 naming ``page``.

DRF answers a page it cannot serve (0, -1, "abc", one past the end) with a 404, which reads
as "this list does not exist". A client that asks for a page that is not one of the list
has made a mistake in its input: a 400 that names the parameter and says the last page. The
first page of an empty list is an empty page, so that a client can always start at 1.
"""

from collections.abc import Sequence
from typing import Any

from django.core.paginator import InvalidPage
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request


class PagePagination(PageNumberPagination):
    page_size = 50
    last_page_strings = ()  # "last" is not a number: one rule, whole numbers from 1

    def paginate_queryset(
        self, queryset: QuerySet[Any] | Sequence[Any], request: Request, view: Any = None
    ) -> list[Any] | None:
        page_size = self.get_page_size(request)
        if not page_size:  # pagination switched off, as DRF's own
            return None
        text = request.query_params.get(self.page_query_param, "1")
        # A number past 20 digits is no page (and int() refuses more than 4,300 digits).
        if not (text.isascii() and text.isdigit()) or len(text) > 20 or int(text) < 1:
            raise ValidationError({self.page_query_param: [_("A page number is a whole number from 1 up.")]})
        paginator = self.django_paginator_class(queryset, page_size)
        try:
            self.page = paginator.page(int(text))
        except InvalidPage:
            raise ValidationError(
                {
                    self.page_query_param: [
                        _("There is no page %(page)s: the last page is %(last)s.")
                        % {"page": text, "last": paginator.num_pages}
                    ]
                }
            ) from None
        self.request = request
        return list(self.page)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["description"] = (
                    "A page number, from 1 to the last page. Anything else (0, -1, text, a page past the "
                    "last) is a 400 naming `page`; page 1 of an empty list is an empty page."
                )
                parameter["schema"] = {"type": "integer", "minimum": 1}
        return parameters
