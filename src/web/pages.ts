/**
 * The pages of `offerwatch serve`, rendered on the server from the service layer's data.
 * No inline script or style (the Content-Security-Policy forbids them); mail is always text.
 */
import { STAGES } from '../model/types.js';
import type { Board, Card, Offers, ProposalData, TemplateInfo, ThreadDetail } from '../app/index.js';
import { duration, html, raw, type Raw, type Times } from './html.js';

export interface PageContext {
  csrf: string;
  times: Times;
  now: Date;
  /** A cycle is running somewhere (this server, the daemon or the CLI). */
  cycleHolder: string | null;
}

const DECISION_LABELS: Record<string, string> = {
  decline: 'Decline the offer',
  withdraw: 'Withdraw from the process',
  rescind: 'Rescind an acceptance',
  negotiate: 'Ask to negotiate',
  confirm: 'Confirm a decision made by phone',
};

export function layout(ctx: PageContext, title: string, body: Raw, opts: { current?: string } = {}): string {
  const nav = (href: string, label: string) => html`<a href="${href}"${opts.current === href ? raw(' aria-current="page"') : ''}>${label}</a>`;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="same-origin">
<title>${title} · offerwatch</title>
<link rel="stylesheet" href="/static/app.css">
<script src="/static/app.js" defer></script>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="top">
  <span class="brand">offerwatch</span>
  <nav aria-label="Main">${nav('/', 'Board')} ${nav('/offers', 'Offers')}</nav>
  <form method="post" action="/cycle" class="cycle" data-cycle>
    <input type="hidden" name="csrf" value="${ctx.csrf}">
    <button type="submit"${ctx.cycleHolder ? raw(' disabled') : ''}>Run a cycle now</button>
    <output role="status" aria-live="polite" data-cycle-status>${ctx.cycleHolder ? `A cycle is running: ${ctx.cycleHolder}` : ''}</output>
  </form>
  <span class="tz">Times in ${ctx.times.timeZone}</span>
</header>
<main id="main" tabindex="-1">
${body}
</main>
<footer><p>offerwatch never sends mail: drafts are saved into your mailbox for you to review and send yourself.</p></footer>
</body>
</html>
`.html;
}

function cardTitle(c: { company: string | null; subject: string }): string {
  return c.company ?? (c.subject || '(no subject)');
}

function owes(c: Card, ctx: PageContext): Raw {
  if (c.waitingOn === 'you') {
    const late = c.stale && c.dueAt ? html`<strong class="overdue">Overdue by ${duration(ctx.now.getTime() - Date.parse(c.dueAt))}</strong>` : html`due ${ctx.times.el(c.dueAt)}`;
    return html`<p class="owes you">You owe a reply since ${ctx.times.el(c.waitingSince)}</p><p class="due">${late}</p>`;
  }
  if (c.waitingOn === 'them') return html`<p class="owes them">They owe a reply since ${ctx.times.el(c.lastMessageAt)}</p>`;
  return html`<p class="owes nobody">Closed · last message ${ctx.times.el(c.lastMessageAt)}</p>`;
}

function badges(c: Card, ctx: PageContext): Raw {
  const items = [
    c.stale ? html`<span class="badge overdue">Overdue</span>` : null,
    c.snoozedUntil ? html`<span class="badge snoozed">Snoozed until ${ctx.times.el(c.snoozedUntil)}</span>` : null,
    c.draft ? html`<span class="badge draft ${c.draft.status}">Draft #${c.draft.id} ${c.draft.status === 'pending' ? (c.draft.needsEdit ? 'pending — needs your edit' : 'pending') : c.draft.status}</span>` : null,
    c.uncertain ? html`<span class="badge uncertain">Uncertain verdict</span>` : null,
  ].filter((x): x is Raw => x !== null);
  return items.length ? html`<p class="badges">${items}</p>` : raw('');
}

const threadHref = (c: { source: string; threadId: string }) => `/thread?id=${encodeURIComponent(`${c.source}:${c.threadId}`)}`;

