import { gql, type TypedDocumentNode } from '@apollo/client';
import type { MailTransportQuery, MailTransportQueryVariables } from '../../_lib/generated';

/** Whether reports leave at all (SMTP_URL set), so the page can say why they stay pending. */
export const MAIL_TRANSPORT: TypedDocumentNode<MailTransportQuery, MailTransportQueryVariables> = gql`
  query MailTransport { mailTransport { configured } }
`;
