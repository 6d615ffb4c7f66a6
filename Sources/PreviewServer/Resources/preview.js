// Tessera's preview page: plain script, no framework. Every API call carries the session token
// in the X-Tessera-Token header; pictures are fetched the same way and shown from blob URLs.
"use strict";

const token = new URLSearchParams(location.search).get("token") || "";
const $ = (id) => document.getElementById(id);
// What the last preview delivered, kept for the browser tests and the comparison views.
const state = { images: [], image: null, region: null, preview: null, run: null, view: { z: 1, tx: 0, ty: 0 } };
window.tessera = state;

function setState(name, text) {
  document.body.dataset.state = name;
  if (text !== undefined) $("status").textContent = text;
}

function showError(message) {
  $("error").textContent = message;
  $("error").hidden = false;
  setState("error", "Something went wrong; see the message above.");
}

function clearError() {
  $("error").hidden = true;
  $("error").textContent = "";
}

async function api(path, options = {}) {
  const headers = { "X-Tessera-Token": token, ...(options.headers || {}) };
  let body = options.body;
  if (options.json !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(options.json);
  }
  const response = await fetch(path, { method: options.method || "GET", headers, body });
  if (!response.ok) {
    let message = `${response.status} ${response.statusText}`;
    try {
      const reply = await response.json();
      if (reply.error) message = reply.error;
    } catch (_) {
      // The body was not JSON: the status line says enough.
    }
    throw new Error(message);
  }
  return response;
}

async function blob(path) {
  const response = await api(path);
  const data = await response.blob();
  return { data, url: URL.createObjectURL(data), response };
}

function option(select, value, label) {
  const element = document.createElement("option");
  element.value = value;
  element.textContent = label || value;
  select.append(element);
}

// The page's settings; `model` and `precision` replace the chosen ones (the comparison's second side).
function settings(model, precision) {
  return {
    models: model ? [model] : [$("model").value, $("chain").value].filter((name) => name),
    precision: precision || $("precision").value,
    tta: $("tta").checked,
    blend: $("blend").checked,
    library: $("library").value || null,
    device: $("device").value || null,
  };
}

// ---- Images ----------------------------------------------------------------------------------

async function selectImage(id) {
  const image = state.images.find((candidate) => candidate.id === id);
  if (!image) return;
  state.image = image;
  state.region = null;
  $("image").value = id;
  $("selection").hidden = true;
  $("region-text").textContent = "none";
  $("region-text").dataset.region = "";
  $("image-info").textContent = `${image.width}×${image.height} ${image.format.toUpperCase()}`;
  $("preview-panel").hidden = true;
  $("sidebyside-panel").hidden = true;
  updateButtons();
  setState("loading-image", `Loading ${image.name}…`);
  const picture = await blob(`/api/images/${id}/display`);
  await new Promise((resolve, reject) => {
    $("overview-image").onload = resolve;
    $("overview-image").onerror = () => reject(new Error(`${image.name}: the browser cannot show this picture`));
    $("overview-image").src = picture.url;
  });
  setState("ready", `${image.name}: drag a rectangle to preview a region.`);
}

function addImage(image) {
  state.images.push(image);
  option($("image"), image.id, image.name + (image.uploaded ? " (uploaded)" : ""));
}

async function upload(file) {
  clearError();
  if (state.maxUploadBytes && file.size > state.maxUploadBytes) {
    throw new Error(`${file.name}: larger than the server's upload limit of ${Math.round(state.maxUploadBytes / 1048576)} MiB`);
  }
  setState("uploading", `Uploading ${file.name}…`);
  const response = await api("/api/images", {
    method: "POST",
    body: file,
    headers: { "X-Filename": encodeURIComponent(file.name), "Content-Type": "application/octet-stream" },
  });
  const image = await response.json();
  addImage(image);
  await selectImage(image.id);
}

// ---- Region selection on the overview --------------------------------------------------------

