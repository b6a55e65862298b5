"""An event's action, outcome and role in words come from a table kept per language, not from
Django's get_FOO_display (which translated every label of the field on each call): the words
must still follow the reader's language, and a code the program no longer knows stays itself."""

from django.utils import translation

from audit.models import AccessEvent, Action, Outcome, choice_label


def test_labels_follow_the_active_language() -> None:
    event = AccessEvent(action=Action.SEARCH, outcome=Outcome.DENIED, actor_role="officer")
    with translation.override("en"):
        english = (event.action_label(), event.get_outcome_display(), event.actor_role_label())
    with translation.override("es"):
        spanish = (event.action_label(), event.get_outcome_display(), event.actor_role_label())
    with translation.override("en"):
        again = (event.action_label(), event.get_outcome_display(), event.actor_role_label())
    assert english == ("Area search", "denied", "Officer")
    assert spanish == ("Búsqueda por zona", "denegado", spanish[2])
    assert spanish[2] != english[2]
    assert again == english


def test_a_code_no_longer_known_reads_as_itself() -> None:
    event = AccessEvent(action="retired_action", outcome="maybe", actor_role="sheriff")
    assert event.action_label() == "retired_action"
    assert event.get_outcome_display() == "maybe"
    assert event.actor_role_label() == "sheriff"
    assert choice_label(Action, "") == ""