export function boardPage(ctx: PageContext, b: Board, filter: { source?: string; q?: string }): string {
  const columns = STAGES.map((stage) => {
    const cards = b.threads.filter((c) => c.stage === stage);
    return html`<section class="column" aria-labelledby="col-${stage}">
      <h2 id="col-${stage}">${stage} <span class="count">(${cards.length})</span></h2>
      <ul class="cards">${cards.map((c) => html`<li>
        <article class="card${c.stale ? ' is-overdue' : ''}" data-thread="${c.source}:${c.threadId}">
          <h3><a href="${threadHref(c)}">${cardTitle(c)}</a></h3>
          ${c.role ? html`<p class="role">${c.role}</p>` : ''}
          ${c.contactFirstName ? html`<p class="contact">Contact: ${c.contactFirstName}</p>` : ''}
          ${owes(c, ctx)}
          ${badges(c, ctx)}
          <p class="source">${c.source}</p>
        </article></li>`)}</ul>
    </section>`;
  });
  const body = html`<h1>Board</h1>
  <p class="summary">${b.threads.length} tracked threads · ${b.waiting} waiting on you · <span class="${b.overdue ? 'overdue' : ''}">${b.overdue} overdue</span>${b.skipped ? ` · ${b.skipped} unreadable message(s) skipped` : ''}</p>
  <form method="get" action="/" class="filter" role="search">
    <label for="f-source">Source</label>
    <select id="f-source" name="source">
      <option value="">All sources</option>
      ${b.sources.map((s) => html`<option value="${s}"${filter.source === s ? raw(' selected') : ''}>${s}</option>`)}
    </select>
    <label for="f-q">Search</label>
    <input id="f-q" name="q" type="search" value="${filter.q ?? ''}" placeholder="company, role, subject">
    <button type="submit">Filter</button>
    ${filter.source || filter.q ? html`<a href="/">Clear</a>` : ''}
  </form>
  <div class="board">${columns}</div>`;
  return layout(ctx, 'Board', body, { current: '/' });
}

function mailPre(text: string, label: string): Raw {
  return html`<pre class="mail" aria-label="${label}">${text}</pre>`;
}

