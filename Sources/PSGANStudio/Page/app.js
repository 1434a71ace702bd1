// psgan studio: the page. Plain JavaScript against the studio's JSON API (docs/studio.md).
"use strict";
const $ = (id) => document.getElementById(id);
const state = { model: "", status: null, poses: null, frame: 0, seed: 0, page: 0, look: {}, keyframes: [], playing: null, render: null };
const PAGE = 8;

function showError(field, message) {
  document.querySelectorAll(`.error[data-field="${field}"]`).forEach((el) => { el.textContent = message || ""; });
}
function clearErrors() { document.querySelectorAll(".error").forEach((el) => { el.textContent = ""; }); }

async function api(path, options) {
  const response = await fetch(path, options);
  const type = response.headers.get("content-type") || "";
  const body = type.includes("json") ? await response.json() : null;
  if (!response.ok) {
    const error = new Error(body && body.error ? body.error : `${response.status}`);
    error.field = body && body.field ? body.field : "render";
    throw error;
  }
  return body;
}

// ---- poses

async function openPoses(files) {
  clearErrors();
  try {
    if (files.length > 1) {
      // An OpenPose folder: the files go into one folder on the server, read as one take.
      const sorted = [...files].sort((a, b) => a.name.localeCompare(b.name, undefined, { numeric: true }));
      const first = await api(`/api/poses?folder=new&name=${encodeURIComponent(sorted[0].name)}`, { method: "POST", body: await sorted[0].arrayBuffer() });
      for (const file of sorted.slice(1)) {
        await api(`/api/poses/${first.id}/files?name=${encodeURIComponent(file.name)}`, { method: "POST", body: await file.arrayBuffer() });
      }
      state.poses = await api(`/api/poses/${first.id}?${new URLSearchParams(cleanupValues())}`);
    } else {
      state.poses = await api(`/api/poses?name=${encodeURIComponent(files[0].name)}`, { method: "POST", body: await files[0].arrayBuffer() });
    }
    state.frame = 0;
    $("frame").max = state.poses.frames.length - 1;
    $("frame").value = 0;
    state.keyframes = [];
    drawKeyframes();
    update();
  } catch (error) { showError(error.field || "poses", error.message); }
}

const BONES = [[1, 2], [2, 3], [3, 4], [1, 5], [5, 6], [6, 7], [1, 8], [8, 9], [9, 10], [1, 11], [11, 12], [12, 13], [1, 0], [0, 14], [14, 16], [0, 15], [15, 17]];
function drawSkeleton() {
  const canvas = $("skeleton"), ctx = canvas.getContext("2d");
  ctx.fillStyle = "white"; ctx.fillRect(0, 0, canvas.width, canvas.height);
  if (!state.poses) return;
  const k = canvas.width / state.poses.canvas[0];
  const points = state.poses.frames[state.frame];
  ctx.lineWidth = 3; ctx.strokeStyle = "#4361ee";
  for (const [a, b] of BONES) {
    const p = points[a], q = points[b];
    if (!p || !q || p[2] <= 0 || q[2] <= 0) continue;
    ctx.beginPath(); ctx.moveTo(p[0] * k, p[1] * k); ctx.lineTo(q[0] * k, q[1] * k); ctx.stroke();
  }
  ctx.fillStyle = "#c1121f";
  for (const p of points) if (p[2] > 0) { ctx.beginPath(); ctx.arc(p[0] * k, p[1] * k, 3, 0, 7); ctx.fill(); }
}

function cleanupValues() {
  const values = {};
  if (state.model) values.model = state.model;
  if ($("smooth").checked) values.smooth = "true";
  if ($("resample").value) values.resample = $("resample").value;
  if ($("retarget").value) values.retarget = $("retarget").value;
  if ($("loop").value) values.loop = $("loop").value;
  if ($("canvas").value) values.canvas = $("canvas").value;
  return values;
}

async function applyCleanup() {
  if (!state.poses) return;
  showError("cleanup", "");
  try {
    const poses = await api(`/api/poses/${state.poses.id}?${new URLSearchParams(cleanupValues())}`);
    state.poses = poses;
    state.frame = Math.min(state.frame, poses.frames.length - 1);
    $("frame").max = poses.frames.length - 1;
    $("frame").value = state.frame;
    update();
  } catch (error) { showError(error.field || "cleanup", error.message); }
}

function stillURL(seed, look, keyframes) {
  const query = new URLSearchParams({ poses: state.poses.id, frame: state.frame, seed: seed, ...cleanupValues() });
  if (look && Object.keys(look).length) query.set("look", JSON.stringify(look));
  if (keyframes && keyframes.length) query.set("keyframes", JSON.stringify(keyframes));
  return `/api/still?${query}`;
}

function update() {
  $("frame-label").textContent = state.poses ? `frame ${state.frame} / ${state.poses.frames.length - 1}` : "frame 0 / 0";
  drawSkeleton();
  drawGallery();
  drawStill();
}

// ---- characters

