/* Search-box suggestions: titles and tags from /search/suggest/, asked for
   250 ms after the reader stops typing. Without this script the box is a
   plain form that submits to /search/. */
(function () {
  "use strict";
  var DELAY = 250;
  var MIN_CHARS = 1;
  var counter = 0;

  function setup(input) {
    var url = input.dataset.suggestUrl;
    var form = input.form;
    if (!url || !form || !window.fetch) return;
    var list = document.createElement("ul");
    var listId = "search-suggest-" + (++counter);
    list.id = listId;
    list.className = "search-suggest";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    form.appendChild(list);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-controls", listId);
    input.setAttribute("aria-expanded", "false");

    var timer = null;
    var controller = null;
    var active = -1;

    function links() { return list.querySelectorAll("a"); }

    function close() {
      list.hidden = true;
      list.textContent = "";
      active = -1;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    }

    function select(index) {
      var items = links();
      if (!items.length) return;
      active = (index + items.length) % items.length;
      items.forEach(function (a, i) { a.setAttribute("aria-selected", String(i === active)); });
      input.setAttribute("aria-activedescendant", items[active].id);
    }

    function show(suggestions) {
      list.textContent = "";
      active = -1;
      if (!suggestions.length) { close(); return; }
      suggestions.forEach(function (s, i) {
        var li = document.createElement("li");
        li.setAttribute("role", "presentation");
        var a = document.createElement("a");
        a.id = listId + "-" + i;
        a.href = s.url;
        a.setAttribute("role", "option");
        a.setAttribute("aria-selected", "false");
        var label = document.createElement("span");
        label.textContent = s.label;
        var kind = document.createElement("span");
        kind.className = "search-suggest__kind";
        kind.textContent = s.kind === "tag" ? (input.dataset.labelTag || "tag") : (input.dataset.labelTitle || "essay");
        a.appendChild(label);
        a.appendChild(kind);
        li.appendChild(a);
        list.appendChild(li);
      });
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }

    function ask() {
      var q = input.value.trim();
      if (q.length < MIN_CHARS) { close(); return; }
      if (controller) controller.abort();
      controller = window.AbortController ? new AbortController() : null;
      fetch(url + "?q=" + encodeURIComponent(q), {
        headers: { Accept: "application/json" },
        signal: controller ? controller.signal : undefined
      })
        .then(function (r) { return r.ok ? r.json() : { suggestions: [] }; })
        .then(function (data) {
          if (input.value.trim() === q) show(data.suggestions || []);
        })
        .catch(function () { /* aborted or offline: the form still works */ });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(ask, DELAY);
    });
    input.addEventListener("keydown", function (event) {
      if (list.hidden) return;
      if (event.key === "ArrowDown") { event.preventDefault(); select(active + 1); }
      else if (event.key === "ArrowUp") { event.preventDefault(); select(active - 1); }
      else if (event.key === "Escape") { close(); }
      else if (event.key === "Enter" && active >= 0) {
        event.preventDefault();
        window.location.href = links()[active].href;
      }
    });
    input.addEventListener("blur", function () { setTimeout(close, 150); });
  }

  document.querySelectorAll("form[role=search] input[data-suggest-url]").forEach(setup);
})();
