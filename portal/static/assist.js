/* Statement Portal — the translator's aids in the editor.
 *
 * Progressive enhancement over desk/_assist.html: without this script suggestions are shown
 * and machine suggestions are plain form posts. With it, "Insert" puts a memory suggestion
 * in the paragraph's box (the editor's autosave then saves it as typing would), and a
 * machine suggestion is fetched and shown labelled as machine output; only "Use the
 * machine suggestion" puts it in the box, recorded on the server as machine output.
 * Every string shown comes from data-* attributes rendered in the interface language.
 */
(function () {
  "use strict";

  var tokenMeta = document.querySelector('meta[name="csrf-token"]');
  if (!tokenMeta || !window.fetch) {
    return;
  }
  var token = tokenMeta.getAttribute("content");

  function boxOf(element) {
    var row = element.closest(".segment");
    return row ? row.querySelector("textarea") : null;
  }

  function post(url, payload) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        "Accept": "application/json",
        "X-CSRFToken": token
      },
      body: JSON.stringify(payload)
    }).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      if (type.indexOf("application/json") === -1) {
        return { status: response.status || 0, body: {} };
      }
      return response.json().then(function (body) {
        return { status: response.status, body: body };
      });
    });
  }

  // Memory suggestions: insert into the box; the editor's own script saves it.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-suggestion][data-text]");
    if (!button) {
      return;
    }
    var box = boxOf(button);
    if (!box) {
      return;
    }
    box.value = button.dataset.text;
    box.dispatchEvent(new Event("input", { bubbles: true }));
    box.focus();
  });
  Array.prototype.forEach.call(document.querySelectorAll("[data-suggestion][hidden]"),
    function (button) { button.hidden = false; });

  function paragraph(className, text, lang, dir) {
    var p = document.createElement("p");
    p.className = className;
    p.textContent = text;
    if (lang) {
      p.lang = lang;
      p.dir = dir;
    }
    return p;
  }

  function showMachine(request, text) {
    var data = request.dataset;
    var box = boxOf(request);
    var holder = document.createElement("div");
    holder.className = "machine-suggestion";
    var label = document.createElement("p");
    label.className = "meta";
    var strong = document.createElement("strong");
    strong.className = "machine-label";
    strong.textContent = data.label;
    label.appendChild(strong);
    label.appendChild(document.createTextNode(" — " + data.warning));
    holder.appendChild(label);
    holder.appendChild(paragraph("suggestion-text", text, box && box.lang, box && box.dir));
    var use = document.createElement("button");
    use.type = "button";
    use.className = "secondary small";
    use.textContent = data.use;
    use.dataset.suggestion = "machine";
    use.dataset.machineUse = "";
    var status = paragraph("save-status", "");
    use.addEventListener("click", function () {
      var row = request.closest(".segment");
      var revision = row && row.querySelector('input[type="hidden"][name^="revision-"]');
      if (!box || !revision) {
        return;
      }
      use.disabled = true;
      post(data.useUrl, { text: text, revision: Number(revision.value) }).then(function (result) {
        use.disabled = false;
        if (result.status === 200) {
          revision.value = result.body.revision;
          box.value = result.body.text;
          box.focus();
          status.textContent = "";
        } else if (result.status === 409) {
          status.textContent = data.conflict;
        } else {
          var detail = result.body.error && result.body.error.detail;
          status.textContent = data.failed + " " + (detail || result.status);
        }
      }).catch(function () {
        use.disabled = false;
        status.textContent = data.failed;
      });
    });
    holder.appendChild(use);
    holder.appendChild(status);
    request.parentNode.insertBefore(holder, request);
    request.hidden = true;
  }

  document.addEventListener("click", function (event) {
    var request = event.target.closest("[data-machine-request]");
    if (!request) {
      return;
    }
    event.preventDefault();
    var slot = request.parentNode;
    var old = slot.querySelector(".machine-status");
    if (old) {
      old.remove();
    }
    var status = paragraph("machine-status meta", request.dataset.asking);
    slot.appendChild(status);
    request.disabled = true;
    post(request.getAttribute("formaction"), {}).then(function (result) {
      request.disabled = false;
      if (result.status === 200 && result.body.text) {
        status.remove();
        showMachine(request, result.body.text);
      } else {
        var detail = result.body.error && result.body.error.detail;
        status.className = "machine-status error";
        status.setAttribute("role", "alert");
        status.textContent = request.dataset.failed + " " + (detail || result.status);
      }
    }).catch(function () {
      request.disabled = false;
      status.className = "machine-status error";
      status.textContent = request.dataset.failed;
    });
  });
}());
