// The versions page's comparison: each side opens at its first difference,
// not at the top of a long text. A file, not an inline script: the admin's
// Content-Security-Policy (script-src 'self') would not run one.
document.querySelectorAll("#version-diff .text").forEach(function (box) {
  var mark = box.querySelector("del, ins");
  if (mark) box.scrollTop = Math.max(0, mark.offsetTop - box.offsetTop - 40);
});
