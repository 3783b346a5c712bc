/** Schema migrations, applied in order; `PRAGMA user_version` records how many ran. Never edit a shipped one. */
export const MIGRATIONS: string[] = [
  `
  CREATE TABLE sources (
    name TEXT PRIMARY KEY,
    cursor TEXT,
    synced_at TEXT
  );
  CREATE TABLE messages (
    source TEXT NOT NULL,
    id TEXT NOT NULL,
    thread_id TEXT NOT NULL,
    message_id TEXT,
    subject_key TEXT NOT NULL,
    date TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (source, id)
  );
  CREATE INDEX messages_thread ON messages (source, thread_id);
  CREATE INDEX messages_message_id ON messages (source, message_id);
  CREATE INDEX messages_subject ON messages (source, subject_key);
  CREATE TABLE failures (
    source TEXT NOT NULL,
    ref TEXT NOT NULL,
    reason TEXT NOT NULL,
    content_hash TEXT,
    seen_at TEXT NOT NULL,
    PRIMARY KEY (source, ref)
  );
  CREATE TABLE threads (
    source TEXT NOT NULL,
    id TEXT NOT NULL,
    dirty INTEGER NOT NULL DEFAULT 1,
    stage TEXT NOT NULL DEFAULT 'none',
    tracked INTEGER NOT NULL DEFAULT 0,
    awaiting INTEGER NOT NULL DEFAULT 0,
    waiting_since TEXT,
    due_at TEXT,
    last_message_at TEXT,
    subject TEXT,
    company TEXT,
    role TEXT,
    contact TEXT,
    verdict TEXT,
    classified_with TEXT,
    PRIMARY KEY (source, id)
  );
  CREATE INDEX threads_dirty ON threads (dirty) WHERE dirty = 1;
  CREATE TABLE stage_history (
    source TEXT NOT NULL,
    thread_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    from_stage TEXT NOT NULL,
    to_stage TEXT NOT NULL,
    message_id TEXT NOT NULL,
    date TEXT NOT NULL,
    rule TEXT NOT NULL,
    origin TEXT NOT NULL,
    sentence TEXT,
    PRIMARY KEY (source, thread_id, seq)
  );
  CREATE TABLE alerts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    source TEXT NOT NULL,
    thread_id TEXT NOT NULL,
    due_at TEXT NOT NULL,
    stage TEXT NOT NULL,
    raised_at TEXT NOT NULL,
    delivered INTEGER NOT NULL DEFAULT 0,
    cleared_at TEXT,
    cleared_reason TEXT,
    UNIQUE (source, thread_id, due_at)
  );
  CREATE TABLE snoozes (
    source TEXT NOT NULL,
    thread_id TEXT NOT NULL,
    until TEXT NOT NULL,
    PRIMARY KEY (source, thread_id)
  );
  CREATE TABLE attention (
    source TEXT NOT NULL,
    thread_id TEXT NOT NULL,
    marked_at TEXT NOT NULL,
    PRIMARY KEY (source, thread_id)
  );
  CREATE TABLE decisions (
    source TEXT NOT NULL,
    thread_id TEXT NOT NULL,
    decision TEXT NOT NULL,
    reason TEXT,
    decided_at TEXT NOT NULL,
    PRIMARY KEY (source, thread_id)
  );
  CREATE TABLE proposals (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL UNIQUE,
    source TEXT NOT NULL,
    thread_id TEXT NOT NULL,
    decision TEXT NOT NULL,
    reason TEXT,
    template_id TEXT NOT NULL,
    rule TEXT,
    status TEXT NOT NULL,
    to_json TEXT,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    needs_edit TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    draft_id TEXT,
    draft_location TEXT
  );
  CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
  );
  `,
  // 2: every stored message gets the mailbox role its connector now sets (from the labels it
  // was stored with: Takeout names or Gmail ids); proposals get a claim (compare-and-set before
  // talking to the provider) and the time the owner's sent reply was seen.
  `
  UPDATE messages SET data = json_set(data, '$.role',
    CASE
      WHEN EXISTS (SELECT 1 FROM json_each(messages.data, '$.labels') WHERE lower(value) IN ('draft', 'drafts'))
        OR lower(coalesce(json_extract(messages.data, '$.headers."x-unsent"'), '')) = '1' THEN 'drafts'
      WHEN EXISTS (SELECT 1 FROM json_each(messages.data, '$.labels') WHERE lower(value) = 'sent') THEN 'sent'
      WHEN EXISTS (SELECT 1 FROM json_each(messages.data, '$.labels') WHERE lower(value) = 'spam') THEN 'junk'
      WHEN EXISTS (SELECT 1 FROM json_each(messages.data, '$.labels') WHERE lower(value) = 'trash') THEN 'trash'
      WHEN EXISTS (SELECT 1 FROM json_each(messages.data, '$.labels') WHERE lower(value) = 'inbox') THEN 'inbox'
      ELSE 'archive'
    END)
  WHERE json_extract(data, '$.role') IS NULL;
  ALTER TABLE proposals ADD COLUMN claim_token TEXT;
  ALTER TABLE proposals ADD COLUMN claimed_at TEXT;
  ALTER TABLE proposals ADD COLUMN sent_at TEXT;
  `,
  // 3: the owner's corrections of verdicts (offerwatch correct).
  `
  CREATE TABLE corrections (
    source TEXT NOT NULL,
    thread_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    stage TEXT,
    rules_stage TEXT NOT NULL,
    anchor_message_id TEXT NOT NULL,
    corrected_at TEXT NOT NULL,
    ended_at TEXT,
    PRIMARY KEY (source, thread_id, kind)
  );
  `,
  // 4: the single-flight cycle lock (one row per lock name), and the offer comparison.
  `
  CREATE TABLE locks (
    name TEXT PRIMARY KEY,
    token TEXT NOT NULL,
    pid INTEGER NOT NULL,
    host TEXT NOT NULL,
    holder TEXT NOT NULL,
    acquired_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
  );
  CREATE TABLE offer_priorities (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    weight REAL NOT NULL,
    non_negotiable INTEGER NOT NULL DEFAULT 0,
    position INTEGER NOT NULL
  );
  INSERT INTO offer_priorities (name, weight, non_negotiable, position) VALUES
    ('Salary and benefits', 3, 0, 1),
    ('Role', 2, 0, 2),
    ('Career development', 2, 0, 3),
    ('Manager', 2, 0, 4),
    ('Autonomy', 1, 0, 5),
    ('Location and mobility', 1, 0, 6);
  CREATE TABLE offer_scores (
    source TEXT NOT NULL,
    thread_id TEXT NOT NULL,
    priority_id INTEGER NOT NULL REFERENCES offer_priorities (id) ON DELETE CASCADE,
    score INTEGER NOT NULL CHECK (score BETWEEN 0 AND 10),
    PRIMARY KEY (source, thread_id, priority_id)
  );
  `,
  // 5: a snooze remembers the thread's last message, so that a new message (or the owner's reply)
  // ends it; alerts remember which channels delivered them, so that a failed channel is retried.
  `
  ALTER TABLE snoozes ADD COLUMN last_message_at TEXT;
  CREATE TABLE alert_deliveries (
    alert_id INTEGER NOT NULL,
    channel TEXT NOT NULL,
    delivered_at TEXT NOT NULL,
    PRIMARY KEY (alert_id, channel)
  );
  `,
];
