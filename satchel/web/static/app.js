// The little the pages do in the browser beyond htmx.
"use strict";
document.addEventListener("htmx:responseError", function (event) {
  var box = document.getElementById("errors");
  if (box) { box.textContent = "The server answered " + event.detail.xhr.status + "."; }
});