function drawGallery() {
  const gallery = $("gallery");
  gallery.innerHTML = "";
  $("page-label").textContent = `seeds ${state.page * PAGE} to ${state.page * PAGE + PAGE - 1}`;
  if (!state.poses) return;
  for (let seed = state.page * PAGE; seed < state.page * PAGE + PAGE; seed++) {
    const figure = document.createElement("figure");
    figure.className = seed === state.seed ? "chosen" : "";
    figure.dataset.seed = seed;
    figure.innerHTML = `<img alt="seed ${seed}" src="${stillURL(seed)}"><figcaption>${seed}</figcaption>`;
    figure.addEventListener("click", () => { state.seed = seed; update(); });
    gallery.appendChild(figure);
  }
}

function drawStill() {
  $("seed-label").textContent = `seed ${state.seed}`;
  if (!state.poses) return;
  const img = $("still");
  // With keyframes, the still is the morph at this frame (as the render will draw it).
  fetch(stillURL(state.seed, state.look, state.keyframes)).then(async (response) => {
    if (!response.ok) { const body = await response.json(); showError(body.field || "look", body.error); return; }
    showError("look", "");
    img.src = URL.createObjectURL(await response.blob());
  });
}

function buildLookEditor() {
  const fields = $("look-fields");
  fields.innerHTML = "";
  const attributes = state.status.look;
  if (!attributes) { fields.textContent = "This model has no look schema: characters by seed."; return; }
  for (const a of attributes) {
    const label = document.createElement("label");
    const use = document.createElement("input");
    use.type = "checkbox"; use.title = `set ${a.name}`;
    let input;
    if (a.kind === "colour") { input = document.createElement("input"); input.type = "color"; input.value = "#888888"; }
    else if (a.kind === "choice") { input = document.createElement("select"); for (const c of a.choices) input.add(new Option(c, c)); }
    else if (a.kind === "flag") { input = document.createElement("input"); input.type = "checkbox"; }
    else { input = document.createElement("input"); input.type = "range"; input.min = a.min; input.max = a.max; input.step = (a.max - a.min) / 100; input.value = (a.min + a.max) / 2; }
    input.id = `look-${a.name}`;
    const read = () => (a.kind === "flag" ? input.checked : a.kind === "number" ? Number(input.value) : input.value);
    const changed = () => {
      if (use.checked) state.look[a.name] = read(); else delete state.look[a.name];
      drawStill();
    };
    input.addEventListener("input", () => { use.checked = true; changed(); });
    use.addEventListener("change", changed);
    label.append(use, ` ${a.name} `, input);
    label.title = a.range;
    fields.appendChild(label);
  }
}

function drawKeyframes() {
  const list = $("keyframes");
  list.innerHTML = "";
  state.keyframes.forEach((k, i) => {
    const item = document.createElement("li");
    item.textContent = `frame ${k.frame}: seed ${k.seed}${Object.keys(k.look).length ? " with a look" : ""} `;
    const remove = document.createElement("button");
    remove.type = "button"; remove.textContent = "remove";
    remove.addEventListener("click", () => { state.keyframes.splice(i, 1); drawKeyframes(); drawStill(); });
    item.appendChild(remove);
    list.appendChild(item);
  });
}

// ---- render

async function startRender() {
  clearErrors();
  if (!state.poses) { showError("poses", "open a pose file first"); return; }
  const request = { model: state.model || undefined, poses: state.poses.id, seed: state.seed, look: state.look, codec: $("codec").value, alpha: $("alpha").checked,
                    cleanup: cleanupValues() };
  if ($("frames").value) request.frames = $("frames").value;
  if ($("fps").value) request.fps = Number($("fps").value);
  if ($("upscale").value) request.upscale = $("upscale").value;
  if ($("background").value) request.background = $("background").value;
  if (state.keyframes.length) request.keyframes = state.keyframes;
  try {
    const { id } = await api("/api/renders", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(request) });
    state.render = id;
    $("cancel").disabled = false;
    poll(id);
  } catch (error) { showError(error.field || "render", error.message); }
}

async function poll(id) {
  const render = await api(`/api/renders/${id}`);
  $("progress").max = Math.max(1, render.total);
  $("progress").value = render.completed;
  const eta = render.eta_seconds !== undefined ? `, ETA ${Math.round(render.eta_seconds)} s` : "";
  $("progress-label").textContent = `${render.state}: ${render.completed}/${render.total} frames, ${render.frames_per_second.toFixed(1)} frames/s${eta}`;
  if (render.state === "queued" || render.state === "running") { setTimeout(() => poll(id), 250); return; }
  $("cancel").disabled = true;
  if (render.state === "done") {
    $("video").src = render.video;
    $("video").play().catch(() => {});
    $("download").href = `${render.video}?download=1`;
    $("download").hidden = false;
  } else if (render.error) { showError("render", render.error); }
  listRenders();
}

