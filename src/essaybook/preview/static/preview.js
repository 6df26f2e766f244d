// essaybook preview: follows the server's state (Server-Sent Events), swaps in each new rendering without losing
// the reader's place, and draws the handout's page numbers beside the e-book. Text from the essay is only ever
// set with textContent; the e-book itself runs in a sandboxed frame with no script.
"use strict";

const $ = (id) => document.getElementById(id);
const MIN_WIDTH = 280;
let bookId = null;
let handoutId = null;
let markers = [];
let currentPage = null;

// --- the state -------------------------------------------------------------------------------------------

function connect() {
  const events = new EventSource("/events");
  events.addEventListener("state", (e) => apply(JSON.parse(e.data)));
  events.addEventListener("error", () => {
    if (events.readyState !== EventSource.OPEN) status("offline", "Not connected", ": is essaybook preview still running?");
  });
}

function apply(s) {
  const title = s.book ? s.book.title : "";
  $("title").textContent = title || "essaybook preview";
  document.title = title ? `${title} — essaybook preview` : "essaybook preview";
  showError(s.error);
  if (s.book && s.book.id !== bookId) loadBook(s.book);
  if (s.handout && s.handout.id !== handoutId) showHandout(s.handout);
  const stale = !!(s.book && s.handout && s.status !== "ready");
  document.querySelector(".pane.handout").classList.toggle("stale", stale);
  showProblems(s.problems);
  link($("dl-epub"), s.book && s.book.epub);
  link($("dl-pdf"), s.handout && s.handout.pdf);
  const t = s.timings || {};
  if (s.error) status("error", s.error.stage === "handout" ? "Handout failed" : "Save did not build", "");
  else if (s.status === "building") status("building", "Building…", "");
  else if (s.status === "layout") status("layout", "Laying out the handout…", ` · e-book in ${secs(t.ebook)}`);
  else status("ready", "Up to date", t.handout !== undefined ? ` · e-book ${secs(t.ebook)} · handout ${secs(t.handout)}` : "");
  $("handout-sub").textContent = s.handout
    ? `${s.handout.pages.length} pages · ${paperName(s.handout.paper)}${stale ? " · updating…" : ""}` : "";
}

function status(state, text, detail = "") {
  $("status").dataset.state = state;
  $("status-text").textContent = text;
  $("status-detail").textContent = detail;
}

function secs(v) { return v === undefined ? "…" : `${v.toFixed(2)} s`; }
function paperName(p) { return p === "letter" ? "US Letter" : p.toUpperCase(); }

function link(a, href) {
  if (href) { a.href = href; a.removeAttribute("aria-disabled"); }
  else { a.removeAttribute("href"); a.setAttribute("aria-disabled", "true"); }
}

// --- errors and problems --------------------------------------------------------------------------------------

function problemItem(p, withSeverity) {
  const li = document.createElement("li");
  li.className = `problem ${p.severity}`;
  if (withSeverity) {
    const sev = document.createElement("span");
    sev.className = `sev ${p.severity}`;
    sev.textContent = p.severity;
    li.append(sev);
  }
  const where = document.createElement(p.href ? "a" : "span");
  where.className = "where";
  where.textContent = p.file ? (p.line ? `${p.file}:${p.line}${p.col ? ":" + p.col : ""}` : p.file) : "essaybook";
  if (p.href) { where.href = p.href; where.title = "Open in your editor"; }
  const msg = document.createElement("span");
  msg.className = "msg";
  msg.textContent = p.message;
  const rule = document.createElement("code");
  rule.className = "rule";
  rule.textContent = p.rule;
  li.append(where, msg, rule);
  return li;
}

function showError(error) {
  $("error").hidden = !error;
  if (!error) return;
  $("error-title").textContent = error.stage === "handout" ? "The handout could not be laid out."
    : error.stage === "internal" ? "essaybook failed on this save." : "The last save did not build.";
  $("error-list").replaceChildren(...error.problems.map((p) => problemItem(p, false)));
}

