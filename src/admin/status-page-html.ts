/**
 * The status page's markup: server-rendered HTML, no scripts, one inline stylesheet allowed by its
 * hash in the Content-Security-Policy, every value escaped. It reloads itself every 30 s.
 */
import { createHash } from 'node:crypto';
import type { Cell, ConnectionRowView } from './status-page-view.js';

const REFRESH_SECONDS = 30;
const DETAIL_CHARS = 140;

const STYLE = `
body{font:14px/1.4 system-ui,sans-serif;margin:1.5rem;color:#1d2330}
h1{font-size:1.3rem;margin:0}
header{display:flex;gap:1rem;align-items:baseline;justify-content:space-between;margin-bottom:1rem}
table{border-collapse:collapse;width:100%}
th,td{border-bottom:1px solid #dde1e8;padding:.45rem .6rem;text-align:left;vertical-align:top}
thead th{font-size:.8rem;text-transform:uppercase;color:#5b6475}
tbody th{font-weight:600}
td,tbody th{overflow-wrap:anywhere;max-width:22rem}
td[data-field=health]{min-width:18rem}
small,.detail{display:block;color:#5b6475;font-size:.8rem;white-space:pre-line}
.badge{display:inline-block;padding:.05rem .5rem;border-radius:1rem;font-weight:600;color:#fff}
.ok{background:#1f883d}.warning{background:#bf8700}.error{background:#cf222e}
.bad{color:#cf222e;font-weight:600}.warn{color:#9a6700}
.problems{margin:.3rem 0 0;padding-left:1.1rem;color:#5b6475}
.pre{white-space:pre-line}
form.login{max-width:24rem;margin:4rem auto;display:grid;gap:.6rem}
input,button{font:inherit;padding:.4rem .6rem}
.message{color:#cf222e}.hint{color:#9a6700}`;

export const STATUS_PAGE_CSP = `default-src 'none'; style-src 'sha256-${createHash('sha256').update(STYLE).digest('base64')}'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`;

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

function page(title: string, body: string, refresh: boolean): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
${refresh ? `<meta http-equiv="refresh" content="${REFRESH_SECONDS}">` : ''}<title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body>${body}</body></html>`;
}

export function loginPage(options: { message?: string; insecure?: boolean } = {}): string {
  const message = options.message ? `<p class="message">${escapeHtml(options.message)}</p>` : '';
  const hint = options.insecure
    ? '<p class="hint">This page is served over plain http: the browser will not keep the login cookie. Use https, or a port-forward to localhost.</p>'
    : '';
  return page(
    'entra-sync status: log in',
    `<form class="login" method="post" action="/admin/status/login">
<h1>entra-sync status</h1>${message}${hint}
<label for="token">Admin token (ADMIN_TOKEN)</label>
<input id="token" name="token" type="password" autocomplete="current-password" required autofocus>
<button type="submit">Log in</button></form>`,
    false,
  );
}

export function statusPage(rows: readonly ConnectionRowView[], generatedAt: Date): string {
  const count = (h: string) => rows.filter((r) => r.health === h).length;
  const summary = `${rows.length} connection${rows.length === 1 ? '' : 's'}: ${count('ok')} ok, ${count('warning')} warning, ${count('error')} error`;
  const body =
    rows.length === 0
      ? '<p>No connections yet. Add one with <code>entra-sync connections add</code> or POST /admin/connections.</p>'
      : table(rows);
  return page(
    'entra-sync status',
    `<header><div><h1>entra-sync status</h1><small id="summary">${escapeHtml(summary)} · ${escapeHtml(generatedAt.toISOString().slice(0, 19).replace('T', ' '))} UTC · reloads every ${REFRESH_SECONDS} s</small></div>
<form method="post" action="/admin/status/logout"><button type="submit">Log out</button></form></header>
${body}`,
    true,
  );
}

const COLUMNS: Array<[keyof ConnectionRowView['cells'], string]> = [
  ['subscriptions', 'Subscriptions'],
  ['notification', 'Last notification'],
  ['delta', 'Last delta'],
  ['backlog', 'Backlog'],
  ['deadLetters', 'Dead letters'],
  ['reconcile', 'Last reconcile'],
  ['secret', 'Client secret'],
];

function table(rows: readonly ConnectionRowView[]): string {
  const head = ['Connection', 'Health', ...COLUMNS.map(([, title]) => title)]
    .map((t) => `<th scope="col">${t}</th>`)
    .join('');
  return `<table><thead><tr>${head}</tr></thead><tbody>
${rows.map(row).join('\n')}
</tbody></table>`;
}

function row(r: ConnectionRowView): string {
  const problems = r.problems.length
    ? `<ul class="problems">${r.problems.map((p) => `<li>${escapeHtml(p)}</li>`).join('')}</ul>`
    : '';
  const name = `<th scope="row" data-field="connection">${escapeHtml(r.name)}<small>${escapeHtml(r.cells.connection.detail ?? '')}</small></th>`;
  const health = `<td data-field="health"><span class="badge ${r.health}">${r.health}</span>${problems}</td>`;
  const cells = COLUMNS.map(([field]) => cell(field, r.cells[field])).join('');
  return `<tr data-connection="${escapeHtml(r.name)}" data-health="${r.health}">${name}${health}${cells}</tr>`;
}

/** Long details (Graph's and Leena AI's own words) are cut in the cell; the whole text is in its tooltip. */
function cell(field: string, c: Cell): string {
  const full = c.detail ?? '';
  const cut = full.length > DETAIL_CHARS ? `${full.slice(0, DETAIL_CHARS - 1)}…` : full;
  const title = cut === full ? '' : ` title="${escapeHtml(full)}"`;
  const detail = full ? `<span class="detail"${title}>${escapeHtml(cut)}</span>` : '';
  return `<td data-field="${field}"><span class="pre${c.tone ? ` ${c.tone}` : ''}">${escapeHtml(c.text)}</span>${detail}</td>`;
}
