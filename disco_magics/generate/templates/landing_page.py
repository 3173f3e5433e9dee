"""Landing page (viability risk): a page with the offer and its price; count who would buy."""

from __future__ import annotations

from ...model.prototype import PrototypeEvent, PrototypeFile, WebDraft
from . import OFFLINE_NOTICE, Context, fill, text

KIND = "landing-page"
WHERE = "web"
DEFAULT_FOR = ("viability",)
PURPOSE = "whether users would pay for the change: a landing page with a price, served to real visitors"

HTML = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{title}}</title>
<link rel="stylesheet" href="style.css">
<!-- {{notice}}. Prototype for {{id}}: exposed on load, clicked_buy on the price button. -->
</head>
<body>
<main>
<p class="eyebrow">For {{segment}}</p>
<h1>{{title}}</h1>
<p class="pitch">{{pitch}}</p>
<div class="offer">
<p class="price">{{price}}</p>
<button id="buy" type="button">Start now for {{price}}</button>
<p class="small">Cancel any time.</p>
</div>
<section id="thanks" hidden>
<h2>Thank you!</h2>
<p>We are not ready to take sign-ups yet: we are finding out whether this is worth building. Nothing was charged.</p>
<button id="notify" type="button">Tell me when it is ready</button>
<p id="noted" hidden>Noted: we will tell you.</p>
</section>
</main>
<script src="app.js"></script>
</body>
</html>
"""

CSS = """body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0; color: #1f2328; }
main { max-width: 640px; margin: 10vh auto; padding: 0 20px; line-height: 1.5; }
.eyebrow { text-transform: uppercase; letter-spacing: .06em; font-size: 12px; color: #57606a; }
h1 { font-size: 32px; margin: 4px 0 12px; }
.pitch { font-size: 18px; color: #3d444d; }
.offer { border: 1px solid #d0d7de; border-radius: 10px; padding: 16px 20px; margin: 24px 0; }
.price { font-size: 24px; font-weight: 600; margin: 0 0 12px; }
button { font-size: 16px; padding: 10px 18px; border-radius: 8px; border: 1px solid #1f883d; cursor: pointer; }
#buy { background: #1f883d; color: #fff; }
#notify { background: #fff; color: #1f883d; }
.small { font-size: 12px; color: #57606a; }
"""

# Constant: no user words in the script. Events go to POST /events on the server that serves the page.
JS = """// Prototype events: exposed on load, clicked_buy on the price button, asked_follow_up on 'tell me'.
(function () {
  "use strict";
  var NAME = /^[A-Za-z_][A-Za-z0-9_.\\-]{0,63}$/;
  function userId() {
    var key = "disco-user";
    var id = null;
    try { id = window.localStorage.getItem(key); } catch (e) { id = null; }
    if (!id || id.length > 64) {
      id = "u-" + Math.random().toString(36).slice(2, 10) + Date.now().toString(36);
      try { window.localStorage.setItem(key, id); } catch (e) { /* private mode: one id per visit */ }
    }
    return id;
  }
  var requested = new URLSearchParams(window.location.search).get("variant");
  var variant = requested && NAME.test(requested) ? requested : null;
  var user = userId();
  function track(event) {
    return fetch("/events", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ event: event, user: user, variant: variant }),
      keepalive: true
    }).catch(function () { /* the page works even if an event is lost */ });
  }
  var buy = document.getElementById("buy");
  var notify = document.getElementById("notify");
  buy.addEventListener("click", function () {
    if (buy.disabled) { return; }
    buy.disabled = true;
    track("clicked_buy");
    document.getElementById("thanks").hidden = false;
  });
  notify.addEventListener("click", function () {
    if (notify.disabled) { return; }
    notify.disabled = true;
    track("asked_follow_up");
    document.getElementById("noted").hidden = false;
  });
  track("exposed");
})();
"""


def draft(ctx: Context) -> WebDraft:
    tests = (
        f"whether {ctx.segment} would pay {ctx.price} for {ctx.change}: the share of visitors who press the "
        f"price button estimates {ctx.move}"
    )
    page = fill(
        HTML,
        title=text(ctx.title),
        notice=text(OFFLINE_NOTICE[:1].upper() + OFFLINE_NOTICE[1:]).replace("--", "- -"),
        id=text(ctx.hypothesis),
        segment=text(ctx.segment),
        pitch=text(f"Coming soon: {ctx.change}."),
        price=text(ctx.price),
    )
    price_note = (
        f" The price ({ctx.price}) is a placeholder: no price was in the hypothesis, so set yours in index.html."
        if ctx.price_assumed
        else ""
    )
    return WebDraft(
        title=f"Landing page: {ctx.title}"[:120],
        summary=(
            f"One page offers {ctx.change} to {ctx.segment} at {ctx.price}. The price button says honestly "
            "that it is not available yet and nothing was charged." + price_note
        ),
        tests=tests,
        files=[
            PrototypeFile(path="index.html", language="html", content=page),
            PrototypeFile(path="style.css", language="css", content=CSS),
            PrototypeFile(path="app.js", language="javascript", content=JS),
        ],
        entry="index.html",
        run=(
            f"Serve it with `disco serve {ctx.hypothesis}` (loopback) or `disco serve {ctx.hypothesis} --host "
            "0.0.0.0` for real visitors, or run the inserted cell; add ?variant=NAME to a link to label an arm. "
            f"Then: %measure {ctx.hypothesis} --events. ({OFFLINE_NOTICE}.)"
        ),
        events=[
            PrototypeEvent(name="exposed", description="the page was loaded"),
            PrototypeEvent(name="clicked_buy", description="the visitor pressed the price button"),
            PrototypeEvent(name="asked_follow_up", description="the visitor asked to hear when it is ready"),
        ],
        exposure_event="exposed",
        conversion_event="clicked_buy",
    )
