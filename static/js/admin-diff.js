// Two texts side by side with their differences marked (versions, revert,
// duplicates): each side opens at its first difference, not at the top of
// a long text. A side with nothing of its own there holds an empty mark
// where the other side's text was added or removed. A file, not an inline
// script: the admin's Content-Security-Policy (script-src 'self') would not
// run one.
document.querySelectorAll(".pair .text").forEach(function (box) {
  var mark = box.querySelector("del, ins");
  if (!mark) return;
  var above = mark.getBoundingClientRect().top - box.getBoundingClientRect().top + box.scrollTop;
  box.scrollTop = Math.max(0, above - 40);
});
