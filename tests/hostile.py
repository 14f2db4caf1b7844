"""Hostile text: what a person might type, paste or forge into any field of the portal.

Every payload must come out as inert text (or be refused with a message). Those that
would run set `window.__pwned` or open a dialog, so a browser can tell that they ran.
"""

PAYLOADS = [
    # <script> in every case, nested, broken and unclosed
    "<script>alert(1)</script>",
    "<ScRiPt>window.__pwned=1</sCrIpT>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<<script>script>window.__pwned=1//<</script>/script>",
    "<script src=data:text/javascript,window.__pwned=1></script>",
    "<script>alert(1)",
    "</textarea><script>alert(1)</script>",
    "</title><script>window.__pwned=1</script>",
    # event handlers
    '<img src=x onerror="window.__pwned=1">',
    "<img src=x onerror=alert(1)>",
    "<body onload=alert(1)>",
    "<input autofocus onfocus=alert(1)>",
    '<div onmouseover="window.__pwned=1" style="position:fixed;inset:0">hover me</div>',
    "<details open ontoggle=alert(1)><summary>x</summary></details>",
    "<video><source onerror=alert(1)></video>",
    # javascript:, data: and vbscript: URLs in Markdown links, images and autolinks
    "[click me](javascript:alert(1))",
    "[click me](JaVaScRiPt:window.__pwned=1)",
    '[click me](  javascript:alert(1) "a title")',
    "![an image](javascript:alert(1))",
    "[click me](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[click me](vbscript:msgbox(1))",
    "<javascript:alert(1)>",
    "[click me][ref]\n\n[ref]: javascript:alert(1)",
    "[click me](jav&#x61;script:alert(1))",
    "[click me](jav&#97;script&colon;alert(1))",
    '<a href="jav&#x09;ascript:alert(1)">click me</a>',
    # SVG and MathML
    "<svg onload=alert(1)>",
    "<svg><script>window.__pwned=1</script></svg>",
    '<svg><a xlink:href="javascript:alert(1)"><text x="20" y="20">click me</text></a></svg>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    # raw HTML blocks and inline HTML in Markdown
    "<div>\n<script>alert(1)</script>\n</div>",
    "Inline <b onclick=alert(1)>bold</b> and <i>italic</i> text",
    "<iframe src=\"javascript:alert(1)\"></iframe>",
    "<iframe srcdoc=\"<script>parent.__pwned=1</script>\"></iframe>",
    '<object data="javascript:alert(1)"></object>',
    '<embed src="data:text/html,<script>alert(1)</script>">',
    '<form action="javascript:alert(1)"><button>Send</button></form>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="javascript:alert(1)//">',
    '<link rel="stylesheet" href="javascript:alert(1)">',
    # CSS
    '<p style="background:url(javascript:alert(1))">styled</p>',
    '<div style="width:expression(alert(1))">styled</div>',
    '<style>@import "javascript:alert(1)";body{background:red}</style>',
    "| head |\n| :-: |\n| <span style=\"position:fixed;inset:0\">cell</span> |",
    # entities, escaped and double-encoded
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "&amp;lt;script&amp;gt;alert(1)&amp;lt;/script&amp;gt;",
    "&#60;img src=x onerror=alert(1)&#62;",
    "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e",
    # breaking out of attributes
    '" onmouseover="alert(1)',
    "' autofocus onfocus='alert(1)",
    '"><img src=x onerror=alert(1)>',
    "'><svg onload=alert(1)>",
    "` autofocus onfocus=alert(1) x=`",
    # template and format-string injection
    "{{7*7}} {{ config }} {{ config.SECRET_KEY }}",
    "{% for x in range(3) %}loop{% endfor %}",
    "${7*7} #{7*7} <%= 7*7 %>",
    "%(title)s %s %d {0} {title}",
    # bidirectional overrides and isolates, zero-width characters
    "Invoice \u202efdp.exe\u202c for you",
    "\u2066<script>alert(1)</script>\u2069 isolated",
    "\u2067right-to-left isolate\u2069 \u2068first strong\u2069",
    "zero\u200bwidth\u200c non\u200djoiner\ufeff<scr\u200bipt>alert(1)</scr\u200bipt>",
    # control characters: refused with a message, or stored without them
    "bell\x07 start\x01 escape\x1b[31m red",
    "null\x00 byte",
    "vertical\x0btab form\x0cfeed carriage\rreturn",
    "noncharacters \ufffe\uffff here",
    # very long words
    "A" * 5000,
    "https://example.org/" + "a" * 3000,
    # right-to-left text mixed with markup
    "مرحبا <script>alert(1)</script> بالعالم",
    "שלום [קישור](javascript:alert(1)) עולם",
    "نص **عريض** <img src=x onerror=alert(1)> نص",
    # Markdown tricks
    "[[[nested]]](javascript:alert(1))",
    "[click me](<javascript:alert(1)>)",
    "<!-- <script>alert(1)</script> --> after a comment",
    '[click me](https://example.org "title\\" onmouseover=\\"alert(1)")',
    '![x](https://example.org/x.png"onerror="alert(1))',
    "`<script>alert(1)</script>` in code",
    "```html\n<script>alert(1)</script>\n```",
    "*<em onmouseover=alert(1)>emphasis</em>*",
    # mailto and tel links (allowed)
    "[write to us](mailto:someone@example.org)",
    "[call us](tel:+34600000000)",
    "<mailto:someone@example.org>",
    # Unicode homoglyphs in URLs
    "[pаypal.com](https://xn--pypal-4ve.com/)",
    "Log in at https://аpple.com/login now",
    "[https://example.org](https://evil.example/)",
    # e-mail addresses that pass a loose check
    "<img/src=x/onerror=alert(1)>@example.org",
    '"><svg/onload=alert(1)>@example.org',
    "javascript:alert(1)//@example.org",
]
