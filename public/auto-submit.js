// Sends the page's one form on: the answer to the relying party, or the provider's
// logout confirmation. A served file, because the CSP allows no inline script.
document.getElementById('auto-submit').submit();
