"""The verdicts' number formats, under the names ``stats`` uses; the one definition is ``disco_magics.formats``."""

from __future__ import annotations

from ..formats import MINUS, count
from ..formats import chance as fmt_chance
from ..formats import change as fmt_change
from ..formats import p_value as fmt_p
from ..formats import relative as fmt_relative
from ..formats import value as fmt_value

__all__ = ["MINUS", "count", "fmt_chance", "fmt_change", "fmt_p", "fmt_relative", "fmt_value"]
