// #/koszyki: every active basket of this phone, from any merchant (InPost Pay (Basket App) "Widok aktywnych
// koszyków"). The list holds linked, unexpired, unordered baskets only, so a basket past its
// basket_expiration_date simply disappears at the next poll (Basket Update).
import { enc } from "../api.js";
import { errorBox } from "../errors.js";
import { h, replaceContent } from "../dom.js";
import { dateTime, money, plural, timeLeft } from "../format.js";
import { empty, frame, thumb } from "./frame.js";

function basketCard(basket) {
  const count = plural(basket.products_count, "produkt", "produkty", "produktów");
  return h("li", {},
    h("a", { class: "card basket-card", href: `#/koszyk/${enc(basket.inpost_basket_id)}` },
      h("div", { class: "card-head" },
        h("span", { class: "card-title" }, basket.merchant?.name || "Sklep"),
        h("span", { class: "price-strong" }, money(basket.basket_final_price))),
      h("div", { class: "thumbs" }, basket.product_images.map((src) => thumb(src, "sm"))),
      h("div", { class: "card-foot muted small" },
        h("span", {}, count),
        basket.basket_expiration_date
          ? h("span", { title: dateTime(basket.basket_expiration_date) },
            `Wygasa ${timeLeft(basket.basket_expiration_date)}`)
          : null)));
}

export function mount(root, ctx) {
  const { body } = frame(root, "Koszyki");
  let last = "";

  async function refresh() {
    let view;
    try {
      const { baskets } = await ctx.api.get("/baskets");
      if (JSON.stringify(baskets) === last) return;
      view = baskets.length
        ? h("ul", { class: "card-list", "aria-label": "Aktywne koszyki" }, baskets.map(basketCard))
        : empty("Nie masz aktywnych koszyków",
          "Połącz koszyk w sklepie przyciskiem InPost Pay — prośba pojawi się w zakładce Prośby.");
      last = JSON.stringify(baskets);
    } catch (error) {
      if (ctx.failed(error)) return;
      view = errorBox(error);
      last = "";
    }
    replaceContent(body, view);
  }

  refresh();
  return { refresh };
}
