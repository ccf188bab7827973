/* The essay change form: suggested tags go into the form's tag fields
   without leaving the page, and leaving with unsaved changes warns (there
   and in the essay list, where titles are edited in place).
   Without JavaScript a suggested tag's button submits the whole form
   (saving what was typed) and the save adds the tag. No inline script:
   this file is all there is. */
(function () {
  "use strict";

  function serialize(form) {
    var pairs = [];
    new FormData(form).forEach(function (value, key) {
      if (key !== "csrfmiddlewaretoken" && typeof value === "string") {
        pairs.push(key + "=" + value);
      }
    });
    return pairs.sort().join("&");
  }

  function addToTagSelect(select, id, name) {
    var option = Array.prototype.find.call(select.options, function (o) {
      return o.value === id;
    });
    if (!option) {
      option = new Option(name, id, true, true);
      select.appendChild(option);
    }
    option.selected = true;
    // Django's autocomplete (select2) redraws on jQuery's change event.
    if (window.django && window.django.jQuery) {
      window.django.jQuery(select).trigger("change");
    } else {
      select.dispatchEvent(new Event("change", { bubbles: true }));
    }
  }

  function addToNewTags(input, name) {
    var names = input.value.split(/[,，、\s]+/).filter(Boolean);
    if (names.indexOf(name) === -1) {
      names.push(name);
    }
    input.value = names.join(" ");
    input.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function warnBeforeLeaving(form, fields) {
    var state = function () {
      return fields ? fields() : serialize(form);
    };
    var saved = state();
    var submitting = false;
    form.addEventListener("submit", function () {
      submitting = true;
    });
    window.addEventListener("beforeunload", function (event) {
      if (!submitting && state() !== saved) {
        event.preventDefault();
        event.returnValue = "";
      }
    });
  }

  function start() {
    // The essay list: titles edited in place and not yet saved.
    var list = document.getElementById("changelist-form");
    if (list && list.querySelector("input.title-input")) {
      warnBeforeLeaving(list, function () {
        return Array.prototype.map
          .call(list.querySelectorAll("input.title-input"), function (input) {
            return input.value;
          })
          .join("\n");
      });
    }
    var form = document.getElementById("essay_form");
    if (!form) {
      return;
    }
    warnBeforeLeaving(form);

    var select = document.getElementById("id_tags");
    var newTags = document.getElementById("id_new_tags");
    form.querySelectorAll("button.suggested-tag").forEach(function (button) {
      // With JavaScript the button no longer submits (Enter in a field
      // saves, as everywhere else in the admin).
      button.type = "button";
      button.addEventListener("click", function () {
        var name = button.value;
        var id = button.dataset.tagId;
        if (id && select) {
          addToTagSelect(select, id, name);
        } else if (newTags) {
          addToNewTags(newTags, name);
        } else {
          return;
        }
        button.disabled = true;
        button.setAttribute("aria-pressed", "true");
        var status = document.getElementById("suggested-tag-status");
        if (status) {
          status.textContent = (status.dataset.added || "") + name;
        }
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
