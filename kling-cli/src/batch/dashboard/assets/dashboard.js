// Kling batch dashboard: live updates from /api/events (server-sent events), filters on the
// page, two actions. Plain DOM; every value from the store goes in as text, never as markup.
"use strict";

const jobs = new Map(); // external_task_id -> {view, at: when it was received (ms)}
const cards = new Map(); // external_task_id -> <li>
let summary = null;
const $ = (id) => document.getElementById(id);

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "text") node.textContent = v;
    else node.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children) if (c) node.append(c);
  return node;
}

function duration(ms) {
  if (ms === null || ms === undefined) return "–";
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

function rate(n) {
  return n.toFixed(1);
}

function amount(n) {
  return Number.isInteger(n) ? n.toFixed(1) : String(Math.round(n * 1000) / 1000);
}

const CURRENCY = { video_units: "video units", image_units: "image units", usd: "USD" };

function elapsedOf(entry) {
  const v = entry.view;
  if (v.elapsed_ms === null || v.elapsed_ms === undefined) return null;
  return v.state === "running" ? v.elapsed_ms + (Date.now() - entry.at) : v.elapsed_ms;
}

// Players get their file only when their card comes into view: a batch of a thousand videos
// does not fetch a thousand files' first bytes at once.
const lazy = "IntersectionObserver" in window
  ? new IntersectionObserver((entries) => {
    for (const entry of entries) {
      if (!entry.isIntersecting) continue;
      entry.target.src = entry.target.dataset.src;
      lazy.unobserve(entry.target);
    }
  }, { rootMargin: "300px" })
  : null;

function player(tag, src, attrs) {
  const node = el(tag, attrs);
  if (lazy) {
    node.dataset.src = src;
    lazy.observe(node);
  } else {
    node.src = src;
  }
  return node;
}

function preview(view) {
  const box = el("div", { class: "preview" });
  if (view.state !== "done") return null;
  const files = view.files || [];
  const first = files.find((f) => f.kind !== "file") || files[0];
  if (!first) return null;
  const src = first.local || first.url;
  if (!src) {
    box.append(el("p", { class: "muted", text: "Files not downloaded; their links are gone." }));
    return box;
  }
  const label = `Result of ${view.external_task_id}`;
  if (first.kind === "video") {
    // `#t=0.1`: the player shows that frame as its poster before it plays.
    box.append(player("video", `${src}#t=0.1`, { controls: true, preload: "metadata", playsinline: true, "aria-label": label }));
  } else if (first.kind === "image") {
    box.append(el("img", { src, alt: view.prompt ? `Result: ${view.prompt}` : label, loading: "lazy" }));
  } else if (first.kind === "audio") {
    box.append(player("audio", src, { controls: true, preload: "metadata", "aria-label": label }));
  } else {
    box.append(el("a", { href: src, text: first.name }));
  }
  if (files.length > 1) {
    const more = el("p", { class: "more" });
    files.slice(1).forEach((f, i) => {
      const href = f.local || f.url;
      if (i) more.append(", ");
      more.append(href ? el("a", { href, text: f.name }) : f.name);
    });
    box.append(more);
  }
  if (!first.local) box.append(el("p", { class: "more muted", text: "Played from its link (not in the download folder)." }));
  return box;
}

function errorBlock(view) {
  if (!view.error && !view.code) return null;
  const box = el("div", { class: "error", role: "note", "aria-label": `Why ${view.external_task_id} ${view.state === "blocked" ? "is blocked" : "did not finish"}` });
  if (view.code) {
    box.append(el("p", {}, el("strong", { text: "Code " }), el("code", { class: "code", text: view.code.code }), ` (${view.code.dialect})`));
    if (view.code.meaning) box.append(el("p", { class: "meaning", text: view.code.meaning }));
    if (view.code.remedy) box.append(el("p", { class: "remedy" }, el("strong", { text: "Remedy: " }), view.code.remedy));
  }
  if (view.error) box.append(el("p", { class: "message", text: view.error }));
  return box;
}

function card(view, index) {
  const titleId = `job-title-${index}`;
  const facts = el("dl");
  const fact = (name, value, cls) => {
    if (value === null || value === undefined || value === "") return;
    facts.append(el("dt", { text: name }), el("dd", { text: value, class: cls }));
  };
  fact("Family", view.family);
  fact("Model", view.model);
  fact("Elapsed", "–", "elapsed");
  fact("Task", view.task_id);
  if (view.estimate !== null && view.estimate !== undefined) {
    fact("Estimate", `${amount(view.estimate)} ${CURRENCY[view.currency] || view.currency || ""}`);
  }
  const article = el("article", { "aria-labelledby": titleId },
    el("header", {},
      el("h3", { id: titleId, text: view.external_task_id }),
      el("span", { class: `state state-${view.state}`, text: view.state })),
    preview(view),
    view.prompt ? el("p", { class: "prompt", text: view.prompt }) : null,
    facts,
    errorBlock(view));
  const li = el("li", { class: `job ${view.state}`, "data-id": view.external_task_id, "data-state": view.state, "data-family": view.family }, article);
  return li;
}

let cardIndex = 0;

function upsert(view, at) {
  const id = view.external_task_id;
  jobs.set(id, { view, at });
  const fresh = card(view, cardIndex++);
  const old = cards.get(id);
  if (old) old.replaceWith(fresh);
  else place(fresh, id);
  cards.set(id, fresh);
}

// Keeps the grid in the order of the jobs' keys (the API's order).
function place(node, id) {
  const list = $("jobs");
  for (const child of list.children) {
    if (child.dataset.id > id) {
      list.insertBefore(node, child);
      return;
    }
  }
  list.append(node);
}

function remove(id) {
  jobs.delete(id);
  const node = cards.get(id);
  if (node) node.remove();
  cards.delete(id);
}

function filters() {
  return {
    state: $("f-state").value,
    family: $("f-family").value,
    q: $("f-q").value.trim().toLowerCase(),
  };
}

function applyFilters() {
  const f = filters();
  let shown = 0;
  for (const [id, entry] of jobs) {
    const v = entry.view;
    const pass = (!f.state || v.state === f.state)
      && (!f.family || v.family === f.family)
      && (!f.q || id.toLowerCase().includes(f.q) || (v.prompt || "").toLowerCase().includes(f.q));
    const node = cards.get(id);
    if (node) node.hidden = !pass;
    if (pass) shown++;
  }
  $("shown").textContent = `Showing ${shown} of ${jobs.size} job(s).`;
  for (const b of document.querySelectorAll("#counts button")) {
    b.setAttribute("aria-pressed", String(b.dataset.state === f.state));
  }
}

function tick() {
  for (const [id, entry] of jobs) {
    const node = cards.get(id);
    const cell = node && node.querySelector(".elapsed");
    if (cell) cell.textContent = duration(elapsedOf(entry));
  }
}

function costText(cost) {
  const parts = Object.keys(cost.estimate).map((c) =>
    `${amount(cost.so_far[c] || 0)} of ${amount(cost.estimate[c])} ${CURRENCY[c] || c}`);
  let text = parts.length ? parts.join(" + ") : "nothing priced";
  if (cost.unpriced) text += ` (${cost.unpriced} job(s) not in the price tables)`;
  return text;
}

function showSummary(s) {
  summary = s;
  for (const [state, n] of Object.entries(s.jobs)) {
    const node = $(`count-${state}`);
    if (node) node.textContent = n;
  }
  $("store").textContent = `${s.total} job(s) in ${s.store.kind === "sqlite" ? "SQLite file" : s.store.kind} ${s.store.location}`;
  $("cost").textContent = costText(s.cost);
  const t = s.throughput;
  $("throughput").textContent = `${t.done_last_10_min} done in the last 10 min (${rate(t.per_minute_last_10_min)}/min)`
    + (t.per_minute_overall !== null ? `; ${rate(t.per_minute_overall)}/min over the batch` : "");
  $("slots").textContent = String(s.slots_held);
  const select = $("f-family");
  const have = new Set([...select.options].map((o) => o.value));
  for (const family of s.families) {
    if (!have.has(family)) select.append(el("option", { value: family, text: family }));
  }
  $("download").disabled = !s.download_dir;
  $("download").title = s.download_dir ? `Saves into ${s.download_dir}` : "Start the dashboard with --download DIR";
}

function connect() {
  const source = new EventSource("/api/events");
  const live = $("live");
  source.addEventListener("open", () => { live.textContent = "Live"; });
  source.addEventListener("error", () => { live.textContent = "Reconnecting…"; });
  source.addEventListener("snapshot", (e) => {
    const data = JSON.parse(e.data);
    const now = Date.now();
    const ids = new Set(data.jobs.map((v) => v.external_task_id));
    for (const id of [...jobs.keys()]) if (!ids.has(id)) remove(id);
    for (const view of data.jobs) upsert(view, now);
    showSummary(data.summary);
    live.textContent = "Live";
    applyFilters();
    tick();
    document.body.dataset.ready = "true";
  });
  source.addEventListener("jobs", (e) => {
    const data = JSON.parse(e.data);
    const now = Date.now();
    for (const view of data.jobs) upsert(view, now);
    for (const id of data.removed) remove(id);
    applyFilters();
    tick();
  });
  source.addEventListener("summary", (e) => showSummary(JSON.parse(e.data)));
  source.addEventListener("problem", (e) => { live.textContent = JSON.parse(e.data).message; });
}

async function act(button, path, done) {
  const status = $("action-status");
  button.disabled = true;
  status.textContent = "Working…";
  try {
    const response = await fetch(path, { method: "POST", headers: { "X-Kling-Dashboard": "1" } });
    const body = await response.json();
    status.textContent = response.ok ? done(body) : body.error.message;
  } catch (err) {
    status.textContent = `Failed: ${err}`;
  } finally {
    button.disabled = path === "/api/download" && summary && !summary.download_dir;
  }
}

document.addEventListener("DOMContentLoaded", () => {
  for (const id of ["f-state", "f-family"]) $(id).addEventListener("change", applyFilters);
  for (const type of ["input", "change", "search"]) $("f-q").addEventListener(type, applyFilters);
  $("filters").addEventListener("submit", (e) => e.preventDefault());
  for (const b of document.querySelectorAll("#counts button")) {
    b.addEventListener("click", () => {
      $("f-state").value = $("f-state").value === b.dataset.state ? "" : b.dataset.state;
      applyFilters();
    });
  }
  $("resume").addEventListener("click", (e) => act(e.currentTarget, "/api/resume",
    (b) => `${b.requeued} blocked job(s) queued again.`));
  $("download").addEventListener("click", (e) => act(e.currentTarget, "/api/download",
    (b) => `${b.saved} file(s) saved` + (b.failed.length ? `; ${b.failed.length} job(s) failed: ${b.failed.map((f) => `${f.external_task_id}: ${f.error}`).join("; ")}` : ".")));
  setInterval(tick, 1000);
  connect();
});
