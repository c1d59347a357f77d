"""Every notebook in ``notebooks/`` runs top to bottom on a fresh kernel, with no edits.

The notebooks are jupytext percent-format ``.py`` files (diff-friendly, no stored
outputs). Each is read with jupytext and executed with nbclient on the ``python3``
kernel, in a temporary working directory, with ``MPLBACKEND=Agg``. A cell that raises
fails the test, and so does any "Glyph ... missing" warning: a first cell turns those
warnings into errors, and after every code cell an injected cell renders the figures the
cell left open or returned (rendering is when matplotlib looks up glyphs) and closes
them.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.py"))

GUARD = """\
import warnings
warnings.filterwarnings("error", message=r"(?s).*Glyph .* missing")
import matplotlib
assert matplotlib.get_backend().lower() == "agg", matplotlib.get_backend()
"""

DRAW = """\
import io as _io
import matplotlib.pyplot as _plt
from matplotlib.artist import Artist as _Artist
from matplotlib.figure import Figure as _Figure
_figs = [_plt.figure(_num) for _num in _plt.get_fignums()]
_last = Out.get(len(In) - 2)  # the previous cell's value (In ends with this cell)
if isinstance(_last, _Artist) and not isinstance(_last, _Figure):
    _last = _last.figure
if isinstance(_last, _Figure):
    _figs.append(_last)  # e.g. a Figure made without pyplot, shown by its repr
for _fig in _figs:
    _fig.savefig(_io.BytesIO(), format="png")
_plt.close("all")
"""

GLYPH = re.compile(r"Glyph \d+ .*missing", re.IGNORECASE)


def test_there_are_notebooks():
    names = [p.name for p in NOTEBOOKS]
    assert names[:1] == ["01_corpus.py"], names
    for path in NOTEBOOKS:
        text = path.read_text(encoding="utf-8")
        assert "format_name: percent" in text, f"{path.name}: not a jupytext percent notebook"
        assert "# %matplotlib inline" in text, f"{path.name}: figures must show in Jupyter"
        assert re.search(r"^#\s+name: python3$", text, re.MULTILINE), (
            f"{path.name}: the kernelspec must be python3 (others fail on a fresh install)")


INLINE = re.compile(r"^%matplotlib inline[ \t]*$", re.MULTILINE)


def _with_checks(nb):
    import nbformat

    cells = [nbformat.v4.new_code_cell(GUARD)]
    for cell in nb.cells:
        if cell.cell_type == "code":
            # the notebooks ask Jupyter for inline figures; the test keeps Agg and renders
            # every figure itself (see DRAW), so that a missing glyph raises in a cell
            cell.source = INLINE.sub("pass  # %matplotlib inline (Agg in the test)", cell.source)
        cells.append(cell)
        if cell.cell_type == "code":
            cells.append(nbformat.v4.new_code_cell(DRAW))
    nb.cells = cells
    return nb


def _outputs_text(nb) -> str:
    parts = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            parts.append(out.get("text", ""))
            parts.extend(str(v) for k, v in out.get("data", {}).items() if k.startswith("text/"))
            parts.extend(out.get("traceback", []))
    return "\n".join(parts)


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs(path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    jupytext = pytest.importorskip("jupytext")
    from nbclient import NotebookClient

    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.chdir(tmp_path)
    nb = _with_checks(jupytext.read(path))
    client = NotebookClient(nb, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}})
    client.execute()  # raises CellExecutionError (with the cell's traceback) on any error
    text = _outputs_text(nb)
    assert not GLYPH.search(text), f"{path.name}: a glyph is missing from the font:\n" + \
        GLYPH.search(text).group(0)
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors


TOFU = {
    "pyplot": "import matplotlib.pyplot as plt\nfig, ax = plt.subplots()\n"
              "ax.set_title('縣長直播帶貨');\n",
    "returned-figure": "from matplotlib.figure import Figure\nfig = Figure()\n"
                       "fig.suptitle('县长直播带货')\nfig\n",
}


@pytest.mark.slow
@pytest.mark.parametrize("how", sorted(TOFU))
def test_the_checks_catch_a_missing_glyph(how: str, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch):
    """A notebook that draws Chinese with a Latin-only font must fail the checks above."""
    jupytext = pytest.importorskip("jupytext")
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    source = ("# %%\nimport matplotlib\nmatplotlib.rcParams['font.family'] = ['DejaVu Sans']\n"
              "# %%\n" + TOFU[how])
    nb = _with_checks(jupytext.reads(source, fmt="py:percent"))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    client = NotebookClient(nb, timeout=120, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}})
    with pytest.raises(CellExecutionError, match="Glyph"):
        client.execute()
