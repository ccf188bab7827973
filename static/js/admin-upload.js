// The upload page: tell the curator about the cap (files and bytes in one
// upload) before sending files the server would refuse. The form carries the
// caps and the translated message in data attributes; no inline script, so
// the Content-Security-Policy needs no 'unsafe-inline'.
(function () {
  "use strict";
  var form = document.getElementById("upload-form");
  if (!form) return;
  form.addEventListener("submit", function (event) {
    var input = form.querySelector("input[type=file]");
    var files = (input && input.files) || [], total = 0;
    for (var i = 0; i < files.length; i++) total += files[i].size;
    if (files.length > Number(form.dataset.maxFiles) || total > Number(form.dataset.maxBytes)) {
      event.preventDefault();
      var note = document.getElementById("upload-cap-error");
      note.textContent = form.dataset.capMessage;
      note.hidden = false;
    }
  });
})();
