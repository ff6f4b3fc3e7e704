/*
 * event-log.js: a visible diary of the InPost Pay flow on the demo pages.
 *
 *   IziLog.add('Koszyk połączony z InPost Pay', 'ok')
 *
 * A toggle button "Dziennik InPost Pay" opens a panel listing what happened, newest last:
 * binding asked -> bound -> basket synced -> order created -> paid. Entries live in
 * sessionStorage, so the thank-you page still shows the steps that led to it.
 */
(() => {
  'use strict';

  const STORE = 'izi-log';
  const MAX_ENTRIES = 60;

  function load() {
    try {
      const entries = JSON.parse(sessionStorage.getItem(STORE) || '[]');
      return Array.isArray(entries) ? entries : [];
    } catch (error) {
      return [];
    }
  }

  function save(entries) {
    try {
      sessionStorage.setItem(STORE, JSON.stringify(entries.slice(-MAX_ENTRIES)));
    } catch (error) {
      // private mode or full storage: the log is a demo aid, the page works without it
    }
  }

  let entries = load();
  let list = null;
  let toggle = null;
  let panel = null;

  function timeText(ms) {
    return new Date(ms).toLocaleTimeString('pl-PL', { hour: '2-digit', minute: '2-digit', second: '2-digit' });
  }

  function renderEntry(entry) {
    const item = document.createElement('li');
    item.dataset.tone = entry.tone || '';
    const time = document.createElement('time');
    time.dateTime = new Date(entry.at).toISOString();
    time.textContent = timeText(entry.at);
    const text = document.createElement('span');
    text.textContent = entry.text; // merchant and InPost data: never through innerHTML
    item.append(time, ' ', text);
    return item;
  }

  function setOpen(open) {
    panel.hidden = !open;
    toggle.setAttribute('aria-expanded', String(open));
    if (open) list.lastElementChild?.scrollIntoView({ block: 'nearest' });
  }

  function build() {
    const root = document.createElement('aside');
    root.className = 'izi-log';
    root.setAttribute('aria-label', 'Dziennik InPost Pay');
    toggle = document.createElement('button');
    toggle.type = 'button';
    toggle.className = 'izi-log-toggle';
    toggle.textContent = 'Dziennik InPost Pay';
    toggle.setAttribute('aria-controls', 'izi-log-panel');
    panel = document.createElement('div');
    panel.id = 'izi-log-panel';
    panel.className = 'izi-log-panel';
    const head = document.createElement('div');
    head.className = 'izi-log-head';
    const title = document.createElement('h2');
    title.textContent = 'Co się dzieje z InPost Pay';
    const clear = document.createElement('button');
    clear.type = 'button';
    clear.className = 'izi-log-clear';
    clear.textContent = 'Wyczyść';
    clear.addEventListener('click', () => { entries = []; save(entries); list.replaceChildren(); });
    const close = document.createElement('button');
    close.type = 'button';
    close.className = 'izi-log-clear';
    close.textContent = 'Zamknij';
    close.addEventListener('click', () => { setOpen(false); toggle.focus(); });
    head.append(title, clear, close);
    list = document.createElement('ol');
    list.className = 'izi-log-list';
    list.setAttribute('aria-live', 'polite');
    entries.forEach((entry) => list.append(renderEntry(entry)));
    panel.append(head, list);
    root.append(panel, toggle);
    document.body.append(root);
    toggle.addEventListener('click', () => setOpen(panel.hidden));
    // Closed on every page: the diary is opened on purpose and never sits over an order summary.
    setOpen(false);
  }

  window.IziLog = {
    add(text, tone) {
      const entry = { at: Date.now(), text: String(text), tone: tone || '' };
      entries.push(entry);
      entries = entries.slice(-MAX_ENTRIES);
      save(entries);
      if (list) {
        list.append(renderEntry(entry));
        while (list.children.length > MAX_ENTRIES) list.firstElementChild.remove();
        if (!panel.hidden) list.lastElementChild.scrollIntoView({ block: 'nearest' });
      }
    },
  };

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', build, { once: true });
  else build();
})();
