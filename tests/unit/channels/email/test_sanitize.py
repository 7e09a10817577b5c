from __future__ import annotations

from hotline.channels.email.sanitize import safe_html, text_of_html

HOSTILE = """<html><head><style>body{display:none}</style><title>t</title></head><body>
<p style="color:red" onclick="steal()">Hello <b>there</b></p>
<script>alert(1)</script>
<img src="x" onerror="alert(2)">
<img src="https://tracker.example/pixel.gif">
<a href="javascript:alert(3)">bad link</a> <a href="https://shop.example/o/1">order</a>
<iframe src="https://evil.example"></iframe><form action="/x"><input name="p"></form>
<svg onload="alert(4)"></svg><div background="https://tracker.example/bg.png">x</div>
</body></html>"""


def test_nothing_that_runs_loads_or_styles_survives() -> None:
    out = safe_html(HOSTILE)
    lowered = out.lower()
    for needle in (
        "<script", "alert(", "onerror", "onclick", "onload", "<img", "tracker.example",
        "<style", "style=", "javascript:", "<iframe", "<form", "<input", "<svg",
        "display:none",
    ):  # fmt: skip
        assert needle not in lowered, needle
    assert "<b>there</b>" in out
    assert 'href="https://shop.example/o/1"' in out
    assert 'rel="noopener noreferrer nofollow"' in out


def test_text_of_html_keeps_the_words_and_the_breaks() -> None:
    text = text_of_html("<p>Line one</p><p>Line &amp; two<br>three</p><script>x()</script>")
    assert text.splitlines() == ["Line one", "Line & two", "three"]
