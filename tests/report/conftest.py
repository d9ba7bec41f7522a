"""Headless Chromium for the report tests: render a page and measure what each chart drew."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--window-size=1400,1000",
)

# Counts, per chart, the marks (bars, points) that the browser laid out with a visible size inside their
# SVG. The report itself has no script (its CSP forbids one); the test adds this one to a copy.
MEASURE = """<script>
const result = {};
for (const figure of document.querySelectorAll('[data-chart]')) {
  const svg = figure.querySelector('svg');
  const frame = svg ? svg.getBoundingClientRect() : null;
  let visible = 0;
  for (const mark of figure.querySelectorAll('.mark')) {
    const b = mark.getBoundingClientRect();
    if (frame && b.width > 0.5 && b.height > 0.5 && b.left >= frame.left - 1 && b.right <= frame.right + 1
        && b.top >= frame.top - 1 && b.bottom <= frame.bottom + 1) visible++;
  }
  result[figure.dataset.chart] = {visible: visible, noData: figure.classList.contains('no-data'),
                                  width: frame ? frame.width : 0};
}
const out = document.createElement('pre');
out.id = 'chart-check';
out.textContent = JSON.stringify(result);
document.body.appendChild(out);
</script>"""


@pytest.fixture
def chromium() -> str:
    path = shutil.which("chromium")
    if path is None:
        pytest.skip("chromium is not installed (Debian: apt-get install chromium; .ci/run installs it)")
    return path


@pytest.fixture
def measure_charts(chromium: str, tmp_path: Path) -> Callable[[str], dict[str, dict[str, object]]]:
    """Render a report in headless Chromium and return, per data-chart id, the marks it drew."""

    def measure(page: str) -> dict[str, dict[str, object]]:
        probed = page.replace("default-src 'none';", "default-src 'none'; script-src 'unsafe-inline';", 1)
        probed = probed.replace("</body>", MEASURE + "</body>", 1)
        path = tmp_path / "report.html"
        path.write_text(probed, encoding="utf-8")
        done = subprocess.run(
            [
                chromium,
                *CHROMIUM_FLAGS,
                f"--user-data-dir={tmp_path / 'profile'}",
                "--dump-dom",
                path.as_uri(),
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        found = re.search(r'<pre id="chart-check">(.*?)</pre>', done.stdout, re.DOTALL)
        assert found, f"the measuring script did not run: {done.stderr[-2000:]}"
        return json.loads(html.unescape(found.group(1)))  # type: ignore[no-any-return]

    return measure