function showProblems(problems) {
  $("problem-list").replaceChildren(...problems.map((p) => problemItem(p, true)));
  $("no-problems").hidden = problems.length > 0;
  $("problem-count").hidden = problems.length === 0;
  const errors = problems.filter((p) => p.severity === "error").length;
  for (const el of [$("problem-count"), $("tab-count")]) {
    el.textContent = String(problems.length);
    el.classList.toggle("has-errors", errors > 0);
    el.title = `${errors} error(s), ${problems.length - errors} warning(s)`;
  }
}

// --- the e-book ---------------------------------------------------------------------------------------------

function visibleFrame() {
  return [...$("frames").querySelectorAll("iframe")].find((f) => !f.classList.contains("incoming")) || null;
}

// Where the reader is: the first element with an id on screen, its text and its offset from the top.
function readingPosition(frame) {
  const doc = frame.contentDocument, win = frame.contentWindow;
  if (!doc || !doc.body) return null;
  const max = doc.documentElement.scrollHeight - win.innerHeight;
  const fraction = max > 0 ? win.scrollY / max : 0;
  if (win.scrollY < 2) return { top: true };
  for (const el of doc.body.querySelectorAll("[id]")) {
    if (el.matches("section, [role=doc-pagebreak]")) continue;
    const r = el.getBoundingClientRect();
    if (r.bottom > 0 && r.height > 0) return { id: el.id, text: el.textContent.slice(0, 80), offset: r.top, fraction };
  }
  return { fraction };
}

function restorePosition(frame, pos) {
  const doc = frame.contentDocument, win = frame.contentWindow;
  if (!pos || pos.top || !doc) return;
  let el = pos.id ? doc.getElementById(pos.id) : null;
  if (el && pos.text !== undefined && el.textContent.slice(0, 80) !== pos.text) {
    const same = [...doc.body.querySelectorAll("[id]")].find((e) => e.textContent.slice(0, 80) === pos.text);
    if (same) el = same;
  }
  if (el) {
    win.scrollTo(0, win.scrollY + el.getBoundingClientRect().top - pos.offset);
  } else if (pos.fraction !== undefined) {
    win.scrollTo(0, pos.fraction * (doc.documentElement.scrollHeight - win.innerHeight));
  }
}

function loadBook(book) {
  bookId = book.id;
  currentPage = null;
  const old = visibleFrame();
  const position = old ? readingPosition(old) : null;
  const frame = document.createElement("iframe");
  frame.setAttribute("sandbox", "allow-same-origin");
  frame.title = "The e-book";
  frame.className = "incoming";
  frame.addEventListener("load", () => {
    if (book.id !== bookId) { frame.remove(); return; }  // a newer rendering is already on its way
    restorePosition(frame, position);
    frame.classList.remove("incoming");
    for (const f of $("frames").querySelectorAll("iframe")) if (f !== frame) f.remove();
    $("book-placeholder").hidden = true;
    frame.contentWindow.addEventListener("scroll", drawGutter, { passive: true });
    frame.contentDocument.addEventListener("click", openElsewhere);
    collectMarkers(frame);
    drawGutter();
  }, { once: true });
  frame.src = book.url;
  $("frames").append(frame);
  $("book-sub").textContent = book.markers.length ? "" : "(page numbers follow when the handout is laid out)";
}

// A link out of the book opens in a new tab; the frame (sandboxed) stays on the book.
function openElsewhere(event) {
  const a = event.target.closest && event.target.closest("a[href]");
  if (!a) return;
  const url = new URL(a.href, location.href);
  if (url.origin === location.origin) return;
  event.preventDefault();
  if (["http:", "https:", "mailto:"].includes(url.protocol)) window.open(url.href, "_blank", "noopener,noreferrer");
}

function collectMarkers(frame) {
  markers = [...frame.contentDocument.querySelectorAll('[role="doc-pagebreak"]')]
    .map((el) => ({ el, page: Number(el.getAttribute("aria-label")) }))
    .filter((m) => Number.isFinite(m.page));
}