export function threadPage(ctx: PageContext, t: ThreadDetail, extra: { templates: TemplateInfo[]; mails: Map<number, string | null>; decision?: string; reason?: string }): string {
  const c = t.card;
  const id = `${c.source}:${c.threadId}`;
  const reasons = [...new Set(extra.templates.flatMap((x) => x.reasons))].sort();
  const chosen = extra.decision && DECISION_LABELS[extra.decision] ? extra.decision : c.stage === 'offer' ? 'decline' : c.stage === 'accepted' ? 'rescind' : 'withdraw';
  const history = t.history.length
    ? html`<table class="history"><caption>How the stage was decided</caption>
        <thead><tr><th scope="col">When</th><th scope="col">Change</th><th scope="col">Rule</th><th scope="col">Where</th><th scope="col">Sentence</th></tr></thead>
        <tbody>${t.history.map((h) => html`<tr><td>${ctx.times.el(h.date)}</td><td>${h.from} → ${h.to}</td><td><code>${h.rule}</code></td><td><code>${h.origin}</code></td><td>${h.sentence ? html`<q>${h.sentence}</q>` : '–'}</td></tr>`)}</tbody></table>`
    : html`<p>No rule set a stage: the thread is not about your job search.</p>`;
  const asked = c.awaitingReply && t.awaitingRule ? html`<p>Asked for a reply by rule <code>${t.awaitingRule}</code>${t.awaitingSentence ? html`: <q>${t.awaitingSentence}</q>` : ''}</p>` : '';
  const alerts = t.alerts.length ? html`<ul>${t.alerts.map((a) => html`<li class="overdue">${a.text}</li>`)}</ul>` : html`<p>No open alerts.</p>`;
  const drafts = t.proposals.map((p) => draftSection(ctx, p, extra.mails.get(p.id) ?? null));
  const body = html`<p><a href="/">← Board</a></p>
  <h1>${cardTitle(c)}${c.role ? html` <span class="role">— ${c.role}</span>` : ''}</h1>
  <p class="meta">Stage <strong>${c.stage}</strong> · ${c.contactFirstName ? `contact ${c.contactFirstName} · ` : ''}thread <code>${id}</code>${c.tags.length ? ` · tags ${c.tags.join(', ')}` : ''}</p>
  ${owes(c, ctx)}
  ${badges(c, ctx)}
  <div class="thread-grid">
  <div class="col-main">
  <section aria-labelledby="h-messages"><h2 id="h-messages">Messages <span class="count">(newest first)</span></h2>
    ${t.messages.map((m) => html`<article class="message ${m.direction}">
      <header><p><strong>${m.direction === 'out' ? 'You' : m.from?.name || m.from?.address || '(unknown sender)'}</strong>${m.direction === 'in' && m.from?.name ? html` &lt;${m.from.address}&gt;` : ''} · ${ctx.times.el(m.date)}</p>
      <p class="subject">${m.subject || '(no subject)'}</p></header>
      ${mailPre(m.newText, 'Message text')}
      ${m.quoted ? html`<details><summary>Quoted text</summary>${mailPre(m.quoted, 'Quoted text')}</details>` : ''}
    </article>`)}
  </section>
  <section aria-labelledby="h-history"><h2 id="h-history">Stage history</h2>${history}${asked}</section>
  </div>
  <div class="col-side">
  <section aria-labelledby="h-alerts"><h2 id="h-alerts">Alerts</h2>${alerts}</section>
  <section aria-labelledby="h-decide" id="decide"><h2 id="h-decide">Decide</h2>
    ${c.stage === 'none' ? html`<p>This thread is not about your job search: there is nothing to decide.</p>` : html`
    <form method="post" action="/decide" class="decide" data-preview="${id}">
      <input type="hidden" name="csrf" value="${ctx.csrf}">
      <input type="hidden" name="thread" value="${id}">
      <label for="d-decision">Decision</label>
      <select id="d-decision" name="decision">${Object.entries(DECISION_LABELS).map(([k, v]) => html`<option value="${k}"${k === chosen ? raw(' selected') : ''}>${v}</option>`)}</select>
      <label for="d-reason">Reason (picks the template)</label>
      <select id="d-reason" name="reason"><option value="">None: the neutral default</option>${reasons.map((r) => html`<option value="${r}"${extra.reason === r ? raw(' selected') : ''}>${r}</option>`)}</select>
      <label for="d-template">Template (optional)</label>
      <select id="d-template" name="template"><option value="">Chosen by decision and reason</option>${extra.templates.map((x) => html`<option value="${x.id}">${x.id} — ${x.title}</option>`)}</select>
      <h3 id="h-preview">Template preview</h3>
      <pre class="mail preview" aria-labelledby="h-preview" aria-live="polite" data-preview-out>Choose a decision to see the draft it proposes.</pre>
      <button type="submit">Propose this draft</button>
      <p class="hint">Recording a decision does not change the stage; your sent reply will.</p>
    </form>
    `}
  </section>
  <section aria-labelledby="h-correct" id="correct"><h2 id="h-correct">Correct the verdict</h2>
    ${c.uncertain ? html`<ul class="uncertain">${c.uncertainReasons.map((r) => html`<li>Uncertain: ${r}</li>`)}</ul>` : ''}
    ${c.corrected ? html`<p>Corrected by you on ${ctx.times.el(c.corrected.at)}: ${[c.corrected.stage !== null ? `stage ${c.corrected.stage} (the rules say ${c.corrected.rulesStage})` : null, c.corrected.noReplyNeeded ? 'no reply needed' : null].filter(Boolean).join('; ')}. Kept until a new message changes what the rules say.</p>
      <form method="post" action="/correct" class="inline"><input type="hidden" name="csrf" value="${ctx.csrf}"><input type="hidden" name="thread" value="${id}"><input type="hidden" name="clear" value="1"><button type="submit" class="secondary">Back to the rules' verdict</button></form>` : ''}
    <form method="post" action="/correct" class="correct">
      <input type="hidden" name="csrf" value="${ctx.csrf}">
      <input type="hidden" name="thread" value="${id}">
      <label for="c-stage">The thread is really at</label>
      <select id="c-stage" name="stage"><option value="">(stage is right)</option>${STAGES.map((st) => html`<option value="${st}">${st}</option>`)}<option value="none">not about my job search</option></select>
      <label><input type="checkbox" name="noReplyNeeded" value="1"> I owe no reply here</label>
      <button type="submit">Correct</button>
    </form>
  </section>
  <section aria-labelledby="h-snooze"><h2 id="h-snooze">Snooze</h2>
    ${c.snoozedUntil ? html`<form method="post" action="/unsnooze"><input type="hidden" name="csrf" value="${ctx.csrf}"><input type="hidden" name="thread" value="${id}"><p>Snoozed until ${ctx.times.el(c.snoozedUntil)}.</p><button type="submit">Unsnooze now</button></form>` : ''}
    <form method="post" action="/snooze" class="snooze">
      <input type="hidden" name="csrf" value="${ctx.csrf}">
      <input type="hidden" name="thread" value="${id}">
      <label for="s-when">Silence alerts for</label>
      <input id="s-when" name="when" required value="2d" aria-describedby="s-hint">
      <p id="s-hint" class="hint">A duration (90m, 36h, 2d, 1w) or “until 2026-12-01”.</p>
      <button type="submit">Snooze</button>
    </form>
  </section>
  <section aria-labelledby="h-drafts" id="drafts"><h2 id="h-drafts">Drafts</h2>${drafts.length ? drafts : html`<p>No draft proposed for this thread.</p>`}</section>
  </div>
  </div>`;
  return layout(ctx, cardTitle(c), body);
}

function draftSection(ctx: PageContext, p: ProposalData, mail: string | null): Raw {
  const to = p.to ? (p.to.name ? `${p.to.name} <${p.to.address}>` : p.to.address) : '';
  const head = html`<h3>Draft #${p.id} <span class="badge draft ${p.status}">${p.status}</span></h3>
    <p>${p.decision}${p.reason ? ` (${p.reason})` : ''} · template <code>${p.templateId}</code>${p.rule ? html` · chosen by rule <code>${p.rule}</code>` : ''}</p>
    ${p.needsEdit.length ? html`<p class="overdue">Needs your edit: ${p.needsEdit.join('; ')}</p>` : ''}
    ${p.status === 'saved' ? html`<p>Saved to <code>${p.draftLocation}</code>. Nothing was sent.</p>` : ''}
    ${p.status === 'sent' ? html`<p>Sent by you${p.sentAt ? html`, seen ${ctx.times.el(p.sentAt)}` : ''}.</p>` : ''}
    ${p.status === 'saving' ? html`<p>Being saved into your mailbox right now.</p>` : ''}
    <h4 id="mail-${p.id}">${p.status === 'saved' ? 'The mail as saved' : 'The mail as it will be saved'}</h4>
    ${mail ? html`<pre class="mail eml" aria-labelledby="mail-${p.id}" data-mail="${p.id}">${mail}</pre>` : html`<p>It cannot be composed yet (no recipient or no owner address).</p>`}`;
  if (p.status !== 'pending') return html`<article class="draft-card">${head}</article>`;
  return html`<article class="draft-card">${head}
    <form method="post" action="/drafts/edit" class="edit">
      <input type="hidden" name="csrf" value="${ctx.csrf}">
      <input type="hidden" name="id" value="${p.id}">
      <label for="e-to-${p.id}">To</label>
      <input id="e-to-${p.id}" name="to" value="${to}" autocomplete="off">
      <label for="e-body-${p.id}">Text</label>
      <textarea id="e-body-${p.id}" name="body" rows="14">${p.body}</textarea>
      <button type="submit">Save changes</button>
    </form>
    <form method="post" action="/drafts/approve" class="inline">
      <input type="hidden" name="csrf" value="${ctx.csrf}">
      <input type="hidden" name="id" value="${p.id}">
      ${p.needsEdit.length ? html`<label><input type="checkbox" name="force" value="1"> Save it anyway</label>` : ''}
      <button type="submit">Approve: save as a draft in my mailbox</button>
    </form>
    <form method="post" action="/drafts/discard" class="inline">
      <input type="hidden" name="csrf" value="${ctx.csrf}">
      <input type="hidden" name="id" value="${p.id}">
      <button type="submit" class="secondary">Discard</button>
    </form>
  </article>`;
}

export function offersPage(ctx: PageContext, o: Offers): string {
  const nn = o.priorities.filter((p) => p.nonNegotiable).length;
  const priorities = html`<form method="post" action="/offers/priorities" class="priorities">
    <input type="hidden" name="csrf" value="${ctx.csrf}">
    <table><caption>Your priorities (mark up to ${o.maxNonNegotiable} as non-negotiable; ${nn} marked)</caption>
      <thead><tr><th scope="col">Priority</th><th scope="col">Weight (0–10)</th><th scope="col">Non-negotiable</th><th scope="col">Remove</th></tr></thead>
      <tbody>${o.priorities.map((p) => html`<tr>
        <th scope="row"><label for="w-${p.id}">${p.name}</label></th>
        <td><input id="w-${p.id}" name="weight:${p.id}" type="number" min="0" max="10" step="0.5" value="${p.weight}"></td>
        <td><input id="nn-${p.id}" name="nn:${p.id}" type="checkbox" value="1"${p.nonNegotiable ? raw(' checked') : ''} aria-label="${p.name} is non-negotiable"></td>
        <td><input id="rm-${p.id}" name="remove:${p.id}" type="checkbox" value="1" aria-label="Remove ${p.name}"></td>
      </tr>`)}
      <tr><td><label for="new-name" class="sr-only">New priority</label><input id="new-name" name="new-name" placeholder="Add a priority"></td>
        <td><label for="new-weight" class="sr-only">Weight of the new priority</label><input id="new-weight" name="new-weight" type="number" min="0" max="10" step="0.5" value="1"></td>
        <td><input id="new-nn" name="new-nn" type="checkbox" value="1" aria-label="New priority is non-negotiable"></td><td></td></tr>
      </tbody></table>
    <button type="submit">Save priorities</button>
  </form>`;
  if (o.offers.length === 0) return layout(ctx, 'Offers', html`<h1>Offers side by side</h1><p>No open offers right now.</p>${priorities}`, { current: '/offers' });
  const scores = html`<form method="post" action="/offers/scores" class="scores">
    <input type="hidden" name="csrf" value="${ctx.csrf}">
    <table class="compare"><caption>Score each open offer from 0 to 10 on each priority; a score below ${o.gapBelow} is a gap</caption>
      <thead><tr><th scope="col">Priority (weight)</th>${o.offers.map((x) => html`<th scope="col"><a href="${threadHref(x)}">${cardTitle(x)}</a>${x.role ? html`<br><span class="role">${x.role}</span>` : ''}</th>`)}</tr></thead>
      <tbody>${o.priorities.map((p) => html`<tr><th scope="row">${p.name} (${p.weight})${p.nonNegotiable ? html` <span class="badge nn">non-negotiable</span>` : ''}</th>
        ${o.offers.map((x, i) => html`<td><label class="sr-only" for="sc-${i}-${p.id}">${p.name} score for ${cardTitle(x)}</label><input id="sc-${i}-${p.id}" name="score:${p.id}:${x.source}:${x.threadId}" type="number" min="0" max="10" step="1" value="${x.scores[String(p.id)] ?? ''}"${(x.scores[String(p.id)] ?? 99) < o.gapBelow ? raw(' class="gap"') : ''}></td>`)}</tr>`)}
      </tbody>
      <tfoot>
        <tr><th scope="row">Weighted total (0–10)</th>${o.offers.map((x) => html`<td class="total" data-total="${x.threadId}">${x.total === null ? '–' : x.total.toFixed(1)}</td>`)}</tr>
        <tr><th scope="row">Non-negotiables missed</th>${o.offers.map((x) => html`<td class="${x.missed.length ? 'overdue' : ''}">${x.missed.length ? x.missed.join(', ') : 'none'}</td>`)}</tr>
        <tr><th scope="row">Negotiable gaps</th>${o.offers.map((x) => html`<td>${x.negotiableGaps.length ? x.negotiableGaps.join(', ') : 'none'}</td>`)}</tr>
        <tr><th scope="row">Next step</th>${o.offers.map((x) => html`<td>${x.suggestion === 'decline'
          ? html`<a href="${threadHref(x)}&amp;decision=decline#decide">Propose a decline</a>`
          : x.suggestion === 'negotiate'
            ? html`<a href="${threadHref(x)}&amp;decision=negotiate#decide">Propose a negotiation</a>`
            : '–'}</td>`)}</tr>
      </tfoot>
    </table>
    <button type="submit">Save scores</button>
  </form>`;
  return layout(ctx, 'Offers', html`<h1>Offers side by side</h1>${scores}${priorities}`, { current: '/offers' });
}

/**
 * A refusal the owner may override (a decision that does not fit the thread's stage, a draft that
 * still needs an edit): the reason, and a button that sends the same request again, forced.
 */
export function refusalPage(ctx: PageContext, message: string, action: string, form: URLSearchParams, label: string, back: string): string {
  const fields = [...form].filter(([k]) => k !== 'csrf' && k !== 'force');
  return layout(ctx, 'Not as it stands', html`<h1>Not as it stands</h1><p class="error" role="alert">${message}</p>
  <form method="post" action="${action}" class="inline">
    <input type="hidden" name="csrf" value="${ctx.csrf}">
    ${fields.map(([k, v]) => html`<input type="hidden" name="${k}" value="${v}">`)}
    <input type="hidden" name="force" value="1">
    <button type="submit">${label}</button>
  </form>
  <p><a href="${back}">Back</a></p>`);
}

export function messagePage(ctx: PageContext, title: string, message: string, back = '/'): string {
  return layout(ctx, title, html`<h1>${title}</h1><p class="error" role="alert">${message}</p><p><a href="${back}">Back</a></p>`);
}
