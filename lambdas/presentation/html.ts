// Escaping and the shared page frame for the few HTML pages and emails Keyholder renders.

export function escapeHtml(value: string): string {
  return value
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

export function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(title)} · Keyholder</title>
<style>
body{font-family:system-ui,sans-serif;max-width:42rem;margin:2rem auto;padding:0 1rem;color:#1d1d1f;line-height:1.5}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem}dt{font-weight:600}dd{margin:0;overflow-wrap:anywhere}
button{font-size:1rem;padding:.5rem 1.25rem;margin:.25rem .5rem .25rem 0;border-radius:.375rem;border:1px solid #555;cursor:pointer}
.approve{background:#0a7d2c;color:#fff;border-color:#0a7d2c}.deny{background:#b3261e;color:#fff;border-color:#b3261e}
textarea{width:100%;min-height:4rem;font:inherit}.notice{padding:.75rem 1rem;border-radius:.375rem;background:#f2f2f7}
</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
${body}
</body>
</html>`;
}
