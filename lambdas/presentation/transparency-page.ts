// The public transparency page: the report's figures as plain HTML that reads well on a phone, no script.
import type { Count, TransparencyReport } from '../core/transparency.ts';
import { escapeHtml } from './html.ts';
import { type DatasetCatalogue, scopeInWords } from './request-summary.ts';
import { formatDateTime, spanInWords } from './time-words.ts';

/** "1 hash chain", "2 hash chains". */
const counted = (count: number, singular: string, plural = `${singular}s`) =>
  `${count} ${count === 1 ? singular : plural}`;

const CSS = `
*{box-sizing:border-box}
body{font-family:system-ui,sans-serif;margin:0 auto;max-width:48rem;padding:1rem;color:#1d1d1f;line-height:1.5}
h1{font-size:1.5rem;margin:.5rem 0}h2{font-size:1.15rem;margin:1.5rem 0 .5rem}
.figures{display:grid;grid-template-columns:repeat(auto-fit,minmax(9rem,1fr));gap:.75rem;padding:0;list-style:none}
.figures li{background:#f2f2f7;border-radius:.5rem;padding:.75rem}
.figures .value{display:block;font-size:1.6rem;font-weight:700}
table{width:100%;border-collapse:collapse}th,td{text-align:left;vertical-align:top;padding:.35rem .25rem;border-bottom:1px solid #ddd}
caption{text-align:left}
th.count,td.count{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
header,footer{color:#555;font-size:.9rem}header p{margin:0;font-weight:600}footer{margin-top:2rem;border-top:1px solid #ddd}
code{overflow-wrap:anywhere;font-size:.85rem}
.muted{color:#555;font-size:.9rem}
@media (max-width:30rem){body{padding:.75rem}.figures .value{font-size:1.35rem}}
`;

const figure = (id: string, label: string, value: string | number) =>
  `<li data-figure="${id}"><span class="value">${escapeHtml(String(value))}</span> ${escapeHtml(label)}</li>`;

/** A count with its label agreeing: 1 "grant made", 2 "grants made". */
const countFigure = (id: string, count: number, singular: string, plural: string) =>
  figure(id, count === 1 ? singular : plural, count);

/** A reason code as words: REVOKED_BY_STAFF -> "Revoked by staff". */
const reasonInWords = (code: string) => {
  const words = code.toLowerCase().replaceAll('_', ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
};

function countTable(
  id: string,
  caption: string,
  heading: string,
  counts: readonly Count[],
  countHeading = 'Grants',
  label: (key: string) => string = (key) => key,
): string {
  if (counts.length === 0) return `<p class="muted" data-table="${id}">${escapeHtml(caption)}: none.</p>`;
  const rows = counts
    .map(
      (entry) =>
        `<tr><td>${escapeHtml(label(entry.key))}</td><td class="count" data-key="${escapeHtml(entry.key)}">${entry.count}</td></tr>`,
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
  return `<p data-figure="chain">Verified at ${escapeHtml(formatDateTime(head.verifiedAt))}: <strong>${escapeHtml(counted(head.events, 'event'))}</strong> in ${escapeHtml(counted(head.streams, 'hash chain'))}. Chain head digest:</p><p><code>${escapeHtml(head.digest)}</code></p>`;
}

/** The median approved duration in words, to the minute ('2 hours', '1 day 6 hours'). */
function medianInWords(hours: number | null): string {
  return hours === null ? '–' : spanInWords(Math.round(hours * 60) * 60_000);
}

/** The page; with the catalogue, datasets are named by title and sensitivity instead of their ids. */
export function transparencyPage(report: TransparencyReport, datasets?: DatasetCatalogue): string {
  const last = report.lastWindow;
  const breakGlass = report.breakGlass ?? { grants: 0, reviewedOnTime: 0, notReviewedOnTime: 0 };
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
<header><p>Keyholder transparency report</p></header>
<main>
<h1>Who can access identifiable patient data</h1>
<p class="muted">Figures as of ${escapeHtml(formatDateTime(report.generatedAt))}. Counts only: no names, no individual requests.</p>
<h2>Right now</h2>
<ul class="figures">
${figure('seats', `external admin seats in use (cap of ${report.externalAdminSeats.cap})`, `${report.externalAdminSeats.inUse} / ${report.externalAdminSeats.cap}`)}
${countFigure('active', report.activeGrants.total, 'active grant', 'active grants')}
${figure('out-of-band', 'access found on the platforms without a grant', report.outOfBandAccess ?? 0)}
${figure('over-rules', 'grants kept running that break rules tightened since they were granted (none revoked, none added until within them)', report.grantsOverRules?.total ?? 0)}
</ul>
${countTable('by-scope', 'Active grants by scope', 'Scope', report.activeGrants.byScope, 'Grants', (key) => scopeInWords(key, datasets))}
${countTable('by-organisation', 'Active grants by organisation', 'Organisation', report.activeGrants.byOrganisation)}
<h2>The last ${report.window.days === 1 ? 'day' : `${report.window.days} days`}</h2>
<ul class="figures">
${countFigure('grants', last.grants, 'grant made', 'grants made')}
${countFigure('denials', last.denials, 'request denied', 'requests denied')}
${countFigure('revocations', last.revocations.total, 'grant revoked early', 'grants revoked early')}
${countFigure('timeouts', last.timeouts, 'request timed out', 'requests timed out')}
${figure('cap-rejections', 'refused: cap full', last.capRejections)}
${figure('median-duration', 'median approved duration', medianInWords(median))}
${countFigure('reviews-on-time', report.reviews.onTime, 'review done on time', 'reviews done on time')}
${countFigure('reviews-overdue', report.reviews.overdue, 'review overdue', 'reviews overdue')}
${countFigure('break-glass', breakGlass.grants, 'break-glass grant (no approval)', 'break-glass grants (no approval)')}
${countFigure('break-glass-on-time', breakGlass.reviewedOnTime, 'break-glass found justified on time', 'break-glass found justified on time')}
${countFigure('break-glass-not', breakGlass.notReviewedOnTime, 'break-glass not justified or not reviewed in time', 'break-glass not justified or not reviewed in time')}
</ul>
${countTable('revocations-by-reason', 'Revocations by reason', 'Reason', last.revocations.byReason, 'Revocations', reasonInWords)}
<h2>Tamper evidence</h2>
${chainHead(report)}
</main>
<footer><p>Machine-readable: <a href="?format=json">this report as JSON</a>.</p></footer>
</body>
</html>`;
}
