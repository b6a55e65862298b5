"""Template filters that turn stored codes into words people read (the words: cameras/words.py)."""

from django import template

from cameras import words

register = template.Library()

register.filter("purpose_label", words.purpose_label)
register.filter("purpose_labels", words.purpose_labels)
register.filter("view_labels", words.view_labels)
