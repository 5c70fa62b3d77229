"""Python-side type checks of builder arguments; the values themselves are validated by the connector."""

from __future__ import annotations

import math
from typing import Union

Label = Union[str, int, float, bool, None]


def flatten(keys) -> list:
    if len(keys) == 1 and isinstance(keys[0], (list, tuple)):
        return list(keys[0])
    return list(keys)


def strings(name: str, values) -> list:
    if isinstance(values, str):
        raise TypeError(f"{name} must be a list of strings, not the string {values!r}")
    values = list(values)
    for v in values:
        if not isinstance(v, str):
            raise TypeError(f"{name} must be strings, got {v!r}")
    return values


def label(v, name: str) -> Label:
    if v is None or isinstance(v, (str, bool, int)):
        return v
    if isinstance(v, float):
        return None if math.isnan(v) else v
    if hasattr(v, "item"):  # a numpy scalar
        return label(v.item(), name)
    raise TypeError(f"{name} labels must be str, int, float, bool or None, got {v!r}")


def int_(name: str, v) -> int:
    if isinstance(v, bool) or not isinstance(v, int):
        if hasattr(v, "item") and isinstance(v.item(), int):
            return v.item()
        raise TypeError(f"{name} must be an int, was {v!r}")
    return v


def bool_(name: str, v) -> bool:
    if not isinstance(v, bool):
        raise TypeError(f"{name} must be a bool, was {v!r}")
    return v


def choice(name: str, v, choices) -> str:
    if not isinstance(v, str):
        raise TypeError(f"{name} must be one of {', '.join(choices)}, was {v!r}")
    norm = v.strip().lower().replace("-", "_")
    if norm not in choices:
        raise ValueError(f"{name} must be one of {', '.join(choices)}, was {v!r}")
    return norm
