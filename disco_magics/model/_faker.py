"""Which Faker providers a ``fake.NAME`` column may use (Faker is imported on first use only)."""

from __future__ import annotations

import functools
import threading

__all__ = ["faker_providers"]

# Faker methods that take no arguments but do not give one value per row (containers, bytes, extras).
_NOT_ONE_VALUE = frozenset(
    # a word list reads better as text than as 39 quoted items
    "binary color_hsl color_hsv color_rgb color_rgb_float cryptocurrency currency get_words_list image "  # noqa: SIM905
    "json_bytes latlng local_latlng location_on_land nic_handles paragraphs passport_dates passport_owner "
    "profile pydict pyiterable pylist pyobject pyset pystruct pytimezone pytuple random_choices "
    "random_elements random_letters random_sample sentences simple_profile tar texts time_delta "
    "time_series words xml zip".split()
)
_faker_lock = threading.Lock()


@functools.cache
def faker_providers() -> frozenset[str]:
    """Names usable as ``fake.NAME``: Faker (en_US) methods that take no arguments and give one value."""
    import inspect

    from faker import Faker  # imported on first use: a spec without fake columns never pays for it

    with _faker_lock:
        faker = Faker("en_US")
    names: set[str] = set()
    for provider in faker.get_providers():
        for name in dir(provider):
            if name.startswith("_") or name in _NOT_ONE_VALUE:
                continue
            method = getattr(provider, name, None)
            if not callable(method) or inspect.isclass(method):
                continue
            try:
                parameters = inspect.signature(method).parameters.values()
            except (TypeError, ValueError):
                continue
            if all(
                p.default is not p.empty or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) for p in parameters
            ):
                names.add(name)
    return frozenset(names)