function imagePoint(event) {
  const picture = $("overview-image");
  const box = picture.getBoundingClientRect();
  const scale = state.image.width / box.width;
  const x = Math.min(Math.max(event.clientX - box.left, 0), box.width) * scale;
  const y = Math.min(Math.max(event.clientY - box.top, 0), box.height) * scale;
  return { x, y };
}

function drawSelection(region) {
  const picture = $("overview-image");
  const scale = picture.getBoundingClientRect().width / state.image.width;
  const selection = $("selection");
  selection.style.left = `${region.x * scale}px`;
  selection.style.top = `${region.y * scale}px`;
  selection.style.width = `${region.width * scale}px`;
  selection.style.height = `${region.height * scale}px`;
  selection.hidden = false;
}

function regionBetween(a, b) {
  let x = Math.floor(Math.min(a.x, b.x));
  let y = Math.floor(Math.min(a.y, b.y));
  let width = Math.ceil(Math.abs(a.x - b.x));
  let height = Math.ceil(Math.abs(a.y - b.y));
  // A click (or a tiny drag) previews 128×128 around the point.
  if (width < 8 || height < 8) {
    width = Math.min(128, state.image.width);
    height = Math.min(128, state.image.height);
    x = Math.round(a.x - width / 2);
    y = Math.round(a.y - height / 2);
  }
  x = Math.min(Math.max(x, 0), state.image.width - 1);
  y = Math.min(Math.max(y, 0), state.image.height - 1);
  width = Math.min(width, state.image.width - x);
  height = Math.min(height, state.image.height - y);
  return { x, y, width, height };
}

function setupSelection() {
  let start = null;
  const overview = $("overview");
  overview.addEventListener("pointerdown", (event) => {
    if (!state.image || event.button !== 0) return;
    event.preventDefault();
    overview.setPointerCapture(event.pointerId);
    start = imagePoint(event);
  });
  overview.addEventListener("pointermove", (event) => {
    if (!start) return;
    drawSelection(regionBetween(start, imagePoint(event)));
  });
  overview.addEventListener("pointerup", (event) => {
    if (!start) return;
    const region = regionBetween(start, imagePoint(event));
    start = null;
    chooseRegion(region);
    runPreview();
  });
}

function chooseRegion(region) {
  state.region = region;
  drawSelection(region);
  const text = `${region.x},${region.y},${region.width},${region.height}`;
  $("region-text").textContent = `${text}  (x,y,w,h)`;
  $("region-text").dataset.region = text;
  updateButtons();
}

function updateButtons() {
  const running = state.run && state.run.state === "running";
  const busy = document.body.dataset.state === "previewing" || document.body.dataset.state === "comparing";
  $("preview-button").disabled = !state.region || busy;
  $("compare-button").disabled = !state.region || busy || !$("compare-model").value;
  $("run-button").disabled = !state.image || running;
  $("cancel-button").hidden = !running;
}

// ---- Shared zoom and pan ---------------------------------------------------------------------

function applyView() {
  const { z, tx, ty } = state.view;
  for (const stage of document.querySelectorAll(".stage")) {
    stage.style.transform = `translate(${tx}px, ${ty}px) scale(${z})`;
  }
  updateSlider();
}

function fitView(width, height, viewport = $("compare-viewport")) {
  const z = Math.min(viewport.clientWidth / width, viewport.clientHeight / height);
  state.view = { z, tx: (viewport.clientWidth - width * z) / 2, ty: (viewport.clientHeight - height * z) / 2 };
  applyView();
}

function setupViewports() {
  for (const viewport of document.querySelectorAll(".viewport")) {
    viewport.addEventListener("wheel", (event) => {
      event.preventDefault();
      const box = viewport.getBoundingClientRect();
      const px = event.clientX - box.left;
      const py = event.clientY - box.top;
      const factor = Math.exp(-event.deltaY * 0.0015);
      const view = state.view;
      const z = Math.min(Math.max(view.z * factor, 0.05), 64);
      // Keep the picture point under the cursor where it is.
      view.tx = px - ((px - view.tx) * z) / view.z;
      view.ty = py - ((py - view.ty) * z) / view.z;
      view.z = z;
      applyView();
    }, { passive: false });
    let last = null;
    viewport.addEventListener("pointerdown", (event) => {
      last = { x: event.clientX, y: event.clientY };
      viewport.setPointerCapture(event.pointerId);
    });
    viewport.addEventListener("pointermove", (event) => {
      if (!last) return;
      state.view.tx += event.clientX - last.x;
      state.view.ty += event.clientY - last.y;
      last = { x: event.clientX, y: event.clientY };
      applyView();
    });
    viewport.addEventListener("pointerup", () => { last = null; });
  }
}

