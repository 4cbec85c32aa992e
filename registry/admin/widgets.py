"""Pickers that work without JavaScript: checkbox lists (optionally a tree, with hints),
and a text input naming an organisation. ``static/admin.js`` adds a filter box and
search-as-you-type when scripts run; nothing depends on it."""

from markupsafe import Markup, escape


class CheckboxPicker:
    """Renders a SelectMultipleField as a scrollable list of checkboxes.

    The field may carry ``hints`` ({value: text shown after the label}), ``depths``
    ({value: indentation level, for a hierarchy}) and ``first`` (values listed at the
    top under ``first_label``). Every label and hint is escaped.
    """

    def __init__(self, filterable=True):
        self.filterable = filterable

    def __call__(self, field, **kwargs):
        first = [v for v in getattr(field, "first", []) or []]
        ordered, leading = _first_ones_first(list(_choices(field)), first)
        chosen = set(field.data or [])
        items = [self._item(field, index, value, label, value in chosen)
                 for index, (value, label) in enumerate(ordered)]
        if first and leading < len(ordered):  # a rule between the leading choices and the rest
            items.insert(leading, Markup('<li class="picker-rule" aria-hidden="true"></li>'))
        attrs = ' data-filter="1"' if self.filterable and len(ordered) > 12 else ""
        return Markup('<div class="picker" id="{}"{}><ul>').format(field.id, Markup(attrs)) + \
            Markup("").join(items) + Markup("</ul></div>")

    @staticmethod
    def _item(field, index: int, value, label, checked: bool) -> Markup:
        """One checkbox with its label, indented by its depth, with its hint, ticked when chosen."""
        hint = (getattr(field, "hints", {}) or {}).get(value)
        depth = (getattr(field, "depths", {}) or {}).get(value, 0)
        return Markup(
            '<li class="depth-{depth}"><input type="checkbox" id="{ident}" name="{name}" value="{value}"{checked}>'
            ' <label for="{ident}">{label}{hint}</label></li>').format(
            depth=min(depth, 7), ident=f"{field.id}-{index}", name=field.name, value=value, label=label,
            checked=Markup(" checked") if checked else "",
            hint=Markup(' <small>{}</small>').format(hint) if hint else "")


def _first_ones_first(choices: list[tuple], first: list) -> tuple[list[tuple], int]:
    """(the choices with those whose value is in ``first`` at the top, how many those are)."""
    leading = [c for c in choices if c[0] in first]
    return leading + [c for c in choices if c[0] not in first], len(leading)


def _choices(field):
    for choice in field.choices or []:
        yield choice[0], choice[1]


class OrganisationInput:
    """A text input for an organisation's name or key; scripts suggest matches as you type."""

    def __call__(self, field, **kwargs):
        value = field._value() if hasattr(field, "_value") else (field.data or "")
        attrs = {"type": "text", "id": field.id, "name": field.name, "value": value,
                 "data-org-picker": "1", "list": f"{field.id}-options", "autocomplete": "off",
                 "placeholder": "type a name or key", **{k: v for k, v in kwargs.items() if k != "class_"}}
        attrs.update(getattr(field, "render_kw", None) or {})
        html = " ".join(f'{escape(k)}="{escape(v)}"' if v is not True else escape(k) for k, v in attrs.items())
        return Markup(f"<input {html}><datalist id=\"{escape(field.id)}-options\"></datalist>")