// The handout's page numbers, level with the place in the e-book where each page begins.
function drawGutter() {
  const gutter = $("gutter");
  const frame = visibleFrame();
  if (!frame || !frame.contentDocument) { gutter.replaceChildren(); return; }
  const top = frame.getBoundingClientRect().top - gutter.getBoundingClientRect().top;
  const height = frame.clientHeight;
  const marks = [];
  let current = markers.length ? markers[0].page : null;
  for (const m of markers) {
    const rects = m.el.getClientRects();
    const r = rects.length ? rects[0] : m.el.getBoundingClientRect();
    const y = r.top + r.height / 2;
    if (r.top < height * 0.25) current = m.page;
    if (y < 0 || y > height) continue;
    const b = document.createElement("button");
    b.type = "button";
    b.className = "mark";
    b.textContent = `p. ${m.page}`;
    b.title = `Page ${m.page} of the handout begins here`;
    b.style.top = `${top + y}px`;
    b.dataset.page = String(m.page);
    b.addEventListener("click", () => showSheet(m.page));
    marks.push(b);
  }
  gutter.replaceChildren(...marks);
  setCurrentPage(current);
}

function setCurrentPage(page) {
  for (const b of $("gutter").children) b.classList.toggle("current", Number(b.dataset.page) === page);
  for (const s of $("sheets").querySelectorAll(".sheet")) s.classList.toggle("current", Number(s.dataset.page) === page);
  if (page !== currentPage && page !== null) {
    currentPage = page;
    $("book-sub").textContent = `at handout page ${page}`;
  }
}

function showBookAt(page) {
  const m = markers.find((mk) => mk.page === page);
  const frame = visibleFrame();
  if (!m || !frame) return;
  const win = frame.contentWindow;
  win.scrollTo(0, win.scrollY + m.el.getBoundingClientRect().top - 24);
}

// --- the handout ----------------------------------------------------------------------------------------------

function showHandout(handout) {
  handoutId = handout.id;
  const sheets = $("sheets");
  $("handout-placeholder").hidden = true;
  const figures = [...sheets.querySelectorAll(".sheet")];
  handout.pages.forEach((page, i) => {
    let fig = figures[i];
    if (!fig) {
      fig = document.createElement("figure");
      fig.className = "sheet";
      const img = document.createElement("img");
      img.loading = "lazy";
      img.decoding = "async";
      img.addEventListener("click", () => showBookAt(Number(fig.dataset.page)));
      const cap = document.createElement("figcaption");
      fig.append(img, cap);
      sheets.append(fig);
    }
    const n = i + 1;
    fig.dataset.page = String(n);
    fig.id = `sheet-${n}`;
    const img = fig.querySelector("img");
    img.width = Math.round(page.width);
    img.height = Math.round(page.height);
    img.alt = `Page ${n} of the handout`;
    img.title = "Show this page's place in the e-book";
    img.src = page.url;
    fig.querySelector("figcaption").textContent = `${n} / ${handout.pages.length}`;
  });
  for (const fig of figures.slice(handout.pages.length)) fig.remove();
  lastHandout = handout;
  fitSheets();
}

// "Whole page" fits a page into the pane's height; "Page width" fills the pane's width (up to a readable size).
let fit = "page";
let lastHandout = null;

function fitSheets() {
  const sheets = $("sheets");
  const page = lastHandout && lastHandout.pages[0];
  const room = sheets.clientWidth - 2 * parseFloat(getComputedStyle(sheets).paddingLeft);
  let width = Math.min(room, 900);
  if (fit === "page" && page) width = Math.min(width, (sheets.clientHeight - 40) * page.width / page.height);
  sheets.style.setProperty("--sheet-width", `${Math.max(160, Math.floor(width))}px`);
  for (const b of document.querySelectorAll(".zoom button")) b.setAttribute("aria-pressed", String(b.dataset.fit === fit));
}