function updateSlider() {
  const preview = state.preview;
  if (!preview) return;
  const percent = Number($("slider").value);
  // Left of the line: the source enlarged without smoothing; right: the model's output.
  $("after").style.clipPath = `inset(0 0 0 ${percent}%)`;
  const { z, tx } = state.view;
  $("divider").style.left = `${tx + (preview.width * z * percent) / 100}px`;
}

// ---- Previews --------------------------------------------------------------------------------

function drawBefore(canvas, region, outcome) {
  canvas.width = region.width;
  canvas.height = region.height;
  canvas.style.width = `${outcome.width}px`;
  canvas.style.height = `${outcome.height}px`;
  const context = canvas.getContext("2d");
  context.imageSmoothingEnabled = false;
  context.drawImage($("overview-image"), region.x, region.y, region.width, region.height, 0, 0, region.width, region.height);
}

function describe(outcome) {
  const element = document.createElement("div");
  const line = (...parts) => {
    for (const part of parts) {
      if (typeof part === "string") {
        element.append(part);
      } else {
        const bold = document.createElement("b");
        bold.textContent = part.bold;
        element.append(bold);
      }
    }
    element.append("\n");
  };
  line(
    { bold: `${outcome.width}×${outcome.height}` }, ` (×${outcome.scale})  tiles ${outcome.seconds.toFixed(3)} s  `,
    { bold: `${outcome.megapixelsPerSecond.toFixed(2)} MP/s` }, `  request ${outcome.serverSeconds.toFixed(3)} s  `,
    outcome.loadedNow ? "models loaded for this preview" : "sessions reused");
  line("ran on: ", { bold: outcome.workers.map((worker) => `${worker.worker} (${worker.tiles} tiles)`).join(", ") });
  outcome.explanation.forEach((text) => line(`explain: ${text}`));
  outcome.notices.forEach((text) => line(`note: ${text}`));
  return element;
}

async function runPreview() {
  if (!state.region) return;
  clearError();
  const region = state.region;
  setState("previewing", `Upscaling ${region.width}×${region.height} at ${region.x},${region.y}…`);
  updateButtons();
  try {
    const response = await api("/api/preview", {
      method: "POST",
      json: { image: state.image.id, ...region, settings: settings() },
    });
    const outcome = await response.json();
    const picture = await blob(`/api/results/${outcome.result}`);
    await new Promise((resolve, reject) => {
      $("after").onload = resolve;
      $("after").onerror = () => reject(new Error("the browser could not show the preview"));
      $("after").src = picture.url;
    });
    $("after").style.width = `${outcome.width}px`;
    $("after").style.height = `${outcome.height}px`;
    state.preview = { ...outcome, region, blob: picture.data };
    $("preview-panel").hidden = false;
    drawBefore($("before"), region, outcome);
    fitView(outcome.width, outcome.height);
    $("stats").replaceChildren(describe(outcome));
    setState("preview-done", `Preview of ${region.width}×${region.height} done in ${outcome.serverSeconds.toFixed(2)} s.`);
  } catch (error) {
    showError(error.message);
  }
  updateButtons();
}

