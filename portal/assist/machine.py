"""Machine suggestions from a LibreTranslate-compatible server (`MT_URL`), on request only.

The documented API: POST /translate with `q`, `source`, `target`, `format` (and `api_key`
when the server wants one) as JSON; the answer is `{"translatedText": …}`, or
`{"error": …}` with a 4xx/5xx status. Nothing here is called unless a translator asks.
"""

import json
import socket
import urllib.error
import urllib.request

from flask import current_app
from flask_babel import gettext as _

MAX_ANSWER_BYTES = 1024 * 1024


class MachineUnavailable(Exception):
    """The machine translation server gave no usable answer; the message says why."""


def machine_enabled() -> bool:
    """A machine translation server is configured."""
    return bool(current_app.config.get("MT_URL"))


def _language(tag: str) -> str:
    # LibreTranslate names languages by ISO 639 code; it knows zh-Hans as "zh" (or zt).
    return "zt" if tag == "zh-Hant" else tag.split("-")[0]


def machine_translate(text: str, source_tag: str, target_tag: str) -> str:
    """The server's translation of a text; MachineUnavailable on timeout or error."""
    config = current_app.config
    payload = {"q": text, "source": _language(source_tag), "target": _language(target_tag),
               "format": "text"}
    if config.get("MT_API_KEY"):
        payload["api_key"] = config["MT_API_KEY"]
    request = urllib.request.Request(
        config["MT_URL"] + "/translate", data=json.dumps(payload).encode(), method="POST",
        headers={"Content-Type": "application/json", "Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=config["MT_TIMEOUT"]) as response:
            body = response.read(MAX_ANSWER_BYTES + 1)
    except urllib.error.HTTPError as error:
        detail = _detail(error)
        raise MachineUnavailable(
            _("The machine translation server refused (HTTP %(status)d): %(detail)s",
              status=error.code, detail=detail) if detail else
            _("The machine translation server refused (HTTP %(status)d).",
              status=error.code)) from None
    except TimeoutError:
        raise MachineUnavailable(_("The machine translation server did not answer within "
                                   "%(seconds)d seconds. Try again later.",
                                   seconds=config["MT_TIMEOUT"])) from None
    except (urllib.error.URLError, OSError) as error:
        if isinstance(getattr(error, "reason", None), TimeoutError | socket.timeout):
            raise MachineUnavailable(_("The machine translation server did not answer within "
                                       "%(seconds)d seconds. Try again later.",
                                       seconds=config["MT_TIMEOUT"])) from None
        raise MachineUnavailable(_("The machine translation server cannot be reached. Try "
                                   "again later.")) from None
    try:
        answer = json.loads(body[:MAX_ANSWER_BYTES])
        translated = answer["translatedText"]
    except (ValueError, KeyError, TypeError):
        raise MachineUnavailable(_("The machine translation server sent an answer the portal "
                                   "cannot read.")) from None
    if not isinstance(translated, str) or not translated.strip():
        raise MachineUnavailable(_("The machine translation server sent an empty "
                                   "translation."))
    return translated.strip()


def _detail(error: urllib.error.HTTPError) -> str:
    try:
        detail = json.loads(error.read(4096)).get("error", "")
    except (ValueError, AttributeError, OSError):
        return ""
    return str(detail)[:300]