async function listRenders() {
  const { renders } = await api("/api/renders");
  const list = $("renders");
  list.innerHTML = "";
  for (const r of renders) {
    const item = document.createElement("li");
    item.textContent = `${r.id.slice(0, 6)} ${r.state} ${r.settings} `;
    const open = document.createElement("button");
    open.type = "button"; open.textContent = "re-open";
    open.addEventListener("click", () => reopen(r));
    item.appendChild(open);
    list.appendChild(item);
  }
}

// A recent render back in the page: its settings in the form, its clip in the player.
function reopen(render) {
  const settings = JSON.parse(render.settings || "{}");
  state.seed = settings.seed ?? state.seed;
  state.look = settings.look || {};
  state.keyframes = settings.keyframes || [];
  $("frames").value = settings.frames || "";
  $("codec").value = settings.codec || "h264";
  $("fps").value = settings.fps || "";
  $("upscale").value = settings.upscale || "";
  $("alpha").checked = !!settings.alpha;
  $("background").value = settings.background || "";
  const cleanup = settings.cleanup || {};
  $("smooth").checked = !!cleanup.smooth; $("resample").value = cleanup.resample || "";
  $("retarget").value = cleanup.retarget || ""; $("loop").value = cleanup.loop || "";
  for (const a of state.status.look || []) {
    const input = $(`look-${a.name}`), use = input.previousSibling;
    if (a.name in state.look) { if (a.kind === "flag") input.checked = state.look[a.name]; else input.value = state.look[a.name]; }
  }
  drawKeyframes();
  if (render.video) { $("video").src = render.video; $("download").href = `${render.video}?download=1`; $("download").hidden = false; }
  update();
}

// ---- wiring

async function chooseModel(name) {
  showError("model", "");
  try {
    state.status = await api(`/api/status?${new URLSearchParams(name ? { model: name } : {})}`);
    state.model = name;
    state.look = {};
    $("model").textContent = `${state.status.model}, ${state.status.resolution}x${state.status.resolution}`;
    const choice = $("model-choice");
    choice.innerHTML = "";
    for (const m of state.status.models) choice.add(new Option(m, m));
    choice.value = name || state.status.default_model;
    buildLookEditor();
    if (state.poses) await applyCleanup();
  } catch (error) { showError("model", error.message); }
}

async function main() {
  await chooseModel("");
  for (const c of state.status.codecs.filter((c) => c !== "png")) $("codec").add(new Option(c, c));
  for (const u of state.status.upscalers) $("upscale").add(new Option(u, u));
  $("model-choice").addEventListener("change", (e) => chooseModel(e.target.value === state.status.default_model ? "" : e.target.value));
  $("model-file").addEventListener("change", async (e) => {
    const file = e.target.files[0];
    if (!file) return;
    try {
      const { name } = await api(`/api/models?name=${encodeURIComponent(file.name)}`, { method: "POST", body: await file.arrayBuffer() });
      await chooseModel(name);
    } catch (error) { showError("model", error.message); }
  });
  $("plate-file").addEventListener("change", async (e) => {
    const file = e.target.files[0];
    if (!file) return;
    showError("background", "");
    try {
      const { id } = await api(`/api/plates?name=${encodeURIComponent(file.name)}`, { method: "POST", body: await file.arrayBuffer() });
      $("background").value = id;
    } catch (error) { showError("background", error.message); }
  });
  $("pose-file").addEventListener("change", (e) => { if (e.target.files.length) openPoses(e.target.files); });
  const drop = $("drop");
  drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (e) => { e.preventDefault(); drop.classList.remove("over"); if (e.dataTransfer.files.length) openPoses(e.dataTransfer.files); });
  for (const id of ["smooth", "resample", "retarget", "loop", "canvas"]) $(id).addEventListener("change", applyCleanup);
  $("frame").addEventListener("input", (e) => { state.frame = Number(e.target.value); update(); });
  $("play").addEventListener("click", () => {
    if (state.playing) { clearInterval(state.playing); state.playing = null; $("play").textContent = "Play"; return; }
    if (!state.poses) return;
    $("play").textContent = "Pause";
    state.playing = setInterval(() => { state.frame = (state.frame + 1) % state.poses.frames.length; $("frame").value = state.frame; drawSkeleton(); $("frame-label").textContent = `frame ${state.frame} / ${state.poses.frames.length - 1}`; }, 1000 / (state.poses.fps || 30));
  });
  $("prev-page").addEventListener("click", () => { state.page = Math.max(0, state.page - 1); drawGallery(); });
  $("next-page").addEventListener("click", () => { state.page += 1; drawGallery(); });
  $("add-keyframe").addEventListener("click", () => {
    state.keyframes = state.keyframes.filter((k) => k.frame !== state.frame);
    state.keyframes.push({ frame: state.frame, seed: state.seed, look: { ...state.look } });
    state.keyframes.sort((a, b) => a.frame - b.frame);
    drawKeyframes();
    drawStill();
  });
  $("render").addEventListener("click", startRender);
  $("cancel").addEventListener("click", () => { if (state.render) api(`/api/renders/${state.render}/cancel`, { method: "POST" }); });
  update();
  listRenders();
}
main().catch((error) => showError("render", error.message));
