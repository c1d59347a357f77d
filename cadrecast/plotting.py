"""Matplotlib helpers: a CJK font so Chinese labels render (no tofu boxes).

:func:`use_cjk_font` registers Noto Sans CJK (from the ``noto-cjk-sans-otc`` package,
OFL-1.1) with matplotlib and returns a family name to use. It changes
``matplotlib.rcParams`` only when asked (``set_default=True``), so it never surprises
the rest of a notebook.

Examples
--------
>>> family = use_cjk_font()
>>> family
'Noto Sans CJK SC'
"""

from __future__ import annotations

import functools
import warnings

from .errors import DependencyError

#: Families tried in order when the bundled font package is not installed.
_SYSTEM_FAMILIES = ("Noto Sans CJK SC", "Noto Sans CJK TC", "Source Han Sans SC",
                    "WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "Microsoft YaHei", "SimHei",
                    "PingFang SC", "Heiti SC")


@functools.cache
def _register(script: str) -> str:
    from matplotlib import font_manager

    try:
        import noto_cjk_sans_otc

        font_manager.fontManager.addfont(str(noto_cjk_sans_otc.FONT_PATH))
        return "Noto Sans CJK TC" if script == "hant" else "Noto Sans CJK SC"
    except ImportError:
        pass
    for family in _SYSTEM_FAMILIES:
        try:
            font_manager.findfont(family, fallback_to_default=False)
            return family
        except ValueError:
            continue
    raise DependencyError(
        "No font with Chinese characters was found for matplotlib. Install one with "
        "`pip install noto-cjk-sans-otc` (cadrecast's default) and restart the kernel."
    )


def use_cjk_font(script: str = "hans", *, set_default: bool = True) -> str:
    """Register a CJK font with matplotlib and return its family name.

    Parameters
    ----------
    script : {"hans", "hant"}
        Which regional glyph forms to prefer (Simplified or Traditional Chinese).
    set_default : bool
        Also put the family first in ``rcParams["font.sans-serif"]`` (and make
        ``font.family`` sans-serif), so every later plot uses it.

    Returns
    -------
    str
        The font family name.

    Examples
    --------
    >>> use_cjk_font("hant", set_default=False)
    'Noto Sans CJK TC'
    """
    import matplotlib

    family = _register(script)
    if set_default:
        current = [f for f in matplotlib.rcParams["font.sans-serif"] if f != family]
        matplotlib.rcParams["font.sans-serif"] = [family, *current]
        matplotlib.rcParams["font.family"] = ["sans-serif"]
        matplotlib.rcParams["axes.unicode_minus"] = False
    return family


class _GlyphGuard:
    """Turns "Glyph ... missing" warnings into errors inside a ``with`` block."""

    def __enter__(self) -> _GlyphGuard:
        self._ctx = warnings.catch_warnings()
        self._ctx.__enter__()
        warnings.filterwarnings("error", message=r"(?s).*Glyph .* missing")
        return self

    def __exit__(self, *exc: object) -> bool | None:
        return self._ctx.__exit__(*exc)


def glyph_warnings_as_errors() -> _GlyphGuard:
    """A context manager that turns matplotlib's "Glyph ... missing" warnings into errors.

    Examples
    --------
    >>> with glyph_warnings_as_errors():
    ...     pass
    """
    return _GlyphGuard()
