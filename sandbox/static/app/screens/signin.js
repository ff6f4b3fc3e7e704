// Sign-in: the phone number is the app's identity (POST /app/api/session). The sandbox needs
// no SMS code; the first sign-in of a number creates its user with a generated name.
import { errorBox } from "../errors.js";
import { h } from "../dom.js";

const PREFIXES = [["+48", "Polska (+48)"], ["+420", "Czechy (+420)"], ["+421", "Słowacja (+421)"],
  ["+49", "Niemcy (+49)"], ["+44", "Wielka Brytania (+44)"], ["+380", "Ukraina (+380)"]];

export function mount(root, ctx) {
  const errorSlot = h("div", { "aria-live": "polite" });
  const prefix = h("select", { id: "signin-prefix", name: "country_prefix", autocomplete: "tel-country-code" },
    PREFIXES.map(([value, text]) => h("option", { value }, text)));
  const phone = h("input", { id: "signin-phone", name: "phone", type: "tel", inputmode: "numeric",
    autocomplete: "tel-national", placeholder: "600 100 200", required: true, "aria-describedby": "signin-hint" });
  const name = h("input", { id: "signin-name", name: "name", type: "text", autocomplete: "given-name" });
  const button = h("button", { type: "submit", class: "btn btn-primary btn-block" }, "Zaloguj się");

  async function submit(event) {
    event.preventDefault();
    errorSlot.replaceChildren();
    const digits = phone.value.replace(/[\s-]/g, "");
    if (!/^\d{6,15}$/.test(digits)) {
      errorSlot.append(h("p", { class: "field-error", role: "alert" }, "Podaj numer telefonu: od 6 do 15 cyfr."));
      phone.setAttribute("aria-invalid", "true");
      phone.focus();
      return;
    }
    phone.removeAttribute("aria-invalid");
    const body = { country_prefix: prefix.value, phone: digits };
    if (name.value.trim()) body.name = name.value.trim();
    button.disabled = true;
    button.textContent = "Logowanie…";
    try {
      const { user } = await ctx.api.post("/session", body);
      ctx.signedIn(user);
    } catch (error) {
      errorSlot.append(errorBox(error));
      button.disabled = false;
      button.textContent = "Zaloguj się";
    }
  }

  root.append(
    h("section", { class: "signin" },
      h("div", { class: "signin-hero", "aria-hidden": "true" }, h("span", { class: "logo-mark logo-big" }, "InPost")),
      h("h1", { class: "screen-title", tabindex: "-1" }, "Zaloguj się"),
      h("p", { class: "muted", id: "signin-hint" },
        "Podaj numer telefonu, który podajesz w sklepach. Tu zobaczysz prośby o połączenie koszyka, koszyki i zamówienia."),
      h("form", { class: "card form", novalidate: true, onsubmit: submit },
        h("div", { class: "field-row" },
          h("div", { class: "field field-prefix" }, h("label", { for: "signin-prefix" }, "Kierunkowy"), prefix),
          h("div", { class: "field field-grow" }, h("label", { for: "signin-phone" }, "Numer telefonu"), phone)),
        h("div", { class: "field" }, h("label", { for: "signin-name" }, "Imię (opcjonalnie)"), name),
        errorSlot,
        button),
      h("p", { class: "fine-print" },
        "Symulator aplikacji InPost Mobile w sandboksie InPost Pay: bez hasła i bez kodu SMS. Nie podawaj prawdziwych danych.")),
  );
  phone.focus();
  return {};
}
