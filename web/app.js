// offerwatch serve: the page's only script (no inline scripts: the CSP forbids them).
// Progress of "Run a cycle now" over server-sent events, and the template preview of a decision.
'use strict';

function cycleForm(form) {
  const status = form.querySelector('[data-cycle-status]');
  const button = form.querySelector('button');
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    button.disabled = true;
    status.textContent = 'Starting a cycle…';
    const events = new EventSource('/events');
    const finish = (text, ok) => {
      events.close();
      button.disabled = false;
      status.textContent = text;
      if (ok) {
        const a = document.createElement('a');
        a.href = location.pathname + location.search;
        a.textContent = ' Reload to see the changes';
        status.append(a);
      }
    };
    events.onmessage = (m) => {
      const e = JSON.parse(m.data);
      if (e.type === 'start') status.textContent = 'Cycle running…';
      else if (e.type === 'progress') status.textContent = `Syncing ${e.source}: ${e.done}${e.total ? ` of ${e.total}` : ''} messages…`;
      else if (e.type === 'done') {
        const r = e.result;
        const added = r.sources.reduce((n, s) => n + s.added, 0);
        const errors = r.sources.filter((s) => s.error).map((s) => s.error);
        finish(`Cycle done: ${added} new message(s), ${r.classified} thread(s) classified, ${r.raised} alert(s) raised, ${r.proposed.length} draft(s) proposed.${errors.length ? ' Problems: ' + errors.join('; ') : ''}`, true);
      } else if (e.type === 'busy') finish(`Another cycle is running (${e.holder}); try again when it ends.`, false);
      else if (e.type === 'error') finish(e.message, false);
    };
    events.onopen = async () => {
      const body = new URLSearchParams(new FormData(form));
      const r = await fetch('/cycle', { method: 'POST', body, headers: { Accept: 'application/json' }, credentials: 'same-origin' });
      if (r.status === 409) finish(`Another cycle is running (${(await r.json()).busy}); try again when it ends.`, false);
      else if (!r.ok) finish(`Could not start a cycle (HTTP ${r.status}).`, false);
    };
  });
}

function previewForm(form) {
  const out = form.querySelector('[data-preview-out]');
  const thread = form.dataset.preview;
  let seq = 0;
  const update = async () => {
    const n = ++seq;
    const q = new URLSearchParams({ thread, decision: form.elements.decision.value, reason: form.elements.reason.value, template: form.elements.template.value });
    const r = await fetch(`/api/preview?${q}`, { headers: { Accept: 'application/json' }, credentials: 'same-origin' });
    const p = await r.json();
    if (n !== seq) return;
    if (!r.ok) {
      out.textContent = p.error || `No preview (HTTP ${r.status})`;
      return;
    }
    const to = p.to ? (p.to.name ? `${p.to.name} <${p.to.address}>` : p.to.address) : '(nobody yet: add a recipient)';
    out.textContent = `Template: ${p.templateId}\nTo: ${to}\nSubject: ${p.subject}\n${p.needsEdit.length ? `Needs your edit: ${p.needsEdit.join('; ')}\n` : ''}\n${p.body}`;
    out.dataset.template = p.templateId;
  };
  form.addEventListener('change', update);
  update();
}

document.querySelectorAll('form[data-cycle]').forEach(cycleForm);
document.querySelectorAll('form[data-preview]').forEach(previewForm);
