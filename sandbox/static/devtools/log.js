// The sandbox's developer page (templates/devtools/log.html): keeps the conversation log
// fresh and drives the fault switches.
//
// Every 2 s while the tab is visible it asks GET /sandbox/log for the newest entry (limit=1);
// only when that is newer than what the page shows does it fetch the new entries and put
// them on top. Rows already on the page are never redrawn, so opened rows stay open.
// Log entries never change once written (sandbox/log.py), so "new" is just "id > last id".
// The fault panel reads GET /sandbox/faults on the same beat and sets the switches with
// fetch (JSON bodies: the endpoint refuses anything else, see devtools.require_json_content_type).

const body = document.body;
const LOG_URL = body.dataset.logUrl;
const FAULTS_URL = body.dataset.faultsUrl;
const PAGE_URL = body.dataset.pageUrl;
const BASKET_ID = body.dataset.basketId || "";
const LIMIT = Number(body.dataset.limit) || 100;
const POLL_MS = Number(body.dataset.pollMs) || 2000;

const entriesBox = document.getElementById("entries");
const emptyNote = document.getElementById("empty");
const countBadge = document.getElementById("log-count");
const live = document.getElementById("live");
const liveText = live.querySelector(".live-text");
const faultsPanel = document.querySelector(".faults");
const faultsState = document.getElementById("faults-state");
const faultsError = document.getElementById("faults-error");

let lastId = Math.max(0, ...[...entriesBox.children].map((row) => Number(row.dataset.id) || 0));
let timer = null;
let busy = false;

// -- small helpers ------------------------------------------------------------------------

function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "class") node.className = value;
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

const pad = (n, width = 2) => String(n).padStart(width, "0");

/** "2030-01-01T10:00:00.123Z" -> "11:00:00.123", local time (as the page's server renders it). */
function clock(iso) {
  const moment = new Date(iso);
  if (Number.isNaN(moment.getTime())) return iso || "";
  return `${pad(moment.getHours())}:${pad(moment.getMinutes())}:${pad(moment.getSeconds())}.${pad(moment.getMilliseconds(), 3)}`;
}

function statusClass(status) {
  if (status === null || status === undefined) return "st-none";
  if (status < 300) return "st-ok";
  if (status < 400) return "st-redirect";
  if (status < 500) return "st-client";
  return "st-server";
}

/** Polish plural: 1 naruszenie, 2-4 (not 12-14) naruszenia, otherwise naruszeń. */
function violationsLabel(n) {
  if (n === 1) return "1 naruszenie";
  if ([2, 3, 4].includes(n % 10) && ![12, 13, 14].includes(n % 100)) return `${n} naruszenia`;
  return `${n} naruszeń`;
}

function prettyBody(value) {
  if (value === null || value === undefined) return "(brak treści)";
  if (value === "") return "(pusta treść)";
  if (typeof value === "string") return value;
  return JSON.stringify(value, null, 2);
}

function basketHref(basketId) {
  return `${PAGE_URL}?${new URLSearchParams({ basket_id: basketId })}`;
}

// -- one log row (mirrors the markup in log.html) -----------------------------------------

function directionCell(direction) {
  return direction === "inbound"
    ? h("span", { class: "dir dir-in", title: "przychodzące: sklep → InPost (sandbox)" },
        h("span", { class: "dir-arrow", "aria-hidden": "true" }, "←"), h("span", { class: "dir-label" }, " od sklepu"))
    : h("span", { class: "dir dir-out", title: "wychodzące: InPost (sandbox) → sklep" },
        h("span", { class: "dir-arrow", "aria-hidden": "true" }, "→"), h("span", { class: "dir-label" }, " do sklepu"));
}

function contractCell(violations) {
  if (!violations || violations.length === 0) return h("span", { class: "contract-ok" }, "bez naruszeń");
  return [
    h("span", { class: "contract-bad" }, violationsLabel(violations.length)),
    h("span", { class: "violations" },
      violations.map((v) => h("span", { class: "violation" }, h("code", {}, v.field), " — ", v.problem))),
  ];
}

function entryElement(e) {
  const none = (title) => h("span", { class: "none", title }, "—");
  const statusText = e.status ?? "brak";
  return h("details", { class: "entry fresh", "data-id": e.id },
    h("summary", { class: "row" },
      h("span", { class: "c-time" }, h("time", { datetime: e.time, title: e.time }, clock(e.time))),
      h("span", { class: "c-dir" }, directionCell(e.direction)),
      h("span", { class: "c-method" }, h("span", { class: "method" }, e.method)),
      h("span", { class: "c-path", title: e.path }, e.path),
      h("span", { class: "c-status" }, h("span", { class: `status ${statusClass(e.status)}` }, statusText)),
      h("span", { class: "c-ms num" }, `${e.duration_ms} ms`),
      h("span", { class: "c-basket" }, e.basket_id
        ? h("a", { href: basketHref(e.basket_id), title: `Tylko koszyk ${e.basket_id}` }, e.basket_id)
        : none()),
      h("span", { class: "c-order" }, e.order_id ? h("span", { title: e.order_id }, e.order_id) : none()),
      h("span", { class: "c-sig" }, e.signature
        ? h("span", { class: "sig" }, e.signature)
        : none(e.direction === "inbound" ? "bez ważnego tokenu" : "niepodpisane")),
      h("span", { class: "c-contract" }, contractCell(e.violations)),
    ),
    h("div", { class: "bodies" },
      e.error ? h("p", { class: "entry-error" }, h("strong", {}, "Błąd połączenia:"), " ", e.error) : null,
      h("div", { class: "body" },
        h("h3", {}, "Żądanie ", h("span", { class: "body-meta" }, `${e.method} ${e.path}`)),
        h("pre", {}, prettyBody(e.request_body))),
      h("div", { class: "body" },
        h("h3", {}, "Odpowiedź ", h("span", { class: "body-meta" }, `${e.status ?? "brak odpowiedzi"} · ${e.duration_ms} ms`)),
        h("pre", {}, prettyBody(e.response_body))),
    ),
  );
}

