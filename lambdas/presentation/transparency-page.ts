// The public transparency page: the report's figures as plain HTML that reads well on a phone, no script.
import type { Count, TransparencyReport } from '../core/transparency.ts';
import { escapeHtml } from './html.ts';
import { formatDateTime } from './time-words.ts';

const CSS = `
*{box-sizing:border-box}
body{font-family:system-ui,sans-serif;margin:0 auto;max-width:48rem;padding:1rem;color:#1d1d1f;line-height:1.5}
h1{font-size:1.5rem;margin:.5rem 0}h2{font-size:1.15rem;margin:1.5rem 0 .5rem}
.figures{display:grid;grid-template-columns:repeat(auto-fit,minmax(9rem,1fr));gap:.75rem;padding:0;list-style:none}
.figures li{background:#f2f2f7;border-radius:.5rem;padding:.75rem}
.figures .value{display:block;font-size:1.6rem;font-weight:700}
table{width:100%;border-collapse:collapse}th,td{text-align:left;padding:.35rem .25rem;border-bottom:1px solid #ddd}
td.count{text-align:right;font-variant-numeric:tabular-nums}
code{overflow-wrap:anywhere;font-size:.85rem}
.muted{color:#555;font-size:.9rem}
@media (max-width:30rem){body{padding:.75rem}.figures .value{font-size:1.35rem}}
`;

const figure = (id: string, label: string, value: string | number) =>
  `<li data-figure="${id}"><span class="value">${escapeHtml(String(value))}</span>${escapeHtml(label)}</li>`;

function countTable(
  id: string,
  caption: string,
  heading: string,
  counts: readonly Count[],
  countHeading = 'Grants',
): string {
  if (counts.length === 0) return `<p class="muted" data-table="${id}">${escapeHtml(caption)}: none.</p>`;
  const rows = counts
    .map(
      (entry) =>
        `<tr><td>${escapeHtml(entry.key)}</td><td class="count" data-key="${escapeHtml(entry.key)}">${entry.count}</td></tr>`,
    )
    .join('');
  return `<table data-table="${id}"><caption class="muted">${escapeHtml(caption)}</caption><thead><tr><th scope="col">${escapeHtml(heading)}</th><th scope="col" class="count">${escapeHtml(countHeading)}</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function chainHead(report: TransparencyReport): string {
  const head = report.chainHead;
  if (!head) return '<p data-figure="chain">The audit trail has not been verified yet.</p>';
  if (!head.verified) {
    return `<p data-figure="chain"><strong>The audit trail failed verification</strong> at ${escapeHtml(formatDateTime(head.verifiedAt))}. The organisation has been alerted.</p>`;
  }
  return `<p data-figure="chain">Verified at ${escapeHtml(formatDateTime(head.verifiedAt))}: <strong>${head.events}</strong> events in ${head.streams} hash chains. Chain head digest:</p><p><code>${escapeHtml(head.digest)}</code></p>`;
}

export function transparencyPage(report: TransparencyReport): string {
  const last = report.lastWindow;
  const median = report.medianApprovedDurationHours;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Access to identifiable data · Keyholder transparency report</title>
<style>${CSS}</style>
</head>
<body>
<h1>Who can access identifiable patient data</h1>
<p class="muted">Figures as of ${escapeHtml(formatDateTime(report.generatedAt))}. Counts only: no names, no individual requests.</p>
<h2>Right now</h2>
<ul class="figures">
${figure('seats', `external admin seats in use (cap ${report.externalAdminSeats.cap})`, `${report.externalAdminSeats.inUse} / ${report.externalAdminSeats.cap}`)}
${figure('active', 'active grants', report.activeGrants.total)}
${figure('out-of-band', 'access found on the platforms without a grant', report.outOfBandAccess ?? 0)}
</ul>
${countTable('by-scope', 'Active grants by scope', 'Scope', report.activeGrants.byScope)}
${countTable('by-organisation', 'Active grants by organisation', 'Organisation', report.activeGrants.byOrganisation)}
<h2>The last ${report.window.days} days</h2>
<ul class="figures">
${figure('grants', 'grants made', last.grants)}
${figure('denials', 'requests denied', last.denials)}
${figure('revocations', 'grants revoked early', last.revocations.total)}
${figure('timeouts', 'requests timed out', last.timeouts)}
${figure('cap-rejections', 'refused: cap full', last.capRejections)}
${figure('median-duration', 'median approved duration', median === null ? '–' : `${median} h`)}
${figure('reviews-on-time', 'reviews done on time', report.reviews.onTime)}
${figure('reviews-overdue', 'reviews overdue', report.reviews.overdue)}
</ul>
${countTable('revocations-by-reason', 'Revocations by reason', 'Reason', last.revocations.byReason, 'Revocations')}
<h2>Tamper evidence</h2>
${chainHead(report)}
<p class="muted">Machine-readable: <a href="?format=json">this report as JSON</a>.</p>
</body>
</html>`;
}
