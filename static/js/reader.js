/* Reader controls: font size, light/dark, Simplified/Traditional, copy link.
   Choices persist in localStorage; the page works without this script. */
(function () {
  "use strict";
  var root = document.documentElement;

  function load(key) {
    try { return localStorage.getItem("wenji:" + key); } catch (e) { return null; }
  }
  function save(key, value) {
    try {
      if (value === null) localStorage.removeItem("wenji:" + key);
      else localStorage.setItem("wenji:" + key, value);
    } catch (e) { /* private mode: the choice lasts for this page only */ }
  }

  // Font size: three steps; "medium" is the default and is not stored.
  var fontButtons = document.querySelectorAll("button[data-font]");
  function showFont(size) {
    fontButtons.forEach(function (b) { b.setAttribute("aria-pressed", String(b.dataset.font === size)); });
  }
  showFont(root.dataset.font || "medium");
  fontButtons.forEach(function (button) {
    button.addEventListener("click", function () {
      var size = button.dataset.font;
      if (size === "medium") delete root.dataset.font; else root.dataset.font = size;
      save("font", size === "medium" ? null : size);
      showFont(size);
    });
  });

  // Light/dark: follows prefers-color-scheme until the reader chooses.
  var themeButton = document.querySelector(".theme-toggle");
  var prefersDark = window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)");
  function isDark() {
    return root.dataset.theme ? root.dataset.theme === "dark" : !!(prefersDark && prefersDark.matches);
  }
  if (themeButton) {
    themeButton.setAttribute("aria-pressed", String(isDark()));
    themeButton.addEventListener("click", function () {
      var theme = isDark() ? "light" : "dark";
      root.dataset.theme = theme;
      save("theme", theme);
      themeButton.setAttribute("aria-pressed", String(theme === "dark"));
    });
  }

  // Simplified/Traditional: converted on the server (?script=hant); the
  // choice is remembered and applied to essay pages opened later.
  var scriptLink = document.querySelector(".script-toggle");
  if (scriptLink) {
    scriptLink.addEventListener("click", function () {
      save("script", scriptLink.dataset.script === "hant" ? "hant" : null);
    });
    var params = new URLSearchParams(window.location.search);
    if (load("script") === "hant" && !params.has("script")) {
      params.set("script", "hant");
      window.location.replace(window.location.pathname + "?" + params.toString() + window.location.hash);
    }
  }

  // Copy link: the canonical address, never the ?script= variant.
  var copyButton = document.querySelector(".copy-link");
  if (copyButton) {
    var status = document.querySelector(".copy-link__status");
    copyButton.hidden = false;
    copyButton.addEventListener("click", function () {
      var url = copyButton.dataset.url;
      function done() { if (status) status.textContent = copyButton.dataset.done; }
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(url).then(done, function () { fallback(url); done(); });
      } else {
        fallback(url);
        done();
      }
    });
  }
  function fallback(text) {
    var field = document.createElement("textarea");
    field.value = text;
    field.setAttribute("readonly", "");
    field.style.position = "absolute";
    field.style.left = "-9999px";
    document.body.appendChild(field);
    field.select();
    try { document.execCommand("copy"); } catch (e) { /* nothing more to try */ }
    document.body.removeChild(field);
  }
})();
