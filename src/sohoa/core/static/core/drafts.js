// Form drafts (issue 9, decision 0031). A form opts in with {% draft_form "name" %} inside it, which
// renders <div data-draft="name@/path/"> with the notices (translated on the server) and the user's
// server draft. While the user types, the form's fields (never files, passwords or hidden fields) are
// saved to /drafts/ (debounced and on leaving a field). When the session has expired (the save answers
// 401, 403 or a redirect), unclassified forms keep the values in localStorage ("sohoa:draft:<user>:<key>")
// and say so with a login link that comes back to the form; forms whose level is mật or higher keep them
// on the page only and do not submit until the user logged in again (in another tab). On load, a
// browser copy (newer: it exists only when the server did not get it) or else the server draft is put
// back, with a "Discard draft" button. Every page clears the browser copies of forms just submitted
// (<meta name="sohoa-drafts" data-cleared>) and of drafts older than the age limit; logging out clears
// all of the user's copies.
(function () {
  "use strict";
  var PREFIX = "sohoa:draft:";
  var DEBOUNCE_MS = 2000;
  var RETRY_MS = 15000;
  var SKIPPED_TYPES = ["file", "password", "hidden", "submit", "button", "reset", "image"];

  function storage() {
    try {
      return window.localStorage || null;
    } catch (e) {
      return null; // storage disabled: drafts still go to the server
    }
  }

  function metaTag() {
    return document.querySelector('meta[name="sohoa-drafts"]');
  }

  function localName(user, key) {
    return PREFIX + user + ":" + key;
  }

  function readCopy(name) {
    var store = storage();
    if (!store) return null;
    try {
      var item = JSON.parse(store.getItem(name) || "null");
      return item && typeof item === "object" && item.data && typeof item.data === "object" ? item : null;
    } catch (e) {
      return null;
    }
  }

  function removeCopies(prefix) {
    var store = storage();
    if (!store) return;
    for (var i = store.length - 1; i >= 0; i--) {
      var name = store.key(i);
      if (name && name.indexOf(prefix) === 0) store.removeItem(name);
    }
  }

  // Every page: forget copies of forms submitted successfully, and copies older than the age limit.
  function housekeeping() {
    var meta = metaTag();
    var store = storage();
    if (!meta || !store) return;
    var user = meta.getAttribute("data-user");
    var days = parseInt(meta.getAttribute("data-days") || "14", 10) || 14;
    var cleared = [];
    try {
      cleared = JSON.parse(meta.getAttribute("data-cleared") || "[]");
    } catch (e) {
      cleared = [];
    }
    if (user && Array.isArray(cleared)) {
      cleared.forEach(function (key) {
        store.removeItem(localName(user, key));
      });
    }
    var oldest = Date.now() - days * 86400000;
    for (var i = store.length - 1; i >= 0; i--) {
      var name = store.key(i);
      if (!name || name.indexOf(PREFIX) !== 0) continue;
      var item = readCopy(name);
      if (!item || !(item.savedAt >= oldest)) store.removeItem(name);
    }
  }

  function cookie(name) {
    var parts = document.cookie ? document.cookie.split(";") : [];
    for (var i = 0; i < parts.length; i++) {
      var pair = parts[i].trim();
      if (pair.indexOf(name + "=") === 0) return decodeURIComponent(pair.slice(name.length + 1));
    }
    return "";
  }

  function isDrafted(el) {
    if (!el || !el.name || el.disabled || el.hasAttribute("data-draft-skip")) return false;
    if (["INPUT", "SELECT", "TEXTAREA"].indexOf(el.tagName) < 0) return false;
    return SKIPPED_TYPES.indexOf((el.type || "").toLowerCase()) < 0;
  }

  // The form's drafted fields as {name: [values]} (checkboxes: the checked values, possibly none).
  function collect(form) {
    var data = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!isDrafted(el)) return;
      var values = data[el.name] || (data[el.name] = []);
      if (el.type === "checkbox" || el.type === "radio") {
        if (el.checked) values.push(el.value);
      } else if (el.tagName === "SELECT" && el.multiple) {
        Array.prototype.forEach.call(el.options, function (option) {
          if (option.selected) values.push(option.value);
        });
      } else {
        values.push(el.value);
      }
    });
    return data;
  }

  // Put values back; a field the draft does not name keeps its value, a choice no longer offered is empty.
  function apply(form, data) {
    var seen = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!isDrafted(el) || !Object.prototype.hasOwnProperty.call(data, el.name)) return;
      var values = Array.isArray(data[el.name]) ? data[el.name].map(String) : [String(data[el.name])];
      if (el.type === "checkbox" || el.type === "radio") {
        el.checked = values.indexOf(el.value) >= 0;
      } else if (el.tagName === "SELECT" && el.multiple) {
        Array.prototype.forEach.call(el.options, function (option) {
          option.selected = values.indexOf(option.value) >= 0;
        });
      } else {
        var index = seen[el.name] || 0;
        seen[el.name] = index + 1;
        if (index < values.length) el.value = values[index];
      }
    });
    // Forms that build rows on the fly (htmx) may listen and add what the draft names.
    form.dispatchEvent(new CustomEvent("sohoa:draft-restored", { bubbles: true, detail: { data: data } }));
  }

  function setup(box) {
    if (box.sohoaDrafts) return;
    box.sohoaDrafts = true;
    var form = box.closest("form");
    if (!form) return;
    var key = box.getAttribute("data-draft");
    var copyName = localName(box.getAttribute("data-draft-user"), key);
    var saveUrl = box.getAttribute("data-draft-url");
    var discardUrl = box.getAttribute("data-draft-discard-url");
    var part = function (name) {
      return box.querySelector("[data-draft-" + name + "]");
    };
    var state = {
      expired: false,
      sent: null,
      hasDraft: false,
      timer: null,
      retry: null,
      inflight: null,
      submitting: false,
      bypass: false,
    };
    var initial = JSON.stringify(collect(form));

    function level() {
      var value = parseInt(box.getAttribute("data-draft-level") || "0", 10) || 0;
      var fieldName = box.getAttribute("data-draft-level-field");
      var field = fieldName ? form.elements.namedItem(fieldName) : null;
      var chosen = field ? parseInt(field.value, 10) : NaN;
      return chosen > value ? chosen : value;
    }

    function status(text) {
      part("status").textContent = text || "";
    }

    function message(name) {
      return box.getAttribute("data-msg-" + name) || "";
    }

    function keepCopy(data) {
      var store = storage();
      if (!store) return;
      if (level() >= 1) {
        store.removeItem(copyName); // classified: never in the browser's storage
        return;
      }
      try {
        store.setItem(copyName, JSON.stringify({ v: 1, savedAt: Date.now(), data: data }));
      } catch (e) {
        /* storage full: the page still holds the values */
      }
    }

    function dropCopy() {
      var store = storage();
      if (store) store.removeItem(copyName);
    }

    function csrfToken() {
      var token = cookie(box.getAttribute("data-draft-csrf-cookie") || "csrftoken");
      var input = form.querySelector("input[name=csrfmiddlewaretoken]");
      if (token && input) input.value = token; // a login in another tab rotated it
      return token || (input ? input.value : "");
    }

    function post(url, body) {
      return fetch(url, {
        method: "POST",
        credentials: "same-origin",
        redirect: "manual",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken(), "X-Requested-With": "fetch" },
        body: JSON.stringify(body),
      }).then(
        function (response) {
          var code = response.status;
          if (response.type === "opaqueredirect" || code === 401 || code === 403 || (code >= 300 && code < 400)) {
            return { expired: true };
          }
          if (response.ok) return { ok: true };
          return response.json().then(
            function (json) {
              return { error: (json && json.error) || message("failed") };
            },
            function () {
              return { failed: true };
            }
          );
        },
        function () {
          return { failed: true };
        }
      );
    }

    function showExpired() {
      var classified = level() >= 1;
      part("expired").hidden = classified;
      part("expired-classified").hidden = !classified;
      status("");
      if (!state.retry) state.retry = window.setInterval(save, RETRY_MS);
    }

    function expire() {
      var firstTime = !state.expired;
      state.expired = true;
      keepCopy(collect(form)); // what the form holds now, typed while the save was on its way too
      showExpired();
      if (firstTime) (level() >= 1 ? part("expired-classified") : part("expired")).scrollIntoView({ block: "nearest" });
    }

    function backAgain() {
      state.expired = false;
      part("expired").hidden = true;
      part("expired-classified").hidden = true;
      window.clearInterval(state.retry);
      state.retry = null;
      status(message("back"));
    }

    function schedule(delay) {
      window.clearTimeout(state.timer);
      state.timer = window.setTimeout(save, delay);
    }

    // Send the form's values if they changed; resolves to true when the server has them.
    function save() {
      window.clearTimeout(state.timer);
      if (state.submitting) return Promise.resolve(true);
      if (state.inflight) return state.inflight.then(save); // one at a time, the newest values last
      var data = collect(form);
      var text = JSON.stringify(data);
      if (text === state.sent || (!state.hasDraft && state.sent === null && text === initial)) {
        return Promise.resolve(true);
      }
      state.inflight = post(saveUrl, { key: key, data: data, level: level() }).then(function (result) {
        state.inflight = null;
        if (result.ok) {
          state.sent = text;
          state.hasDraft = true;
          dropCopy();
          if (state.expired) backAgain();
          var time = new Date().toLocaleTimeString(document.documentElement.lang || undefined, {
            hour: "2-digit",
            minute: "2-digit",
          });
          status(message("saved").replace("%(time)s", time));
          return true;
        }
        if (result.expired) {
          expire();
          return false;
        }
        status(result.error || message("failed"));
        if (result.failed) schedule(RETRY_MS);
        return false;
      });
      return state.inflight;
    }

    function changed(event) {
      if (!isDrafted(event.target)) return;
      if (state.expired) {
        keepCopy(collect(form)); // at once: the tab may be closed before the next try
        showExpired();
      }
      schedule(DEBOUNCE_MS);
    }

    form.addEventListener("input", changed);
    form.addEventListener("change", changed);
    form.addEventListener("focusout", function (event) {
      if (isDrafted(event.target)) schedule(0);
    });
    window.addEventListener("focus", function () {
      if (state.expired) save();
    });
    window.addEventListener("beforeunload", function (event) {
      // Classified values live only on this page while the session is gone: warn before losing them.
      if (state.expired && level() >= 1 && !state.bypass) {
        event.preventDefault();
        event.returnValue = "";
      }
    });

    form.addEventListener("submit", function (event) {
      if (state.bypass) return;
      csrfToken();
      window.clearTimeout(state.timer);
      var classified = level() >= 1;
      if (!classified) keepCopy(collect(form)); // until the next page says the submit succeeded
      if (classified && state.expired) {
        event.preventDefault();
        showExpired();
        part("expired-classified").scrollIntoView({ block: "nearest" });
        return;
      }
      // A save still on its way could reach the server after this submit deleted the draft and bring it
      // back: the submit waits for it, and no save starts after it. A classified form saves first, so
      // an expired session holds the submit back instead of losing the values to the login page.
      var pending = classified ? save() : state.inflight;
      state.submitting = true;
      if (!pending) return;
      event.preventDefault();
      var submitter = event.submitter;
      pending.then(function () {
        if (classified && state.expired) {
          state.submitting = false;
          return;
        }
        state.bypass = true;
        // Not from this task: a submit asked for while the first one's events still run is ignored.
        window.setTimeout(function () {
          if (form.requestSubmit) form.requestSubmit(submitter || undefined);
          else form.submit();
        }, 0);
      });
    });
    window.addEventListener("pageshow", function (event) {
      if (event.persisted) state.submitting = state.bypass = false; // back from the history cache
    });

    part("discard").addEventListener("click", function () {
      dropCopy();
      post(discardUrl, { key: key }).then(function (result) {
        if (result.expired) expire();
      });
      form.reset();
      initial = JSON.stringify(collect(form));
      state.sent = null;
      state.hasDraft = false;
      part("restored").hidden = true;
      status(message("discarded"));
    });

    if (form.querySelector("input[type=file]")) part("files").hidden = false;

    var copy = readCopy(copyName);
    if (box.getAttribute("data-draft-bound") === "1") {
      // The form came back with errors: what it shows is the newest; keep that as the draft.
      state.hasDraft = true;
      save();
      return;
    }
    var server = null;
    try {
      server = JSON.parse(box.getAttribute("data-draft-server") || "null");
    } catch (e) {
      server = null;
    }
    if (server) {
      state.hasDraft = true;
      state.sent = null;
    }
    var source = copy ? copy.data : server;
    if (!source) return;
    apply(form, source);
    if (JSON.stringify(collect(form)) !== initial) part("restored").hidden = false;
    if (copy) {
      if (level() >= 1) dropCopy();
      save(); // the server did not get these values: send them now (drops the copy when it did)
    } else {
      state.sent = JSON.stringify(collect(form));
    }
  }

  function setupAll(root) {
    Array.prototype.forEach.call((root || document).querySelectorAll("[data-draft]"), setup);
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var meta = metaTag();
    if (form instanceof HTMLFormElement && form.hasAttribute("data-drafts-logout") && meta) {
      var user = meta.getAttribute("data-user");
      if (user) removeCopies(PREFIX + user + ":");
    }
  });
  document.addEventListener("htmx:load", function (event) {
    setupAll(event.target);
  });
  housekeeping();
  setupAll(document);
})();
