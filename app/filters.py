"""The sidebar's selection as a plain value, shared by the query layer, the pages and the URL."""

from __future__ import annotations

from dataclasses import dataclass, field, replace


@dataclass(frozen=True)
class Filters:
    """What the user asked to see.  Empty tuples and None mean "no restriction"."""

    level: str | None = None  # national | provincial | prefecture | county
    province: str | None = None
    jurisdictions: tuple[str, ...] = ()
    year_from: int | None = None
    year_to: int | None = None
    category: str | None = None
    metrics: tuple[str, ...] = field(default=())

    def with_(self, **changes) -> Filters:
        return replace(self, **changes)

    def sql_params(self) -> dict:
        """Named parameters for the queries in app/queries.py."""
        return {
            "level": self.level,
            "province": self.province,
            "jurs": list(self.jurisdictions),
            "y0": self.year_from if self.year_from is not None else -9999,
            "y1": self.year_to if self.year_to is not None else 9999,
            "category": self.category,
            "metrics": list(self.metrics),
        }
