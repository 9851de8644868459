"""The rule for deleting by filter: some filters, or an explicit `all=true`; never neither, never both.

Empty query values are refused for every route (routing.py), so an unset shell variable in
`?to=$RCPT` cannot read as "no filter"; this adds the other half: with no filter at all a
delete does nothing but answer 400, and deleting everything has to be asked for by name.
"""
from __future__ import annotations

from typing import Any

from gclap_sandbox.errors import ValidationFailed
from gclap_sandbox.schema import Bool, Errors, Field, Obj


def delete_query(filters: dict[str, Field], *, what: str) -> Obj:
    """The query of a DELETE that removes the `what` its `filters` match, or all of it with all=true."""
    names = ", ".join(f"`{name}`" for name in filters)

    def filters_or_all(data: dict[str, Any], errors: Errors) -> None:
        given = [name for name in filters if data.get(name) is not None]
        if data.get("all") and given:
            raise ValidationFailed({"all": ["Cannot be combined with filters."]},
                                   detail=f"Give filters or all=true, not both: all=true with "
                                          f"{', '.join(given)} is ambiguous. Nothing was deleted.")
        if not data.get("all") and not given:
            raise ValidationFailed({"all": [f"Give a filter ({names}) or all=true."]},
                                   detail=f"No filter given. To delete every {what}, say so with "
                                          f"all=true; to delete some, filter by {names}. Nothing was deleted.")

    all_field = Bool(from_string=True, description=f"Delete every {what}. Required when no filter is "
                                                   "given; may not be combined with filters.")
    return Obj({**filters, "all": all_field}, extra_check=filters_or_all)