async function runComparison() {
  if (!state.region) return;
  clearError();
  const region = state.region;
  setState("comparing", "Running both settings on the region…");
  updateButtons();
  try {
    const first = settings();
    const second = settings($("compare-model").value, $("compare-precision").value);
    const response = await api("/api/compare", { method: "POST", json: { image: state.image.id, ...region, first, second } });
    const outcome = await response.json();
    const pictures = await Promise.all([outcome.first.result, outcome.second.result, outcome.heatmap].map((id) => blob(`/api/results/${id}`)));
    const targets = [$("first-image"), $("second-image"), $("heatmap")];
    pictures.forEach((picture, index) => {
      targets[index].src = picture.url;
      targets[index].style.width = `${outcome.first.width}px`;
      targets[index].style.height = `${outcome.first.height}px`;
    });
    $("first-caption").textContent = `${first.models.join(" → ")}, ${first.precision}: ${outcome.first.megapixelsPerSecond.toFixed(2)} MP/s`;
    $("second-caption").textContent = `${second.models[0]}, ${second.precision}: ${outcome.second.megapixelsPerSecond.toFixed(2)} MP/s`;
    const psnr = outcome.psnr === null || outcome.psnr === undefined ? "∞ (identical)" : `${outcome.psnr.toFixed(2)} dB`;
    const ssim = outcome.ssim === null || outcome.ssim === undefined ? "n/a" : outcome.ssim.toFixed(5);
    $("compare-figures").textContent =
      `PSNR ${psnr}   SSIM ${ssim}   max |Δ| ${outcome.maxAbsoluteError.toFixed(4)}   mean |Δ| ${outcome.meanAbsoluteError.toFixed(5)}`;
    $("compare-figures").dataset.psnr = outcome.psnr === null || outcome.psnr === undefined ? "inf" : String(outcome.psnr);
    $("sidebyside-panel").hidden = false;
    // The shared view fits the narrower side-by-side panes.
    fitView(outcome.first.width, outcome.first.height, document.querySelector("#sidebyside .viewport"));
    setState("compare-done", "Comparison done.");
  } catch (error) {
    showError(error.message);
  }
  updateButtons();
}

// ---- Full-size runs --------------------------------------------------------------------------

function showRun(status) {
  state.run = status;
  $("run-progress").hidden = false;
  $("run-progress").max = Math.max(status.tilesTotal, 1);
  $("run-progress").value = status.tilesDone;
  const eta = status.etaSeconds === null || status.etaSeconds === undefined ? "" : `, ETA ${Math.round(status.etaSeconds)} s`;
  $("run-text").textContent = {
    running: `${status.tilesDone}/${status.tilesTotal} tiles, ${status.megapixelsPerSecond.toFixed(2)} MP/s${eta}`,
    done: `Done: ${status.width}×${status.height} in ${status.elapsedSeconds.toFixed(1)} s`,
    cancelled: "Cancelled; nothing was kept.",
    failed: status.error || "Failed.",
  }[status.state];
  updateButtons();
}

// Server-sent events read through fetch, which (unlike EventSource) can send the token header.
async function followEvents(path, onStatus) {
  const response = await api(path);
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const event = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = event.split("\n").filter((line) => line.startsWith("data: ")).map((line) => line.slice(6)).join("\n");
      if (data) onStatus(JSON.parse(data));
    }
  }
}

async function startRun() {
  clearError();
  $("download").hidden = true;
  try {
    const response = await api("/api/runs", { method: "POST", json: { image: state.image.id, settings: settings() } });
    showRun(await response.json());
    setState("running", `Upscaling ${state.image.name} at full size…`);
    await followEvents(`/api/runs/${state.run.id}/events`, showRun);
    const final = state.run;
    if (final.state === "done") {
      const picture = await blob(`/api/results/${final.result}?download=1`);
      const disposition = picture.response.headers.get("Content-Disposition") || "";
      const name = (disposition.match(/filename="([^"]+)"/) || [])[1] || "upscaled.png";
      $("download").href = picture.url;
      $("download").download = name;
      $("download").textContent = `Download ${name}`;
      $("download").hidden = false;
      setState("run-done", "Full-size upscale done.");
    } else if (final.state === "cancelled") {
      setState("run-cancelled", "Full-size upscale cancelled.");
    } else if (final.state === "failed") {
      showError(final.error || "the upscale failed");
    }
  } catch (error) {
    showError(error.message);
  }
  updateButtons();
}

