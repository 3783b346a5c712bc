/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * `offerwatch serve` driven in a real headless Chromium (playwright-core + Debian's chromium):
 * the board from the demo state, a thread, decide decline with its template preview, edit and
 * approve the draft (then the .eml on disk), snooze, score two offers and read the totals, run a
 * cycle with streamed progress. Screenshots of the board and the offers go to test-artifacts/.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { cli } from '../helpers/cli.js';
import { appendMessage } from '../helpers/mailbox.js';
import { REPO } from '../helpers/paths.js';
import { CHROMIUM_ARGS, demoCopy, findChromium, serve, type Served } from '../helpers/serve.js';

const CHROMIUM = findChromium();
if (!CHROMIUM) console.warn('browser tests skipped: no chromium found (apt-get install chromium, or set CHROMIUM_PATH)');
export const ARTIFACTS = join(REPO, 'test-artifacts');

describe.skipIf(!CHROMIUM)('the board in a browser', () => {
  const demo = demoCopy();
  let served: Served;
  let context: BrowserContext;
  let page: Page;
  const dialogs: string[] = [];
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    const r = await cli(['--config', demo.config, '--now', demo.now, 'once']);
    expect(r.code, r.err).toBe(0);
    served = await serve(demo.config, demo.now);
    const { chromium } = await import('playwright-core');
    context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'ow-chromium-')), {
      executablePath: CHROMIUM!,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1500, height: 1000 },
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(30_000);
    page.on('dialog', (d) => { dialogs.push(d.message()); void d.dismiss(); });
    page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
    mkdirSync(ARTIFACTS, { recursive: true });
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    await served?.stop();
  });

  it('opens the board from the printed address: columns by stage, overdue first and in red', async () => {
    await page.goto(served.url);
    expect(new URL(page.url()).search).toBe(''); // the token left the address bar for a cookie
    await expect(page.locator('h1').textContent()).resolves.toBe('Board');
    const columns = await page.locator('.column h2').allTextContents();
    expect(columns.map((c) => c.replace(/\s*\(\d+\)/, ''))).toEqual(['applied', 'interviewing', 'offer', 'accepted', 'declined', 'withdrawn', 'rejected']);
    const interviewing = page.locator('section[aria-labelledby="col-interviewing"] .card');
    await expect(interviewing.first().getAttribute('class')).resolves.toContain('is-overdue');
    const colour = await interviewing.first().locator('.due .overdue').evaluate((el) => getComputedStyle(el).color);
    expect(colour).toBe('rgb(179, 38, 30)');
    const offerCards = await page.locator('section[aria-labelledby="col-offer"] .card').allTextContents();
    expect(offerCards.join(' ')).toMatch(/Draft #\d+ pending/);
    expect(await page.locator('time').first().textContent()).toMatch(/CET/);
    await page.screenshot({ path: join(ARTIFACTS, 'board.png'), fullPage: true });
  });

  it('filters by text and by source', async () => {
    await page.fill('#f-q', 'Lumen');
    await page.press('#f-q', 'Enter');
    await page.waitForURL(/q=Lumen/);
    const titles = await page.locator('.card h3').allTextContents();
    expect(titles).toEqual(['Lumen Ridge']);
    await page.selectOption('#f-source', 'demo');
    await page.click('.filter button');
    await page.waitForURL(/source=demo/);
    expect(await page.locator('.card').count()).toBe(1);
    await page.click('.filter a'); // Clear
    expect(await page.locator('.card').count()).toBeGreaterThan(5);
  });

  it('opens a thread: messages newest first with quotes folded, the stage history with rule and file:line', async () => {
    await page.goto(served.origin + '/');
    await page.click('.card h3 a:text("Copperline Studio")');
    await page.waitForURL(/\/thread\?id=/);
    const dates = await page.locator('.message time').evaluateAll((els) => els.map((e) => e.getAttribute('datetime')!));
    expect(dates.length).toBeGreaterThan(1);
    expect([...dates].sort().reverse()).toEqual(dates);
    const rows = await page.locator('table.history tbody tr').allTextContents();
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.join('\n')).toMatch(/rules\/\d\d-[a-z-]+\.yaml:\d+/);
    if (await page.locator('.message details').count()) {
      await expect(page.locator('.message details').first().getAttribute('open')).resolves.toBeNull();
    }
  });

  let draftId = 0;
  it('decides decline with a template preview, then edits and approves the draft; the .eml is the edited mail', async () => {
    await page.selectOption('#d-decision', 'decline');
    await page.waitForFunction(() => document.querySelector('[data-preview-out]')?.textContent?.startsWith('Template: '));
    const preview = await page.locator('[data-preview-out]').textContent();
    expect(preview).toMatch(/^Template: withdraw/); // declining before an offer is a withdrawal
    expect(preview).toContain('To: ');
    await page.click('form.decide button[type=submit]');
    await page.waitForURL(/#drafts$/);
    const draft = page.locator('.draft-card').last();
    draftId = Number(await draft.locator('input[name=id]').first().inputValue());
    expect(draftId).toBeGreaterThan(0);
    await expect(draft.locator('pre.eml').textContent()).resolves.toMatch(/In-Reply-To: </);

    const body = page.locator(`#e-body-${draftId}`);
    await body.fill(`${await body.inputValue()}\nP.S. Thank you for the studio tour.\n`);
    await page.click(`.draft-card:has(#e-body-${draftId}) form.edit button`);
    await page.waitForURL(/#drafts$/);
    await expect(page.locator(`pre[data-mail="${draftId}"]`).textContent()).resolves.toContain('P.S. Thank you for the studio tour.');

    await page.click(`.draft-card:has(#e-body-${draftId}) form[action="/drafts/approve"] button`);
    await page.waitForURL(/#drafts$/);
    const saved = page.locator(`pre[data-mail="${draftId}"]`);
    await expect(saved.textContent()).resolves.toContain('P.S. Thank you for the studio tour.');
    const dir = join(demo.state, 'drafts', 'demo');
    const emls = readdirSync(dir).filter((f) => f.endsWith('.eml'));
    expect(emls).toHaveLength(1);
    const eml = readFileSync(join(dir, emls[0]!), 'utf8');
    expect(eml).toContain('P.S. Thank you for the studio tour.');
    expect(eml).toMatch(/^In-Reply-To: </m);
    expect(eml).toMatch(/^Subject: Re: /m);
    expect(await saved.textContent()).toBe(eml.replace(/\r\n/g, '\n')); // the mail exactly as saved (HTML text carries no CR)
  });

  it('snoozes an overdue thread: the card says so and the alert is cleared', async () => {
    await page.goto(served.origin + '/?q=Lumen');
    await page.click('.card h3 a');
    await page.waitForURL(/\/thread\?id=/);
    expect(await page.locator('#h-alerts + ul li').count()).toBe(1);
    await page.fill('#s-when', '2d');
    await page.click('form.snooze button');
    await page.waitForURL(/\/thread\?id=/);
    await expect(page.locator('#h-alerts ~ p').first().textContent()).resolves.toBe('No open alerts.');
    await page.goto(served.origin + '/?q=Lumen');
    await expect(page.locator('.card .badge.snoozed').textContent()).resolves.toMatch(/Snoozed until .*22 Nov 2026/);
  });

  it('scores two offers side by side and shows weighted totals, missed non-negotiables and negotiable gaps', async () => {
    await page.goto(served.origin + '/offers');
    const heads = await page.locator('table.compare thead th a').allTextContents();
    expect(heads).toHaveLength(2);
    // Location and mobility becomes non-negotiable.
    const loc = page.locator('table:not(.compare) tbody tr', { hasText: 'Location and mobility' });
    await loc.locator('input[type=checkbox][name^="nn:"]').check();
    await page.click('form.priorities button');
    await page.waitForURL(/\/offers$/);
    const row = (name: string) => page.locator('table.compare tbody tr', { hasText: name });
    const scores: Record<string, [number, number]> = {
      'Salary and benefits': [8, 6], Role: [7, 9], 'Career development': [5, 8], Manager: [6, 7], Autonomy: [7, 4], 'Location and mobility': [4, 9],
    };
    for (const [name, [a, b]] of Object.entries(scores)) {
      await row(name).locator('input').nth(0).fill(String(a));
      await row(name).locator('input').nth(1).fill(String(b));
    }
    await page.click('form.scores button');
    await page.waitForURL(/\/offers$/);
    const totals = await page.locator('td.total').allTextContents();
    // weights 3,2,2,2,1,1 (sum 11): Kestrel Maps (24+14+10+12+7+4)/11 = 6.5, Tidewater Labs (18+18+16+14+4+9)/11 = 7.2
    expect(totals).toEqual(['6.5', '7.2']);
    const foot = await page.locator('table.compare tfoot').textContent();
    expect(foot).toContain('Location and mobility'); // missed by the 6.5 one
    expect(foot).toContain('Autonomy'); // a negotiable gap of the 7.2 one
    await expect(page.locator('a:text("Propose a decline")').count()).resolves.toBe(1);
    await expect(page.locator('a:text("Propose a negotiation")').count()).resolves.toBe(1);
    await page.screenshot({ path: join(ARTIFACTS, 'offers.png'), fullPage: true });
    // The same table on the terminal, from the same state.
    const json = JSON.parse((await cli(['--config', demo.config, '--now', demo.now, 'offers', '--json'])).out) as { offers: { total: number }[] };
    expect(json.offers.map((o) => o.total)).toEqual([6.5, 7.2]);
    await page.click('a:text("Propose a negotiation")');
    await page.waitForURL(/decision=negotiate/);
    await expect(page.locator('#d-decision').inputValue()).resolves.toBe('negotiate');
  });

  it('corrects a verdict from the thread page: not about the job search leaves the board', async () => {
    await page.goto(served.origin + '/?q=Nadia');
    expect(await page.locator('.card').count()).toBe(1);
    await page.click('.card h3 a');
    await page.waitForURL(/\/thread\?id=/);
    await page.selectOption('#c-stage', 'none');
    await page.click('#correct form.correct button');
    await page.waitForURL(/#correct$/);
    await expect(page.locator('#correct').textContent()).resolves.toMatch(/Corrected by you on .*stage none/);
    await page.goto(served.origin + '/?q=Nadia');
    expect(await page.locator('.card').count()).toBe(0);
  });

  it('labels every control and works from the keyboard', async () => {
    for (const path of ['/', '/offers', `/thread?id=${encodeURIComponent('demo:1881496409342850435')}`]) {
      await page.goto(served.origin + path);
      const unlabelled = await page.evaluate(() => Array.from(document.querySelectorAll('input:not([type=hidden]), select, textarea'))
        .filter((el) => !(el as HTMLInputElement).labels?.length && !el.getAttribute('aria-label'))
        .map((el) => el.outerHTML.slice(0, 80)));
      expect(unlabelled, path).toEqual([]);
    }
    await page.goto(served.origin + '/');
    let reached = '';
    for (let i = 0; i < 40 && !reached.startsWith('/thread'); i++) {
      await page.keyboard.press('Tab');
      reached = await page.evaluate(() => (document.activeElement as HTMLAnchorElement | null)?.getAttribute('href') ?? '');
    }
    expect(reached).toMatch(/^\/thread\?id=/);
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/thread\?id=/);
  });

  it('runs a cycle from the page with progress streamed, and shows the new mail', async () => {
    appendMessage(demo.mbox, {
      from: 'Hamish Reid <hamish@copperline.example>', to: 'jordan@example.com', date: '2026-11-20T08:30:00Z',
      subject: 'Re: Copperline Studio - next steps', id: 'web-test-new@copperline.example', thread: '1881121755234874458',
      body: 'Hi Jordan,\n\nUnderstood, and thank you for letting us know. Best of luck!\n\nHamish',
    });
    await page.goto(served.origin + '/');
    await page.click('form[data-cycle] button');
    await page.waitForFunction(() => /Cycle done/.test(document.querySelector('[data-cycle-status]')?.textContent ?? ''), null, { timeout: 60_000 });
    const status = await page.locator('[data-cycle-status]').textContent();
    expect(status).toMatch(/Cycle done: 1 new message\(s\)/);
    expect(dialogs).toEqual([]);
    expect(consoleErrors, consoleErrors.join('\n')).toEqual([]);
  });
});
