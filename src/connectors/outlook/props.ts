/** offerwatch's own single-value extended properties on Outlook messages, and OData literals. */

/** offerwatch's property set (a fixed GUID of our own) and the two named properties in it. */
export const PROPERTY_SET = '{6f1d2c9a-3b7e-4e15-9c0a-5d8e2f41b7c3}';
/** The draft key (the port's idempotency key): the MIME header of other backends, as a property. */
export const DRAFT_KEY_PROPERTY = `String ${PROPERTY_SET} Name X-Offerwatch-Draft-Key`;
/** `created` after createReply, `complete` once our PATCH landed. */
export const DRAFT_STATE_PROPERTY = `String ${PROPERTY_SET} Name X-Offerwatch-Draft-State`;

/** OData string literal: single quotes doubled. */
export function odataString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}
