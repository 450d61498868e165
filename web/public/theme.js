// Applies the saved theme before first paint (no flash). A file, not an
// inline script: the app's CSP (script-src 'self') runs no inline script.
try { var t = localStorage.getItem('theme'); if (t === 'light' || t === 'dark') document.documentElement.dataset.theme = t; } catch (e) {}
