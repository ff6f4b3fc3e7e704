// What every screen has: a heading (focusable, for focus moves on navigation), an optional
// back link, and a body the screen fills; plus the loading and empty states.
import { h, icon } from "../dom.js";

export function frame(root, title, { back, backLabel } = {}) {
  const heading = h("h1", { class: "screen-title", tabindex: "-1" }, title);
  const body = h("div", { class: "screen-body" }, loading());
  root.append(
    h("div", { class: "screen-head" },
      back ? h("a", { class: "back", href: back, "aria-label": backLabel || "Wstecz" }, icon("back")) : null,
      heading),
    body,
  );
  return { heading, body };
}

export function loading(text = "Ładowanie…") {
  return h("div", { class: "loading", role: "status" }, h("span", { class: "spinner", "aria-hidden": "true" }), text);
}

export function empty(title, text) {
  return h("div", { class: "empty" }, h("p", { class: "empty-title" }, title), text ? h("p", {}, text) : null);
}

/** Thumbnail of a product image from the merchant (decorative: the name is next to it). */
export function thumb(src, size = "md") {
  return src
    ? h("img", { class: `thumb thumb-${size}`, src, alt: "", loading: "lazy", referrerpolicy: "no-referrer" })
    : h("span", { class: `thumb thumb-${size} thumb-none`, "aria-hidden": "true" });
}
