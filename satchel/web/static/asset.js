// The asset page's copy button: the signed link to the clipboard.
"use strict";
window.addEventListener("DOMContentLoaded", function () {
  var button = document.getElementById("copy");
  if (!button) { return; }
  button.addEventListener("click", function () {
    var field = document.getElementById(button.dataset.target);
    var said = document.getElementById("copied");
    field.select();
    navigator.clipboard.writeText(field.value).then(
      function () { said.textContent = "Copied."; },
      function () { said.textContent = "Select the link and copy it (the browser refused)."; }
    );
  });
});
