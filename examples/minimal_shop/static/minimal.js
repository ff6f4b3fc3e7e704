// The minimal shop follows basket changes announced by a payment integration (DOM events on
// document): the header count, and the basket page reloads when the basket changed elsewhere.
document.addEventListener('inpost:count-changed', (event) => {
  document.querySelectorAll('[data-count]').forEach((node) => { node.textContent = String(event.detail.count); });
});
document.addEventListener('inpost:basket-changed', () => {
  const page = document.querySelector('[data-basket-version]');
  if (!page) return;
  fetch('/basket.json', { credentials: 'same-origin', cache: 'no-store' })
    .then((response) => response.json())
    .then((basket) => { if (String(basket.count) !== page.dataset.basketCount) window.location.reload(); })
    .catch(() => {});
});
