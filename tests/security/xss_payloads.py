"""The XSS corpus of the security suite: every payload, numbered, calls the page-level detector
`window.__xss(n)` instead of `alert(1)`, so a browser test can tell which one ran.

It reuses the corpus of tests/participation/test_xss_corpus.py (script tags, event attributes,
javascript:/data: URLs, SVG/MathML, encoded and broken markup) and adds what it lacks: iframe
srcdoc with encoded markup, MathML links, template-injection strings, more attribute breakouts.
Payloads whose call is written with character references (&#97;&#108;…) still call `alert`,
which the detector hooks too.
"""

from __future__ import annotations

import re

from tests.participation.test_xss_corpus import PAYLOADS as BASE_PAYLOADS

EXTRA = [
    '<iframe srcdoc="&lt;script&gt;alert(1)&lt;/script&gt;"></iframe>',
    "<iframe srcdoc='<img src=x onerror=alert(1)>'></iframe>",
    '<math><maction actiontype="statusline" xlink:href="javascript:alert(1)">x</maction></math>',
    "<math><mi xlink:href=javascript:alert(1)>x</mi></math>",
    "<svg><set attributeName=onmouseover to=alert(1)>",
    "<svg><use href=\"data:image/svg+xml,<svg id='x' onload='alert(1)'/>#x\"/></svg>",
    "{{7*7}}",
    "{{constructor.constructor('alert(1)')()}}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "#{7*7}",
    '<a href="#" onclick="alert(1)">{{7*7}}</a>',
    '"autofocus onfocus=alert(1) x="',
    "'autofocus onfocus=alert(1) x='",
    "</script><script>alert(1)</script>",
    '"></textarea><img src=x onerror=alert(1)>',
    '"></option></select><img src=x onerror=alert(1)>',
    "<img src=x onerror=alert(1) ",
    "<svg/onload=alert(1)",
    "<body/onpageshow=alert(1)>",
    "<details/open/ontoggle=alert(1)>",
    "<a href=javascript&#58;alert(1)>deux-points</a>",
    '<a href="java&#0000115;cript:alert(1)">zéros</a>',
    "<img src onerror=alert(1)>",
    "<input onfocus=alert(1) autofocus>",
    "<video src=x onloadstart=alert(1)>",
]

_CALL = re.compile(r"alert\([^()]*\)|msgbox\([^()]*\)")


def numbered() -> list[tuple[int, str]]:
    """(n, payload) with each `alert(…)` replaced by `__xss(n)`; duplicates removed."""
    seen, out = set(), []
    for payload in [*BASE_PAYLOADS, *EXTRA]:
        if payload in seen:
            continue
        seen.add(payload)
        n = len(out) + 1
        out.append((n, _CALL.sub(f"__xss({n})", payload)))
    return out


PAYLOADS = numbered()

#: installed before any page script: records every detector call, dialog and suspicious log
DETECTOR = """
(() => {
  const hits = [];
  Object.defineProperty(window, "__xss_hits", { value: hits });
  window.__xss = (n) => { hits.push("payload " + n); };
  for (const name of ["alert", "confirm", "prompt"]) {
    window[name] = (...args) => { hits.push(name + "(" + args.join(",") + ")"); };
  }
  for (const level of ["log", "info", "warn", "error", "debug"]) {
    const original = console[level].bind(console);
    console[level] = (...args) => {
      if (args.join(" ").includes("__xss")) hits.push("console " + args.join(" "));
      original(...args);
    };
  }
})();
"""

#: after load: markup that could run a script, as the browser parsed it
DOM_SCAN = """
() => {
  const found = [];
  for (const el of document.querySelectorAll("*")) {
    for (const attr of el.attributes) {
      const name = attr.name.toLowerCase();
      const value = attr.value.replace(/[\\u0000-\\u0020]+/g, "").toLowerCase();
      if (name.startsWith("on")) found.push(el.tagName + " " + name);
      if (/^(javascript:|vbscript:|data:text\\/html)/.test(value) && name !== "value")
        found.push(el.tagName + " " + name + "=" + value.slice(0, 40));
    }
    const tag = el.tagName.toLowerCase();
    if (["iframe", "object", "embed", "frame", "base", "math"].includes(tag)) found.push(tag);
    if (tag === "script" && !(el.src || "").includes("/static/")) found.push("inline script");
    if (tag === "svg" && el.querySelector("script, foreignObject, [onload]"))
      found.push("svg with script");
  }
  return found.concat(window.__xss_hits);
}
"""
