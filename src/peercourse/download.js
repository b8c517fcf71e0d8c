// The browser edition's download buttons (browser_edition.py: "Download my work", "Download my
// answers page"). The button asks the kernel for the file; the kernel answers with it, and the
// page saves it. No server is involved: the file goes from the kernel to this page as a widget
// message (name, base64 data, type, and a sentence to say), then to the browser's downloads.

function render({ model, el }) {
  const button = document.createElement("button");
  button.className = "jupyter-button mod-primary peercourse-download";
  button.textContent = model.get("label");
  const status = document.createElement("p");
  status.setAttribute("role", "status");
  status.setAttribute("aria-live", "polite");
  button.addEventListener("click", () => {
    button.disabled = true;
    status.textContent = "Making the file...";
    model.send({ event: "download" });
  });
  model.on("msg:custom", (message) => {
    const bytes = Uint8Array.from(atob(message.data), (c) => c.charCodeAt(0));
    const url = URL.createObjectURL(new Blob([bytes], { type: message.type }));
    const link = document.createElement("a");
    link.href = url;
    link.download = message.name;
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60000);
    button.disabled = false;
    status.textContent = `Saved ${message.name} to your downloads. ${message.said}`;
  });
  el.append(button, status);
}

export default { render };
