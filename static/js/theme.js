/* Apply the reader's saved theme and font size before the first paint
   (loaded in <head>, not deferred; a file, so the Content-Security-Policy
   allows no inline script). */
try {
  var d = document.documentElement;
  var theme = localStorage.getItem("wenji:theme");
  var font = localStorage.getItem("wenji:font");
  if (theme === "light" || theme === "dark") d.dataset.theme = theme;
  if (font === "small" || font === "large") d.dataset.font = font;
} catch (e) {}
