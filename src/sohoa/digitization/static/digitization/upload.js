// Drag and drop onto the drop zone fills the file input; the chosen files are listed before upload.
(function () {
  const zone = document.getElementById("dropzone");
  const input = document.getElementById("files");
  const chosen = document.getElementById("chosen");
  if (!zone || !input) return;
  function show() {
    const names = Array.from(input.files).map((f) => f.name);
    chosen.textContent = names.length ? names.length + ": " + names.join(", ") : "";
  }
  ["dragenter", "dragover"].forEach((ev) => zone.addEventListener(ev, (e) => { e.preventDefault(); zone.classList.add("over"); }));
  ["dragleave", "drop"].forEach((ev) => zone.addEventListener(ev, () => zone.classList.remove("over")));
  zone.addEventListener("drop", (e) => {
    e.preventDefault();
    const transfer = new DataTransfer();
    Array.from(input.files).concat(Array.from(e.dataTransfer.files)).forEach((f) => transfer.items.add(f));
    input.files = transfer.files;
    show();
  });
  input.addEventListener("change", show);
})();
