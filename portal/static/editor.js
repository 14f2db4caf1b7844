/* Statement Portal — the translation editor's autosave.
 *
 * Progressive enhancement: without this script the editor is a plain form ("Save all").
 * With it, each paragraph saves itself ~800 ms after typing stops and when the box loses
 * focus. A save names the draft revision it was typed over; if the paragraph changed
 * elsewhere meanwhile, the server refuses (409) and sends the current text, which is shown
 * under the box with "Keep mine" and "Use theirs". Every string shown comes from the
 * form's data-* attributes, rendered in the interface language.
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
}());