async function cancelRun() {
  if (!state.run) return;
  try {
    await api(`/api/runs/${state.run.id}/cancel`, { method: "POST" });
  } catch (error) {
    showError(error.message);
  }
}

// ---- Models --------------------------------------------------------------------------------

function fillModels(models) {
  const keep = [$("model").value, $("compare-model").value, $("chain").value];
  $("model").replaceChildren();
  $("compare-model").replaceChildren();
  $("chain").replaceChildren();
  models.forEach((model) => option($("model"), model));
  option($("chain"), "", "nothing");
  models.forEach((model) => option($("chain"), model));
  if (models.includes(keep[2])) $("chain").value = keep[2];
  option($("compare-model"), "", "choose a model");
  models.forEach((model) => option($("compare-model"), model));
  if (models.includes(keep[0])) $("model").value = keep[0];
  if (models.includes(keep[1]) && keep[1]) {
    $("compare-model").value = keep[1];
  } else if (models.length) {
    $("compare-model").value = models[Math.min(1, models.length - 1)];
  }
  $("model-list").replaceChildren(...models.map((model) => {
    const item = document.createElement("li");
    item.textContent = model;
    return item;
  }));
  updateButtons();
}

function showInstall(status) {
  $("install-progress").hidden = false;
  $("install-progress").max = Math.max(status.bytesTotal, 1);
  $("install-progress").value = status.bytesDone;
  const megabytes = (bytes) => (bytes / 1048576).toFixed(1);
  $("install-text").textContent = {
    installing: "Reading the manifest…",
    fetching: `Fetching ${status.variant}: ${megabytes(status.bytesDone)} of ${megabytes(status.bytesTotal)} MB`,
    measuring: `Timing ${status.model} on each library and device…`,
    done: `Installed ${status.model} (${status.variant}).`,
    failed: status.error || "The install failed.",
  }[status.state];
}

async function installModel() {
  clearError();
  $("install-button").disabled = true;
  try {
    const response = await api("/api/models/install", { method: "POST", json: { source: $("install-source").value } });
    const first = await response.json();
    let last = first;
    showInstall(first);
    setState("installing", `Installing from ${first.source}…`);
    await followEvents(`/api/models/install/${first.id}/events`, (status) => {
      last = status;
      showInstall(status);
    });
    if (last.state === "failed") {
      showError(last.error || "the install failed");
    } else {
      fillModels((await (await api("/api/setup")).json()).models);
      setState("installed", `Installed ${last.model}.`);
    }
  } catch (error) {
    showError(error.message);
  }
  $("install-button").disabled = false;
}

// ---- Start-up --------------------------------------------------------------------------------

async function start() {
  setupSelection();
  setupViewports();
  $("slider").addEventListener("input", updateSlider);
  $("preview-button").addEventListener("click", runPreview);
  $("compare-button").addEventListener("click", runComparison);
  $("run-button").addEventListener("click", startRun);
  $("cancel-button").addEventListener("click", cancelRun);
  $("install-button").addEventListener("click", installModel);
  $("image").addEventListener("change", () => selectImage($("image").value).catch((error) => showError(error.message)));
  $("upload").addEventListener("change", () => {
    const file = $("upload").files[0];
    if (file) upload(file).catch((error) => showError(error.message));
    $("upload").value = "";
  });
  try {
    const setup = await (await api("/api/setup")).json();
    state.maxUploadBytes = setup.maxUploadBytes;
    fillModels(setup.models);
    setup.libraries.forEach((library) => option($("library"), library));
    setup.devices.forEach((device) => option($("device"), device.id, `${device.id} (${device.name})`));
    $("compare-model").addEventListener("change", updateButtons);
    setup.images.forEach(addImage);
    if (!setup.models.length) showError("No models: install one with `tessera models install`, or start with --model.");
    if (setup.images.length) {
      await selectImage(setup.images[0].id);
    } else if (setup.models.length) {
      setState("ready", "Open an image to start.");
    }
  } catch (error) {
    showError(error.message);
  }
}

start();
