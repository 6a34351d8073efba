"""The report renders in headless Chromium with every picture present (``.ci/run`` installs Debian's chromium)."""

import re
import shutil
import subprocess
import tempfile

import pytest

from magicpipe.compiler import Pipeline
from magicpipe.compiler.dynamic import simulate
from magicpipe.compiler.pareto import level_producer, pareto_front
from magicpipe.lattice import build_stream
from magicpipe.report import build_report, read_cells, write_report

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run", "--disable-extensions", "--virtual-time-budget=10000"]
PICTURES = ("spacetime", "schedule", "utilisation", "buffers", "floorplan", "front", "reductions")


def _chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    pytest.skip("no chromium on PATH: install Debian's 'chromium' package (apt-get install chromium), as .ci/run does")


def _run(args: list[str]) -> str:
    with tempfile.TemporaryDirectory() as profile:
        done = subprocess.run([_chromium(), *FLAGS, f"--user-data-dir={profile}", *args], capture_output=True,
                              text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    pipe = Pipeline.from_distances((3, 5))
    schedule = simulate(pipe.levels[1].factory, (level_producer(pipe, 1),), 1088, 4, 17)  # two reuse stalls
    cells_csv = out / "cells.csv"
    cells_csv.write_text("d1,d2,reduction_vs_sequential,reduction_vs_parallel\n"
                         "3,5,0.3,0.1\n3,7,0.25,0.12\n5,5,0.2,0.05\n5,7,0.35,0.15\n")
    report = build_report(pipe, schedule, front=pareto_front(pipe), stream=build_stream(schedule), source="test")
    return write_report(report, out / "html", cells=read_cells(cells_csv))


def test_every_picture_is_written_as_png_and_svg(written):
    for name in PICTURES:
        assert written[name].stat().st_size > 5000
        assert written[name].with_suffix(".svg").read_text().lstrip().startswith("<?xml")
    page = written["html"].read_text()
    assert page.count("<img ") == len(PICTURES)
    assert "http://" not in page and "https://" not in page  # nothing to fetch


@pytest.fixture(scope="module")
def rendered(written, tmp_path_factory):
    """One Chromium run of the page: its DOM after the load script ran, and its screenshot (both from one load)."""
    shot = tmp_path_factory.mktemp("shot") / "shot.png"
    dom = _run(["--dump-dom", f"--screenshot={shot}", "--window-size=1280,2400", written["html"].resolve().as_uri()])
    return dom, shot


def test_the_page_renders_in_headless_chromium_with_every_picture(rendered):
    dom, _ = rendered
    check = re.search(r'id="render-check" data-loaded="(\d+)" data-total="(\d+)"', dom)
    assert check is not None, "the page's load script did not run"
    assert check.groups() == (str(len(PICTURES)), str(len(PICTURES)))
    assert dom.count('data-loaded="yes"') == len(PICTURES)


def test_the_screenshot_is_not_blank(rendered):
    from PIL import Image

    _, shot = rendered
    image = Image.open(shot).convert("RGB")
    assert image.size == (1280, 2400)
    colours = image.getcolors(maxcolors=1 << 20)
    assert colours is not None and len(colours) > 200  # text, a table and plots, not a blank page
    background = max(colours)[0] / (1280 * 2400)
    assert background < 0.9


def test_cells_with_missing_columns_are_refused(tmp_path):
    from magicpipe.errors import SpecError

    bad = tmp_path / "cells.csv"
    bad.write_text("d1,d2\n3,5\n")
    with pytest.raises(SpecError, match="reduction_vs_sequential"):
        read_cells(bad)
