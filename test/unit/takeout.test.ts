/** The mbox connector's own reading of Google Takeout headers: thread id, mailbox role, the owner's labels. */
import { describe, expect, it } from 'vitest';
import { parseMboxMessage, placeOf, splitLabels, takeoutPlace } from '../../src/connectors/mbox/index.js';
import { placeOf as gmailPlaceOf } from '../../src/connectors/gmail/labels.js';

const raw = (headers: string[]) =>
  Buffer.from([...headers, 'From: Tomás <tomas@sunfish.example>', 'To: sam@example.net', 'Subject: Offer', 'Date: Thu, 12 Nov 2026 10:15:00 +0100', 'Message-ID: <t-1@sunfish.example>', '', 'Hello.', ''].join('\r\n'));

describe('Takeout headers (mbox connector)', () => {
  it('splits labels on commas outside quotes', () => {
    expect(splitLabels('Inbox, Sent ,"A, B",,C')).toEqual(['Inbox', 'Sent', 'A, B', 'C']);
    expect(splitLabels('')).toEqual([]);
  });

  it('reads X-GM-THRID and X-Gmail-Labels (encoded words decoded); system labels give the role, the owner keeps their own and the categories', async () => {
    const m = await parseMboxMessage(raw(['X-GM-THRID: 1881433832423645999', 'X-Gmail-Labels: Inbox,Important,"Jobs, 2026",=?utf-8?q?Caf=C3=A9?=,Category Promotions,Opened']));
    expect(m.threadId).toBe('1881433832423645999');
    expect(m.role).toBe('inbox');
    expect(m.labels).toEqual(['Jobs, 2026', 'Café', 'Category Promotions']);
    expect(m.headers['x-gmail-labels']).toBeUndefined();
  });

  it('derives the role with the port precedence: drafts > sent > junk > trash > inbox > archive', () => {
    expect(placeOf({ labels: 'Sent,Inbox' }).role).toBe('sent');
    expect(placeOf({ labels: 'Drafts,Sent' }).role).toBe('drafts');
    expect(placeOf({ labels: 'Spam' }).role).toBe('junk');
    expect(placeOf({ labels: 'Trash,Inbox' }).role).toBe('trash');
    expect(placeOf({ labels: 'Job search,Opened' }).role).toBe('archive');
    expect(placeOf({}).role).toBe('archive');
    expect(placeOf({ labels: 'Sent', unsent: '1' }).role).toBe('drafts');
  });

  it('an .eml saved with X-Unsent: 1 is a draft; a plain mbox message without labels is archived mail with no thread id', () => {
    expect(takeoutPlace(raw(['X-Unsent: 1']))).toEqual({ threadId: null, role: 'drafts', labels: [] });
    expect(takeoutPlace(raw([]))).toEqual({ threadId: null, role: 'archive', labels: [] });
  });
});

describe('Gmail label ids (gmail connector)', () => {
  it('maps system labels to the role, keeps user labels by name and categories by their Takeout names', () => {
    const names: Record<string, string> = { Label_7: 'Job hunt' };
    expect(gmailPlaceOf(['INBOX', 'UNREAD', 'IMPORTANT', 'CATEGORY_PROMOTIONS', 'Label_7'], (id) => names[id] ?? id)).toEqual({ role: 'inbox', labels: ['Category Promotions', 'Job hunt'] });
    expect(gmailPlaceOf(['SENT', 'INBOX'], (id) => id).role).toBe('sent');
    expect(gmailPlaceOf(['DRAFT'], (id) => id).role).toBe('drafts');
    expect(gmailPlaceOf(['SPAM'], (id) => id).role).toBe('junk');
    expect(gmailPlaceOf(['TRASH'], (id) => id).role).toBe('trash');
    expect(gmailPlaceOf(['Label_7'], (id) => names[id] ?? id)).toEqual({ role: 'archive', labels: ['Job hunt'] });
  });
});