function initFit() {
  try { fit = localStorage.getItem("essaybook-preview-fit") || "page"; } catch (e) { /* private mode */ }
  for (const b of document.querySelectorAll(".zoom button")) {
    b.addEventListener("click", () => {
      const sheets = $("sheets");
      const at = sheets.scrollTop / Math.max(1, sheets.scrollHeight);
      fit = b.dataset.fit;
      try { localStorage.setItem("essaybook-preview-fit", fit); } catch (e) { /* private mode */ }
      fitSheets();
      sheets.scrollTop = at * sheets.scrollHeight;
    });
  }
  new ResizeObserver(() => fitSheets()).observe($("sheets"));
}

function showSheet(page) {
  const fig = $(`sheet-${page}`);
  if (!fig) return;
  if (document.body.dataset.pane === "book" && window.matchMedia("(max-width: 860px)").matches) showPane("handout");
  $("sheets").scrollTop = fig.offsetTop - $("sheets").offsetTop - 6;
}

// --- width: presets and the drag handle ------------------------------------------------------------------

function setWidth(px, remember = true) {
  const stage = $("stage");
  // Beside the handout, the e-book leaves it 380 px; on a narrow screen the stylesheet fits it to the screen.
  const narrow = window.matchMedia("(max-width: 860px)").matches;
  const max = narrow ? 1200 : Math.max(MIN_WIDTH, Math.min(1200, window.innerWidth - 380));
  const width = Math.round(Math.max(MIN_WIDTH, Math.min(px, max)));
  document.documentElement.style.setProperty("--device-width", `${width}px`);
  $("width").textContent = `${width} px`;
  $("handle").setAttribute("aria-valuenow", String(width));
  for (const b of document.querySelectorAll(".devices button")) {
    b.setAttribute("aria-pressed", String(Number(b.dataset.width) === width));
  }
  if (remember) try { localStorage.setItem("essaybook-preview-width", String(width)); } catch (e) { /* private mode */ }
  stage.dispatchEvent(new Event("resized"));
  requestAnimationFrame(drawGutter);
}

function initWidth() {
  let saved = 560;
  try { saved = Number(localStorage.getItem("essaybook-preview-width")) || 560; } catch (e) { /* private mode */ }
  setWidth(saved, false);
  for (const b of document.querySelectorAll(".devices button")) {
    b.addEventListener("click", () => setWidth(Number(b.dataset.width)));
  }
  const handle = $("handle");
  handle.addEventListener("pointerdown", (e) => {
    const startX = e.clientX;
    const startWidth = $("device").getBoundingClientRect().width - 22;
    handle.setPointerCapture(e.pointerId);
    handle.classList.add("dragging");
    document.body.classList.add("resizing");
    const move = (ev) => setWidth(startWidth + ev.clientX - startX);
    const up = () => {
      handle.removeEventListener("pointermove", move);
      handle.classList.remove("dragging");
      document.body.classList.remove("resizing");
    };
    handle.addEventListener("pointermove", move);
    handle.addEventListener("pointerup", up, { once: true });
    handle.addEventListener("pointercancel", up, { once: true });
  });
  handle.addEventListener("keydown", (e) => {
    const now = Number(handle.getAttribute("aria-valuenow"));
    if (e.key === "ArrowLeft") { setWidth(now - (e.shiftKey ? 50 : 10)); e.preventDefault(); }
    if (e.key === "ArrowRight") { setWidth(now + (e.shiftKey ? 50 : 10)); e.preventDefault(); }
  });
  new ResizeObserver(() => drawGutter()).observe($("frames"));
}

// --- narrow screens: tabs ----------------------------------------------------------------------------------

function showPane(name) {
  document.body.dataset.pane = name;
  if (name === "problems") $("problems").open = true;
  requestAnimationFrame(drawGutter);
}

for (const b of document.querySelectorAll(".tabs button")) b.addEventListener("click", () => showPane(b.dataset.show));
window.addEventListener("resize", () => drawGutter());
initWidth();
initFit();
connect();
