/** Reply drafts: templates, recipient choice and the MIME builder. Nothing here sends mail. */
export {
  DECISIONS,
  loadTemplates,
  parseTemplateFile,
  placeholderFor,
  renderTemplate,
  type Decision,
  type RenderedDraft,
  type Template,
  type TemplateSet,
} from './templates.js';
export { asciiMailbox, chooseRecipient, isSingleAddress, type RecipientChoice } from './recipients.js';
export { composeReply, draftMessageId, replySubject, type ReplyInput } from './compose.js';
