/**
 * Mailboxes by role, not by name: the config's names first, then SPECIAL-USE (RFC 6154)
 * attributes, then well-known names in several languages (servers without SPECIAL-USE,
 * and Courier/Dovecot layouts such as `INBOX.Sent`). Gmail's `\All` is the archive.
 */
import type { MailboxRole } from '../port.js';
import type { ImapSourceConfig } from './config.js';

export type FolderRole = Exclude<MailboxRole, 'other'>;
export const FOLDER_ROLES: readonly FolderRole[] = ['inbox', 'sent', 'drafts', 'junk', 'trash', 'archive'];

const SPECIAL_USE: Record<string, FolderRole> = {
  '\\inbox': 'inbox',
  '\\sent': 'sent',
  '\\drafts': 'drafts',
  '\\junk': 'junk',
  '\\trash': 'trash',
  '\\archive': 'archive',
  '\\all': 'archive',
};

/** Lower-cased, NFC: the last component of a mailbox path as people name it. */
const NAMES: Record<Exclude<FolderRole, 'inbox'>, string[]> = {
  sent: [
    'sent', 'sent items', 'sent messages', 'sent mail', 'sent-mail', 'outbox sent',
    'gesendet', 'gesendete elemente', 'gesendete objekte', 'gesendete nachrichten',
    'envoyés', 'envoyes', 'éléments envoyés', 'messages envoyés', 'enviados', 'elementos enviados', 'correo enviado',
    'inviati', 'posta inviata', 'elementi inviati', 'verzonden', 'verzonden items', 'verzonden berichten',
    'skickat', 'skickade objekt', 'sendt', 'sendte elementer', 'sendte', 'lähetetyt', 'wysłane', 'elementy wysłane',
    'odeslané', 'enviadas', 'itens enviados', 'отправленные', '已发送', '已傳送', '送信済み', '送信済みメール', '보낸편지함',
  ],
  drafts: [
    'drafts', 'draft', 'entwürfe', 'entwurf', 'brouillons', 'brouillon', 'borradores', 'bozze', 'concepten',
    'utkast', 'kladder', 'luonnokset', 'kopie robocze', 'koncepty', 'rascunhos', 'черновики', '草稿', '草稿箱', '下書き', '임시보관함',
  ],
  junk: [
    'junk', 'spam', 'junk e-mail', 'junk email', 'junk mail', 'bulk mail', 'spamverdacht', 'unerwünscht',
    'courrier indésirable', 'indésirables', 'pourriels', 'correo no deseado', 'posta indesiderata', 'ongewenste e-mail',
    'skräppost', 'søppelpost', 'roskaposti', 'nevyžádaná pošta', 'lixo eletrônico', 'спам', '垃圾邮件', '迷惑メール',
  ],
  trash: [
    'trash', 'deleted', 'deleted items', 'deleted messages', 'bin', 'papierkorb', 'gelöschte elemente', 'gelöschte objekte',
    'corbeille', 'éléments supprimés', 'papelera', 'elementos eliminados', 'cestino', 'posta eliminata', 'prullenbak',
    'verwijderde items', 'papperskorgen', 'borttagna objekt', 'papirkurv', 'slettede elementer', 'roskakori', 'kosz',
    'koš', 'lixeira', 'lixo', 'itens excluídos', 'корзина', 'удаленные', '已删除', '垃圾桶', 'ゴミ箱', '휴지통',
  ],
  archive: ['archive', 'archives', 'all mail', 'archiv', 'archivo', 'archivio', 'archief', 'arkiv', 'archiwum', 'arquivo', 'архив', '归档', 'アーカイブ'],
};

const byName = new Map<string, FolderRole>();
for (const [role, names] of Object.entries(NAMES) as [FolderRole, string[]][]) for (const n of names) byName.set(n.normalize('NFC'), role);

export interface ListedMailbox {
  path: string;
  delimiter: string;
  /** SPECIAL-USE attributes as the server gave them (lower-cased), e.g. `\sent`. */
  specialUse: string[];
  selectable: boolean;
}

export function roleByName(path: string, delimiter: string): FolderRole | null {
  if (path.toUpperCase() === 'INBOX') return 'inbox';
  const last = (delimiter ? path.split(delimiter).pop() ?? path : path).normalize('NFC').trim().toLowerCase();
  return byName.get(last) ?? null;
}

/** role → mailbox path, for the roles found. */
export function resolveRoles(list: ListedMailbox[], cfg: Pick<ImapSourceConfig, 'mailboxes'>): Map<FolderRole, string> {
  const out = new Map<FolderRole, string>();
  const selectable = list.filter((m) => m.selectable);
  const paths = new Set(selectable.map((m) => m.path));
  for (const role of FOLDER_ROLES) {
    const named = cfg.mailboxes[role];
    if (named !== undefined) {
      out.set(role, named);
      continue;
    }
    const special = selectable.find((m) => m.specialUse.some((u) => SPECIAL_USE[u] === role && !(role === 'archive' && u === '\\all' && selectable.some((o) => o.specialUse.includes('\\archive')))));
    if (special) {
      out.set(role, special.path);
      continue;
    }
    if (role === 'inbox') {
      const inbox = selectable.find((m) => m.path.toUpperCase() === 'INBOX');
      out.set('inbox', inbox?.path ?? 'INBOX');
      continue;
    }
    // Shallowest match first: `Sent` before `Projects/Sent`.
    const byDepth = [...selectable].sort((a, b) => a.path.split(a.delimiter || '\u0000').length - b.path.split(b.delimiter || '\u0000').length || a.path.localeCompare(b.path));
    const hit = byDepth.find((m) => roleByName(m.path, m.delimiter) === role && ![...out.values()].includes(m.path));
    if (hit) out.set(role, hit.path);
  }
  void paths;
  return out;
}