// -- polling ------------------------------------------------------------------------------

async function getJson(url) {
  const answer = await fetch(url, { headers: { Accept: "application/json" }, cache: "no-store" });
  if (!answer.ok) throw new Error(`${url}: HTTP ${answer.status}`);
  return answer.json();
}

function logUrl(limit) {
  const query = new URLSearchParams({ limit: String(limit) });
  if (BASKET_ID) query.set("basket_id", BASKET_ID);
  return `${LOG_URL}?${query}`;
}

async function refreshLog() {
  const newest = (await getJson(logUrl(1))).entries.at(-1);
  if (!newest || newest.id <= lastId) return;
  // Ids are global, so newest.id - lastId bounds how many entries (of this basket) are new.
  const { entries } = await getJson(logUrl(Math.min(LIMIT, newest.id - lastId)));
  const fresh = entries.filter((e) => e.id > lastId);  // oldest first
  for (const entry of fresh) entriesBox.prepend(entryElement(entry));
  lastId = Math.max(lastId, ...fresh.map((e) => e.id));
  while (entriesBox.children.length > LIMIT) entriesBox.lastElementChild.remove();
  countBadge.textContent = String(entriesBox.children.length);
  emptyNote.hidden = entriesBox.children.length > 0;
}

function setLive(state, text) {
  live.dataset.state = state;
  liveText.textContent = text;
}

async function poll() {
  clearTimeout(timer);
  timer = null;
  if (busy) return;  // the poll in flight schedules the next one
  if (document.hidden) {
    setLive("paused", "Odświeżanie wstrzymane (karta w tle)");
    return;  // visibilitychange starts it again
  }
  busy = true;
  try {
    await Promise.all([refreshLog(), refreshFaults()]);
    setLive("on", "Odświeżanie co 2 s");
  } catch (error) {
    setLive("error", "Brak połączenia z sandboxem — ponawiam");
  } finally {
    busy = false;
  }
  clearTimeout(timer);
  if (document.hidden) setLive("paused", "Odświeżanie wstrzymane (karta w tle)");
  else timer = setTimeout(poll, POLL_MS);
}

// -- fault switches -----------------------------------------------------------------------

function describeFaults(state) {
  const left = state.seconds_left === null || state.seconds_left === undefined
    ? " do wyłączenia"
    : ` — jeszcze ${Math.round(state.seconds_left)} s`;
  const strong = (text) => h("strong", {}, text);
  switch (state.mode) {
    case "unavailable": return ["API odpowiada ", strong("503"), left];
    case "slow": return ["API odpowiada ", strong(`wolno (${state.delay_ms} ms)`), left];
    case "fail_next": return failNextLabel(state.count, strong);
    default: return ["Wyłączone — API odpowiada normalnie"];
  }
}

/** "Następne 1 wywołanie… / Kolejne 3 wywołania… / Kolejnych 5 wywołań…" (as log.html). */
function failNextLabel(n, strong) {
  if (n === 1) return ["Następne ", strong("1"), " wywołanie API odpowie 503"];
  if ([2, 3, 4].includes(n % 10) && ![12, 13, 14].includes(n % 100)) {
    return ["Kolejne ", strong(String(n)), " wywołania API odpowiedzą 503"];
  }
  return ["Kolejnych ", strong(String(n)), " wywołań API odpowie 503"];
}

function showFaults(state) {
  faultsPanel.dataset.mode = state.mode || "";
  faultsState.replaceChildren(...describeFaults(state));
}

async function refreshFaults() {
  showFaults(await getJson(FAULTS_URL));
}

async function switchFaults(button, init) {
  const buttons = faultsPanel.querySelectorAll("button");
  buttons.forEach((b) => { b.disabled = true; });
  faultsError.hidden = true;
  try {
    const answer = await fetch(FAULTS_URL, { ...init, headers: { "Content-Type": "application/json", Accept: "application/json" } });
    if (!answer.ok) {
      const problem = await answer.json().catch(() => ({}));
      throw new Error(problem.error_message || `HTTP ${answer.status}`);
    }
    if (answer.status === 204) await refreshFaults();
    else showFaults(await answer.json());
  } catch (error) {
    faultsError.textContent = `Nie udało się przełączyć: ${error.message}`;
    faultsError.hidden = false;
  } finally {
    buttons.forEach((b) => { b.disabled = false; });
    button.focus();
  }
}

faultsPanel.addEventListener("click", (event) => {
  const button = event.target.closest("button");
  if (!button) return;
  if (button.hasAttribute("data-fault-off")) switchFaults(button, { method: "DELETE" });
  else if (button.dataset.fault) switchFaults(button, { method: "POST", body: button.dataset.fault });
});

document.addEventListener("visibilitychange", () => { if (!document.hidden) poll(); });

timer = setTimeout(poll, POLL_MS);
