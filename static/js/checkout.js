// The website checkout, made friendlier in the browser. The server owns the money:
// it re-prices the basket when the form is sent. Here we only show
// the panel for the chosen delivery, filter the parcel lockers, and update the
// displayed total from prices the page carries in data- attributes (in grosze,
// so no float arithmetic touches an amount). Without JavaScript the form still works.
(function () {
  "use strict";

  const form = document.querySelector("[data-checkout]");
  if (!form) return;

  // "1234.5 zł" the way the server writes it: "1 234,50 zł" (money.fmt_pln).
  function formatPln(grosze) {
    const sign = grosze < 0 ? "-" : "";
    const abs = Math.abs(grosze);
    const whole = String(Math.floor(abs / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, "\u00a0");
    const frac = String(abs % 100).padStart(2, "0");
    return sign + whole + "," + frac + "\u00a0zł";
  }

  function priceText(grosze) {
    return grosze === 0 ? '<span class="co-free">gratis</span>' : formatPln(grosze);
  }

  const deliveries = Array.from(form.querySelectorAll("[data-delivery]"));
  const payments = Array.from(form.querySelectorAll("[data-payment]"));
  const pwwToggle = form.querySelector("[data-pww-toggle]");
  const codChoice = form.querySelector("[data-cod-choice]");
  const codRadio = codChoice ? codChoice.querySelector("input") : null;
  const codPrice = form.querySelector("[data-cod-price]");
  const codNote = form.querySelector("[data-cod-note]");
  const codNoteText = codNote ? codNote.textContent.trim() : "";

  function chosenDelivery() {
    return deliveries.find((input) => input.checked) || deliveries[0];
  }

  function chosenPayment() {
    const input = payments.find((p) => p.checked);
    return input ? input.value : "";
  }

  function setOptionRow(code, grosze) {
    const row = form.querySelector('[data-summary-option="' + code + '"]');
    if (!row) return;
    row.hidden = grosze === null;
    if (grosze !== null) row.querySelector("[data-summary-option-price]").textContent = formatPln(grosze);
  }

  // Show only the chosen delivery's panel; COD makes no sense for a download.
  function showPanels(code) {
    form.querySelectorAll("[data-panel]").forEach((panel) => {
      panel.hidden = panel.dataset.panel !== code;
    });
    if (codRadio) {
      const digital = code === "DIGITAL";
      codRadio.disabled = digital;
      if (digital && codRadio.checked) {
        codRadio.checked = false;
        const transfer = payments.find((p) => p.value === "TRANSFER");
        if (transfer) transfer.checked = true;
      }
      if (codNote) codNote.textContent = digital ? "Niedostępna przy dostawie elektronicznej" : codNoteText;
    }
  }

  // final + delivery + options: the same sum the server makes (docs/inpost-pay-api.md §8.3).
  function updateTotal() {
    const delivery = chosenDelivery();
    if (!delivery) return;
    const code = delivery.value;
    showPanels(code);
    let total = Number(form.dataset.final) + Number(delivery.dataset.price);

    const cod = delivery.dataset.cod === "" ? null : Number(delivery.dataset.cod);
    const codChosen = chosenPayment() === "COD" && cod !== null;
    if (codPrice) codPrice.textContent = cod !== null ? "+" + formatPln(cod) : "";
    setOptionRow("COD", codChosen ? cod : null);
    if (codChosen) total += cod;

    const pww = delivery.dataset.pww === "" ? null : Number(delivery.dataset.pww);
    const pwwChosen = pwwToggle && pwwToggle.checked && pww !== null;
    setOptionRow("PWW", pwwChosen ? pww : null);
    if (pwwChosen) total += pww;

    form.querySelector("[data-summary-delivery-name]").textContent = "Dostawa: " + delivery.dataset.name;
    form.querySelector("[data-summary-delivery]").innerHTML = priceText(Number(delivery.dataset.price));
    form.querySelector("[data-summary-total]").textContent = formatPln(total);
  }

  // The parcel-locker search box: filters the radio list as you type.
  function setUpLockerSearch() {
    const box = form.querySelector("[data-locker-search-box]");
    const search = form.querySelector("[data-locker-search]");
    if (!box || !search) return;
    box.hidden = false;
    const lockers = Array.from(form.querySelectorAll("[data-locker]"));
    const empty = form.querySelector("[data-locker-empty]");
    search.addEventListener("input", () => {
      const words = search.value.toLocaleLowerCase("pl").split(/\s+/).filter(Boolean);
      let shown = 0;
      lockers.forEach((label) => {
        const text = label.dataset.locker.toLocaleLowerCase("pl");
        const match = words.every((word) => text.includes(word)) || label.querySelector("input").checked;
        label.hidden = !match;
        if (match) shown += 1;
      });
      if (empty) empty.hidden = shown > 0;
    });
    // Enter in the search box must not send the whole order.
    search.addEventListener("keydown", (event) => {
      if (event.key === "Enter") event.preventDefault();
    });
  }

  function setUpInvoice() {
    const toggle = form.querySelector("[data-invoice-toggle]");
    const panel = form.querySelector("[data-invoice-panel]");
    if (!toggle || !panel) return;
    const sync = () => {
      panel.hidden = !toggle.checked;
    };
    toggle.addEventListener("change", sync);
    sync();
  }

  // Once the shopper edits a field the server complained about, the old message goes away.
  function clearError(event) {
    const box = event.target.closest(".has-error");
    if (!box) return;
    box.classList.remove("has-error");
    box.querySelectorAll("[aria-invalid]").forEach((el) => el.removeAttribute("aria-invalid"));
    const id = box.id && box.id.startsWith("f-") ? "err-" + box.id.slice(2) : null;
    box.querySelectorAll(".co-error").forEach((message) => {
      message.hidden = true;
    });
    const outside = id && document.getElementById(id);
    if (outside) outside.hidden = true;
  }
  form.addEventListener("input", clearError);
  form.addEventListener("change", clearError);

  form.addEventListener("change", (event) => {
    if (event.target.matches("[data-delivery], [data-payment], [data-pww-toggle]")) updateTotal();
  });
  setUpLockerSearch();
  setUpInvoice();
  updateTotal();

  // After a refused submit, take the shopper to the list of what to fix.
  const errors = document.getElementById("co-errors");
  if (errors) errors.focus();
})();
