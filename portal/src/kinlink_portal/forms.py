"""A form as a page shows it: what was typed, and each refusal next to the field at fault."""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field

from starlette.requests import Request

from kinlink_portal.security import CSRF_FIELD
from kinlink_portal.sentences import sentence
from kinlink_portal.services import Refusal

# Never shown again, even after a refusal.
SECRET_FIELDS = frozenset({"password", "new_password", "ssn", CSRF_FIELD})
FORM_WIDE = ""


@dataclass
class Form:
    """`fields` are the inputs (and fieldsets, e.g. `address`) of the page, named as the
    request fields the services name in their refusals (`address.city`)."""

    fields: tuple[str, ...]
    values: Mapping[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    def value(self, name: str) -> str:
        """What to show in the input `name` again (never a password)."""
        return "" if name in SECRET_FIELDS else self.values.get(name, "")

    def error(self, name: str) -> str:
        return self.errors.get(name, "")

    @property
    def form_error(self) -> str:
        return self.errors.get(FORM_WIDE, "")

    def field_errors(self) -> list[tuple[str, str]]:
        """(field, sentence) of each field at fault, in the order of the page."""
        return [(name, self.errors[name]) for name in self.fields if name in self.errors]

    def missing(self, required: Mapping[str, str]) -> bool:
        """Says, beside each required field left empty, the sentence of its code (`required`:
        field -> code); True if any was. The services refuse one fault at a time: this names
        every empty field at once, before asking them."""
        for name, code in required.items():
            if not self.values.get(name):
                self.errors.setdefault(self.place_of(name), sentence(code))
        return bool(self.errors)

    def refused(self, refusal: Refusal) -> Form:
        """The refusal's sentence beside its field; a field the page does not show (a link's
        token, say) gets it at the top of the form."""
        self.errors[self.place_of(refusal.field)] = sentence(refusal.code)
        return self

    def place_of(self, service_field: str) -> str:
        # `address.city` falls back to the `address` fieldset, then to the whole form.
        name = service_field
        while name:
            if name in self.fields:
                return name
            name = name.rpartition(".")[0]
        return FORM_WIDE


async def submitted(request: Request, fields: Iterable[str], hidden: Iterable[str] = ()) -> Form:
    """The form as posted. `hidden` fields (a link's token) are read but have no place on the
    page: their refusals are said at the top of the form."""
    data = await request.form()
    names = tuple(fields)
    read = {*names, *hidden}
    values = {name: str(data.get(name, "")).strip() for name in read}
    for secret in SECRET_FIELDS & read:
        values[secret] = str(data.get(secret, ""))  # a password keeps its spaces
    return Form(names, values)
