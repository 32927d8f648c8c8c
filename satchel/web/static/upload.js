// Uploads through tus (resumable): drag-and-drop anywhere on the page or the file picker,
// progress per file and overall, refusals shown with the API's own message. An upload cut
// off (a lost connection, a reload) goes on from the server's offset when the same file is
// chosen again: tus-js-client keeps each unfinished upload's URL in localStorage.
"use strict";
(function () {
  var box, list, overall, totals = {};

  function sizeText(n) {
    var units = ["bytes", "KiB", "MiB", "GiB", "TiB"], i = 0;
    while (n >= 1024 && i < units.length - 1) { n /= 1024; i += 1; }
    return (i === 0 ? n : n.toFixed(1)) + " " + units[i];
  }

  function apiMessage(error) {
    // The API answers {"error": {"code", "message"}}; tus-js-client keeps the response.
    var response = error && error.originalResponse;
    if (response) {
      try {
        var body = JSON.parse(response.getBody());
        if (body && body.error && body.error.message) { return body.error.message; }
      } catch (ignored) { /* not JSON: fall through */ }
      return "The server answered " + response.getStatus() + ".";
    }
    return "The connection was lost; choose the file again to resume.";
  }

  function showOverall() {
    var sent = 0, total = 0, active = 0;
    Object.keys(totals).forEach(function (key) {
      sent += totals[key].sent; total += totals[key].total;
      if (totals[key].active) { active += 1; }
    });
    overall.hidden = false;
    if (active) {
      overall.textContent = "Uploading " + active + " file(s): " + sizeText(sent) + " of " +
        sizeText(total) + " (" + Math.floor(total ? 100 * sent / total : 0) + "%)";
      return;
    }
    overall.textContent = "Uploads finished. ";
    if (list.querySelector("li.done")) {
      var again = document.createElement("a");
      again.href = window.location.href; again.textContent = "Show the new files";
      overall.append(again);
    }
  }

  function row(file) {
    var item = document.createElement("li");
    var name = document.createElement("span");
    var bar = document.createElement("progress");
    var state = document.createElement("span");
    name.className = "upload-name"; name.textContent = file.name;
    bar.max = file.size || 1; bar.value = 0;
    bar.setAttribute("aria-label", "Progress of " + file.name);
    state.className = "upload-state"; state.textContent = "Waiting";
    var toggle = document.createElement("button");
    toggle.type = "button"; toggle.className = "small"; toggle.textContent = "Pause";
    toggle.setAttribute("aria-label", "Pause " + file.name);
    item.append(name, bar, state, toggle);
    list.prepend(item);
    return { item: item, bar: bar, state: state, toggle: toggle };
  }

  function inside(folder, relative) {
    // `relative` is a path below the folder shown: "album/sub/photo.jpg" → "/top/album/sub".
    var parts = (relative || "").split("/").slice(0, -1).filter(Boolean);
    if (!parts.length) { return folder; }
    return (folder === "/" ? "" : folder) + "/" + parts.join("/");
  }

  function start(file, folder) {
    var view = row(file), key = file.name + ":" + file.size + ":" + Math.random();
    var assetId = null;
    totals[key] = { sent: 0, total: file.size, active: true };
    var upload = new window.tus.Upload(file, {
      endpoint: box.dataset.endpoint,
      chunkSize: Number(box.dataset.chunk),
      retryDelays: [0, 1000, 3000, 5000],
      headers: { "X-CSRF-Token": box.dataset.csrf },
      metadata: { filename: file.name, filetype: file.type, folder: folder || box.dataset.folder },
      removeFingerprintOnSuccess: true,
      onAfterResponse: function (req, res) {
        assetId = res.getHeader("Satchel-Asset-Id") || assetId;
      },
      onProgress: function (sent, total) {
        view.bar.max = total; view.bar.value = sent;
        view.state.textContent = Math.floor(100 * sent / total) + "%";
        totals[key].sent = sent;
        showOverall();
      },
      onError: function (error) {
        view.item.className = "failed";
        view.state.textContent = apiMessage(error);
        view.state.setAttribute("role", "alert");
        totals[key].active = false;
        showOverall();
        if (error && error.originalResponse) {
          view.toggle.remove();  // a refusal: sending it again changes nothing
        } else {
          paused = true;  // the network, after the retries: offer to go on
          label("Retry");
        }
      },
      onSuccess: function () {
        view.item.className = "done";
        view.bar.value = view.bar.max;
        view.state.textContent = "Uploaded ";
        if (assetId) {
          var link = document.createElement("a");
          link.href = "/asset/" + assetId; link.textContent = "Open";
          view.state.append(link);
        }
        totals[key].sent = file.size; totals[key].active = false;
        view.toggle.remove();
        showOverall();
        listUnfinished();
      },
    });
    var paused = false;
    function label(text) {
      view.toggle.textContent = text;
      view.toggle.setAttribute("aria-label", text + " " + file.name);
    }
    view.toggle.addEventListener("click", function () {
      if (paused) {
        // start() asks the server for its offset (HEAD) and goes on from there.
        paused = false; label("Pause");
        view.item.className = ""; view.state.removeAttribute("role");
        view.state.textContent = "Resuming";
        totals[key].active = true;
        upload.start();
      } else {
        paused = true; label("Resume");
        upload.abort();
        view.state.textContent = "Paused";
        totals[key].active = false;
        showOverall();
      }
    });
    upload.findPreviousUploads().then(function (previous) {
      if (previous.length) {
        upload.resumeFromPreviousUpload(previous[0]);
        view.state.textContent = "Resuming";
      }
      upload.start();
    });
  }

  function listUnfinished() {
    var storage = window.tus.defaultOptions.urlStorage;
    if (!storage || !storage.findAllUploads) { return; }
    storage.findAllUploads().then(function (entries) {
      var holder = document.getElementById("unfinished");
      var items = document.getElementById("unfinished-list");
      items.replaceChildren();
      entries.forEach(function (entry) {
        var li = document.createElement("li");
        li.textContent = (entry.metadata && entry.metadata.filename || "a file") + " (" +
          sizeText(entry.size || 0) + ")";
        items.append(li);
      });
      holder.hidden = entries.length === 0;
    });
  }

  function walk(entry, path) {
    // A dropped folder: every file under it, into the same folders below the one shown.
    if (entry.isFile) {
      entry.file(function (file) { start(file, inside(box.dataset.folder, path + file.name)); });
      return;
    }
    var reader = entry.createReader();
    (function more() {
      reader.readEntries(function (batch) {
        batch.forEach(function (child) { walk(child, path + entry.name + "/"); });
        if (batch.length) { more(); }  // a folder's entries come in batches
      });
    })();
  }

  function dropped(data) {
    // Entries must be taken while the drop event runs; without them (no folder), files.
    var entries = Array.prototype.map.call(data.items || [], function (item) {
      return item.webkitGetAsEntry ? item.webkitGetAsEntry() : null;
    });
    if (entries.some(function (e) { return e && e.isDirectory; })) {
      entries.forEach(function (e) { if (e) { walk(e, ""); } });
      return;
    }
    Array.prototype.forEach.call(data.files, function (file) { start(file, box.dataset.folder); });
  }

  function hasFiles(event) {
    return event.dataTransfer && Array.prototype.indexOf.call(event.dataTransfer.types, "Files") >= 0;
  }

  window.addEventListener("DOMContentLoaded", function () {
    box = document.getElementById("upload");
    if (!box || !window.tus || !window.tus.isSupported) { return; }
    list = document.getElementById("uploads");
    overall = document.getElementById("overall");
    var picker = document.getElementById("files");
    [picker, document.getElementById("folder-files")].forEach(function (input) {
      input.addEventListener("change", function () {
        Array.prototype.forEach.call(input.files, function (file) {
          start(file, inside(box.dataset.folder, file.webkitRelativePath));
        });
        input.value = "";
      });
    });
    document.addEventListener("dragover", function (event) {
      if (!hasFiles(event)) { return; }
      event.preventDefault();
      document.body.classList.add("dropping");
    });
    document.addEventListener("dragleave", function (event) {
      if (event.relatedTarget === null) { document.body.classList.remove("dropping"); }
    });
    document.addEventListener("drop", function (event) {
      if (!hasFiles(event)) { return; }
      event.preventDefault();
      document.body.classList.remove("dropping");
      dropped(event.dataTransfer);
    });
    listUnfinished();
  });
})();
