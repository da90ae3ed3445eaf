"""``[rights] type = plugins.rights``: own collections only; activity collections kept.

Radicale permission letters: ``R``/``W`` read/write principal collections,
``r``/``w`` read/write calendars, ``d`` denies deleting and ``o`` denies
overwriting a collection as a whole. The three activity collections cannot
be deleted or overwritten, and the team calendar is read-only.
"""

from __future__ import annotations

from radicale import pathutils, rights

from plugins.storage.base import ACTIVITY_COLLECTIONS


class Rights(rights.BaseRights):
    def authorization(self, user: str, user_groups: set, path: str) -> str:
        if not user:
            return ""
        sane_path = pathutils.strip_path(path)
        if not sane_path:
            return "R"
        owner, _, rest = sane_path.partition("/")
        if owner != user:
            return ""
        if not rest:
            return "RW"
        if "/" in rest:
            return ""
        if rest == "team":
            return "rdo"
        if rest in ACTIVITY_COLLECTIONS:
            return "rwdo"
        return "rw"
