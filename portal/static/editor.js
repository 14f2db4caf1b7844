/* Statement Portal — the translation editor's autosave, placeables and keyboard.
 *
 * Progressive enhancement: without this script the editor is a plain form ("Save all").
 * With it, each paragraph saves itself ~800 ms after typing stops and when the box loses
 * focus. A save names the draft revision it was typed over; if the paragraph changed
 * elsewhere meanwhile, the server refuses (409) and sends the current text, which is shown
 * under the box with "Keep mine" and "Use theirs". Each save answers with the checks and
 * the rendered preview of that paragraph (HTML the server rendered and sanitized), which
 * replace the ones beside the box. Placeable buttons insert [n]…[/n] or {n} (around the
 * selected words, or moving the token if it is already in the box), and the keyboard
 * shortcuts listed in the page's #keys dialog work from any box. Every string shown comes
 * from the page, rendered in the interface language.
 */
(function () {
  "use strict";

  var form = document.querySelector("form.editor");
  var tokenMeta = document.querySelector('meta[name="csrf-token"]');
  if (!form || !tokenMeta || !window.fetch) {
    return;
  }
  var token = tokenMeta.getAttribute("content");
  var text = form.dataset;
  var DELAY = 800;
  var progress = document.getElementById("progress");

  function updateProgress(translated, total) {
    if (!progress) {
      return;
    }
    progress.dataset.translated = translated;
    progress.dataset.total = total;
    progress.textContent = text.progress
      .replace("{translated}", String(translated))
      .replace("{total}", String(total));
  }

  function Segment(element) {
    this.element = element;
    this.url = element.dataset.url;
    this.textarea = element.querySelector("textarea");
    this.revision = element.querySelector('input[type="hidden"][name^="revision-"]');
    this.status = element.querySelector(".save-status");
    this.feedback = element.querySelector(".feedback");
    this.saved = this.textarea.value;   // what the server holds at this.revision
    this.timer = null;
    this.inFlight = false;
    this.again = false;
    this.conflict = null;
    var self = this;
    this.textarea.addEventListener("input", function () {
      if (!self.conflict) {   // while a conflict is shown, the person decides, not a timer
        self.schedule();
      }
    });
    this.textarea.addEventListener("blur", function () {
      if (!self.conflict && self.dirty()) {
        self.save();
      }
    });
    // A conflict shown by the server after a plain "Save all" gets the same buttons; the
    // server already put the current revision in the hidden field and the typed text in
    // the box, and holds the text shown under it.
    var shown = element.querySelector(".conflict .current-text");
    if (shown) {
      this.saved = shown.textContent;
      this.showConflict(shown.textContent, Number(this.revision.value),
        element.querySelector(".conflict"));
    }
  }

  Segment.prototype.dirty = function () {
    return this.textarea.value !== this.saved;
  };

  Segment.prototype.setStatus = function (message) {
    if (this.status) {
      this.status.textContent = message;
    }
  };

  Segment.prototype.schedule = function () {
    var self = this;
    window.clearTimeout(this.timer);
    this.timer = window.setTimeout(function () {
      self.save();
    }, DELAY);
  };

  Segment.prototype.save = function () {
    window.clearTimeout(this.timer);
    if (this.inFlight) {
      this.again = true;   // one save at a time: the next one needs this one's revision
      return;
    }
    if (!this.dirty()) {
      return;
    }
    var self = this;
    var sent = this.textarea.value;
    this.inFlight = true;
    this.setStatus(text.saving);
    fetch(this.url, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        "Accept": "application/json",
        "X-CSRFToken": token
      },
      body: JSON.stringify({ text: sent, revision: Number(this.revision.value) })
    }).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      if (type.indexOf("application/json") === -1) {
        // A redirect to the sign-in page, a proxy's error page: not saved, and not offline.
        return { status: response.status || 0, body: {} };
      }
      return response.json().then(function (body) {
        return { status: response.status, body: body };
      });
    }).then(function (result) {
      self.inFlight = false;
      if (result.status === 200) {
        self.revision.value = result.body.revision;
        self.saved = sent;
        self.clearConflict();
        self.setStatus(self.dirty() ? "" : text.saved);
        updateProgress(result.body.translated, result.body.total);
        if (self.feedback && typeof result.body.feedback === "string") {
          self.feedback.innerHTML = result.body.feedback;   // rendered and sanitized by the server
        }
      } else if (result.status === 409) {
        self.showConflict(result.body.current_text, result.body.current_revision);
        self.setStatus(text.notSaved);
        return;
      } else {
        var detail = result.body.error && result.body.error.detail;
        self.setStatus(detail ? text.notSaved + " — " + detail : text.notSaved);
        return;
      }
      if (self.again || self.dirty()) {
        self.again = false;
        self.schedule();
      }
    }).catch(function () {
      self.inFlight = false;
      self.again = false;
      self.setStatus(text.offline);
    });
  };

  Segment.prototype.clearConflict = function () {
    if (this.conflict) {
      this.conflict.parentNode.removeChild(this.conflict);
      this.conflict = null;
    }
  };

  Segment.prototype.showConflict = function (currentText, currentRevision, existing) {
    var self = this;
    this.clearConflict();
    var box = existing || document.createElement("div");
    if (!existing) {
      box.className = "conflict";
      box.setAttribute("role", "alert");
      var label = document.createElement("p");
      label.className = "meta";
      label.textContent = text.conflict;
      var quote = document.createElement("blockquote");
      quote.className = "current-text";
      quote.lang = this.textarea.lang;
      quote.dir = this.textarea.dir;
      quote.textContent = currentText;
      box.appendChild(label);
      box.appendChild(quote);
      this.textarea.parentNode.insertBefore(box, this.status);
    }
    var buttons = document.createElement("p");
    buttons.className = "actions";
    var keep = document.createElement("button");
    keep.type = "button";
    keep.textContent = text.keepMine;
    var use = document.createElement("button");
    use.type = "button";
    use.className = "secondary";
    use.textContent = text.useTheirs;
    buttons.appendChild(keep);
    buttons.appendChild(document.createTextNode(" "));
    buttons.appendChild(use);
    box.appendChild(buttons);
    this.conflict = box;

    keep.addEventListener("click", function () {
      // Save the person's text over the current revision, deliberately.
      self.revision.value = currentRevision;
      self.saved = currentText;
      self.clearConflict();
      if (self.dirty()) {
        self.save();
      } else {
        self.setStatus(text.saved);   // the two texts were the same already
      }
    });
    use.addEventListener("click", function () {
      self.textarea.value = currentText;
      self.revision.value = currentRevision;
      self.saved = currentText;
      self.clearConflict();
      self.setStatus(text.saved);
    });
  };

  var segments = [];
  Array.prototype.forEach.call(form.querySelectorAll(".segment[data-url]"), function (element) {
    if (element.querySelector("textarea")) {
      segments.push(new Segment(element));
    }
  });

  window.addEventListener("online", function () {
    segments.forEach(function (segment) {
      if (segment.dirty() && !segment.conflict) {
        segment.save();
      }
    });
  });

  // Warn before leaving with text the server does not have yet.
  window.addEventListener("beforeunload", function (event) {
    var unsaved = segments.some(function (segment) {
      return segment.dirty() || segment.inFlight;
    });
    if (unsaved && !form.dataset.submitting) {
      event.preventDefault();
      event.returnValue = text.leave;
      return text.leave;
    }
  });
  form.addEventListener("submit", function () {
    // "Save all" and "Submit" post every box: nothing is left behind.
    form.dataset.submitting = "1";
  });

  // --- Placeables -------------------------------------------------------------------------

  function replaceText(textarea, start, end, replacement) {
    // Through the editing commands where they exist, so Undo still works.
    textarea.focus();
    textarea.setSelectionRange(start, end);
    var done = false;
    try {
      done = document.execCommand("insertText", false, replacement);
    } catch (ignore) {
      done = false;
    }
    if (!done || textarea.value.slice(start, start + replacement.length) !== replacement) {
      textarea.setRangeText(replacement, start, end, "end");
      textarea.dispatchEvent(new Event("input", { bubbles: true }));
    }
  }

  function removeToken(textarea, token, selection) {
    // Take an existing token out (a placeable is moved, never doubled); keep the selection.
    var at = textarea.value.indexOf(token);
    if (at === -1) {
      return false;
    }
    textarea.value = textarea.value.slice(0, at) + textarea.value.slice(at + token.length);
    ["start", "end"].forEach(function (edge) {
      if (selection[edge] > at) {
        selection[edge] = Math.max(at, selection[edge] - token.length);
      }
    });
    return true;
  }

  function insertPlaceable(textarea, number, paired) {
    var open = paired ? "[" + number + "]" : "{" + number + "}";
    var close = paired ? "[/" + number + "]" : "";
    var selection = { start: textarea.selectionStart, end: textarea.selectionEnd };
    var moved = removeToken(textarea, open, selection);
    if (paired) {
      moved = removeToken(textarea, close, selection) || moved;
    }
    var chosen = textarea.value.slice(selection.start, selection.end);
    replaceText(textarea, selection.start, selection.end, open + chosen + close);
    // The caret goes inside an empty pair, so the words can be typed into it.
    var caret = selection.start + open.length + chosen.length + (chosen ? close.length : 0);
    textarea.setSelectionRange(caret, caret);
    if (moved) {
      textarea.dispatchEvent(new Event("input", { bubbles: true }));
    }
  }

  form.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-placeable]");
    if (!button) {
      return;
    }
    var row = button.closest(".segment");
    var textarea = row && row.querySelector("textarea");
    if (textarea) {
      insertPlaceable(textarea, button.dataset.placeable, button.dataset.paired === "1");
    }
  });
  // A click on a button must not take the caret and selection away from the box.
  form.addEventListener("mousedown", function (event) {
    if (event.target.closest("button[data-placeable]")) {
      event.preventDefault();
    }
  });

  // --- Keyboard ---------------------------------------------------------------------------

  var current = segments[0] || null;
  segments.forEach(function (segment) {
    segment.textarea.addEventListener("focus", function () {
      current = segment;
    });
  });
  var dialog = document.getElementById("keys");
  var hint = document.querySelector(".keys-hint");
  function openKeys() {
    if (dialog && !dialog.open && dialog.showModal) {
      dialog.showModal();
    }
  }
  if (hint && dialog && dialog.showModal) {
    hint.hidden = false;
    hint.querySelector("[data-keys-open]").addEventListener("click", openKeys);
  }
  if (dialog) {
    dialog.addEventListener("close", function () {
      if (current) {
        current.textarea.focus();
      }
    });
  }

  function go(step) {
    var index = segments.indexOf(current) + step;
    if (index >= 0 && index < segments.length) {
      segments[index].textarea.focus();
      segments[index].element.scrollIntoView({ block: "nearest" });
    }
  }

  function digit(event) {
    var match = /^Digit([1-9])$/.exec(event.code || "") || /^Numpad([1-9])$/.exec(event.code || "");
    return match ? Number(match[1]) : 0;
  }

  document.addEventListener("keydown", function (event) {
    if (dialog && dialog.open) {
      return;   // the dialog handles Escape itself
    }
    var inBox = event.target instanceof HTMLTextAreaElement ||
      event.target instanceof HTMLInputElement || event.target instanceof HTMLSelectElement;
    var segment = current;
    if (inBox && event.target.closest(".segment")) {
      segments.forEach(function (candidate) {
        if (candidate.textarea === event.target) {
          segment = candidate;
        }
      });
    }
    var command = event.ctrlKey || event.metaKey;
    var handled = true;
    if (event.key === "?" && !command && !event.altKey && !inBox) {
      openKeys();
    } else if (event.altKey && !command && (event.key === "?" || event.code === "Slash")) {
      openKeys();
    } else if (event.altKey && !command && event.key === "ArrowDown") {
      go(1);
    } else if (event.altKey && !command && event.key === "ArrowUp") {
      go(-1);
    } else if (event.altKey && !command && event.code === "KeyC" && segment) {
      replaceText(segment.textarea, 0, segment.textarea.value.length,
        segment.textarea.dataset.source || "");
    } else if (event.altKey && !command && digit(event) && segment) {
      var number = digit(event);
      if (event.shiftKey) {
        var suggestions = segment.element.querySelectorAll("[data-suggestion]");
        if (suggestions[number - 1]) {
          suggestions[number - 1].click();
          segment.textarea.focus();
        }
      } else {
        var button = segment.element.querySelector('button[data-placeable="' + number + '"]');
        if (button) {
          insertPlaceable(segment.textarea, String(number), button.dataset.paired === "1");
        }
      }
    } else if (command && !event.altKey && (event.key === "s" || event.key === "S")) {
      segments.forEach(function (each) {
        if (each.dirty() && !each.conflict) {
          each.save();
        }
      });
    } else if (command && !event.altKey && event.key === "Enter") {
      var submit = form.querySelector("button[data-submit]");
      if (submit) {
        form.requestSubmit ? form.requestSubmit(submit) : submit.click();
      }
    } else {
      handled = false;
    }
    if (handled) {
      event.preventDefault();
    }
  });
}());
