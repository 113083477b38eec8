"""`run --record DIR`: a record for the school of what was done on its Moodle, one self-contained HTML file
per site (and an index for a fleet). It opens in any browser with no network: the styles are inline and
each screenshot is embedded (data: URL); there is no script and no external asset.

Per step: what was read, what changed and what a fresh read found afterwards, with the admin page as it
stood after the change (token and password fields painted over, as failure screenshots are). Every text
comes from the run report, which has been through redact(): no token or password is written.
"""
from __future__ import annotations

import base64
import re
from pathlib import Path
from urllib.parse import urlsplit

from jinja2 import Environment

from provisioner.fleet.report import write_report
from provisioner.runner.report import RunReport

_STYLE = """
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2rem auto;max-width:62rem;
color:#1d2125;padding:0 1rem}
h1{font-size:1.5rem;margin-bottom:.2rem} h2{font-size:1.15rem;margin:0} .muted{color:#5d6874}
table.facts{border-collapse:collapse;margin:1rem 0} .facts th{text-align:left;padding:.2rem 1rem .2rem 0;
color:#5d6874;font-weight:600} .facts td{padding:.2rem 0}
section.step{border:1px solid #d8dde2;border-radius:.4rem;margin:1rem 0;padding:1rem}
.badge{display:inline-block;border-radius:.3rem;padding:.05rem .5rem;font-size:.8rem;font-weight:700;
margin-right:.5rem;text-transform:uppercase} .changed{background:#fde9c8;color:#7a4a00}
.unchanged{background:#e3ecf5;color:#22456b} .failed,.blocked{background:#f9d6d6;color:#8a1c1c}
.pending,.skipped{background:#eee;color:#444} .ok{background:#d8f0dc;color:#1c5a2a}
img{max-width:100%;border:1px solid #d8dde2;margin-top:.6rem} ul{margin:.3rem 0}
"""

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">
<title>Enrollait connection of {{ r.site }}</title><style>{{ style }}</style></head>
<body>
<h1>What the Enrollait provisioner did on this Moodle</h1>
<p class="muted">A record of one run, for the school's IT and data protection officers.</p>
<table class="facts">
<tr><th>Site</th><td>{{ r.site }}</td></tr>
<tr><th>Moodle</th><td>{{ release or "unknown" }}{% for n in r.release_notes %}<br><span class="muted">{{ n }}</span>{% endfor %}</td></tr>
<tr><th>When</th><td>{{ r.started_at or "unknown" }} (UTC), {{ r.seconds }} s</td></tr>
<tr><th>Changed by</th><td>the site administrator <b>{{ r.admin_user or "unknown" }}</b>, through Moodle's admin pages</td></tr>
<tr><th>Outcome</th><td><span class="badge {{ 'ok' if r.outcome == 'converged' else r.outcome }}">{{ r.outcome }}</span>
{{ counts }}</td></tr>
<tr><th>Verified over REST</th><td>{{ verified }}</td></tr>
</table>
{% for s in r.steps %}
<section class="step" id="step-{{ loop.index }}">
<h2><span class="badge {{ s.status }}">{{ s.status }}</span>{{ loop.index }}. {{ s.name }}</h2>
{% if s.status == "changed" %}
<p>Changed:</p><ul>{% for c in s.changes %}<li>{{ c }}</li>{% endfor %}</ul>
{% if s.after %}<p>Read again afterwards: {{ s.after }}</p>{% endif %}
{% elif s.status == "pending" %}<p>Would change (nothing was changed: --check):</p>
<ul>{% for c in s.changes %}<li>{{ c }}</li>{% endfor %}</ul>
{% else %}<p>{{ s.reason }}</p>{% endif %}
{% for w in s.warnings %}<p class="muted">Note: {{ w }}</p>{% endfor %}
{% if s.error and s.error.moodle_message %}<p>Moodle said: {{ s.error.moodle_message }}</p>{% endif %}
{% if images[loop.index0] %}<img alt="The admin page after: {{ s.name }}" src="data:image/png;base64,{{ images[loop.index0] }}">{% endif %}
</section>
{% endfor %}
<p class="muted">No token or password is written in this file; in the screenshots, token and password fields are
painted over.</p>
</body></html>
"""

_INDEX = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>Enrollait provisioning records</title><style>{{ style }}</style></head>
<body><h1>Enrollait provisioning records</h1>
<table class="facts">{% for name, outcome, file in sites %}
<tr><th>{% if file %}<a href="{{ file }}">{{ name }}</a>{% else %}{{ name }}{% endif %}</th><td><span class="badge {{ 'ok' if outcome == 'converged' else outcome }}">{{ outcome }}</span></td></tr>
{% endfor %}</table></body></html>
"""

_env = Environment(autoescape=True)


def record_name(site_url: str) -> str:
    """The record's file name for a site: its host, port and path, e.g. school.edu_moodle.html."""
    parts = urlsplit(site_url)
    pieces = [parts.hostname or "site", str(parts.port or ""), parts.path.strip("/")]
    return re.sub(r"[^a-z0-9.-]+", "_", "_".join(p for p in pieces if p).lower()) + ".html"


def write_record(folder: Path, report: RunReport, name: str | None = None) -> Path:
    """The site's record in `folder`, written whole or not at all; returns its path."""
    data = report.to_dict()
    images = [_embedded(step.get("screenshot")) for step in data["steps"]]
    counts = {}
    for step in data["steps"]:
        counts[step["status"]] = counts.get(step["status"], 0) + 1
    verification = data.get("verification") or {}
    verified = ("yes: the token answers as " + str(verification.get("username")) + " and every function is callable"
                if verification.get("ok") else "no" if verification else "not checked (the token's value was not known)")
    release = verification.get("release") or data["moodle_release"]  # REST's is whole on every release
    html = _env.from_string(_PAGE).render(r=data, images=images, style=_STYLE, verified=verified, release=release,
                                          counts=", ".join(f"{n} {status}" for status, n in counts.items()))
    path = folder / (name or record_name(report.site))
    write_report(path, html)
    return path


def write_index(folder: Path, sites: list[tuple[str, str, str]]) -> Path:
    """index.html of a fleet's records: (site name, outcome, record file name) per site."""
    path = folder / "index.html"
    write_report(path, _env.from_string(_INDEX).render(sites=sites, style=_STYLE))
    return path


def _embedded(path: str | None) -> str | None:
    if not path or not Path(path).is_file():
        return None
    return base64.b64encode(Path(path).read_bytes()).decode("ascii")
