"""A fake merchant page for testing InPost's widget script (sandbox/static/inpostizi.js) on its own."""
