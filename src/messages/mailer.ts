import { createTransport } from 'nodemailer';
import type { Config } from '../config.ts';
import type { DeliveredVia, MessageAttachment } from '../db/tables/messages.ts';

/** What delivery needs of an outbox row. */
export type Deliverable = {
  id: string;
  recipientEmail: string;
  subject: string;
  textBody: string;
  htmlBody: string | null;
  attachments: MessageAttachment[];
  /** An optional email's signed "stop these emails" address; none for emails that always go. */
  unsubscribeUrl?: string | null;
};

export type Mailer = {
  via: DeliveredVia;
  /** Resolves once the message is accepted; rejects with the server's reason otherwise. */
  send: (message: Deliverable) => Promise<void>;
  close: () => void;
};

/**
 * The Message-ID of an outbox message: its id at the service's host. A message sent twice (after a
 * crash between sending and recording it) carries the same Message-ID both times, so mail systems
 * and people can recognise the second as a duplicate.
 */
export function messageIdFor(id: string, baseUrl: string): string {
  return `<${id}@${new URL(baseUrl).hostname}>`;
}

/**
 * A calendar update or cancellation (METHOD:REQUEST or CANCEL) goes as iMIP does it (RFC 6047): a
 * text/calendar alternative of the text, which Outlook, Exchange and Gmail apply to the event they
 * have (nodemailer also attaches it as a file). Any other file, a PUBLISH .ics included, is an attachment.
 */
function mimeParts(attachments: MessageAttachment[]) {
  const update = attachments.find((a) => /^text\/calendar;.*\bmethod=(REQUEST|CANCEL)\b/i.test(a.contentType));
  const method = update ? /\bmethod=(\w+)/i.exec(update.contentType)?.[1] : undefined;
  return {
    attachments: attachments.filter((a) => a !== update).map((a) => ({ filename: a.filename, contentType: a.contentType, content: a.content })),
    ...(update && method ? { icalEvent: { method, filename: update.filename, content: update.content } } : {}),
  };
}

export function smtpMailer(options: { url: string; from: string; baseUrl: string }): Mailer {
  const transport = createTransport(
    {
      url: options.url,
      // A mail server that hangs must not hold a delivery job for ever: give up, and the job retries.
      connectionTimeout: 15_000,
      greetingTimeout: 15_000,
      socketTimeout: 60_000,
      disableFileAccess: true,
      disableUrlAccess: true,
    },
    { from: options.from },
  );
  return {
    via: 'smtp',
    send: async (message) => {
      await transport.sendMail({
        to: message.recipientEmail,
        subject: message.subject,
        text: message.textBody,
        ...(message.htmlBody ? { html: message.htmlBody } : {}),
        messageId: messageIdFor(message.id, options.baseUrl),
        // One-click unsubscribe (RFC 8058): mail clients POST to the link themselves. Only optional
        // emails have a link; the mail relay's DKIM signature must cover both headers.
        ...(message.unsubscribeUrl ? { list: { unsubscribe: { url: message.unsubscribeUrl } } } : {}),
        headers: {
          'Auto-Submitted': 'auto-generated',
          ...(message.unsubscribeUrl ? { 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' } : {}),
        },
        ...mimeParts(message.attachments),
      });
    },
    close: () => transport.close(),
  };
}

/**
 * With no SMTP server (development, the demo) a message is "delivered" to the development mailbox:
 * it stays readable there, and is marked delivered so nothing waits for ever.
 */
export function mailboxMailer(): Mailer {
  return { via: 'mailbox', send: async () => {}, close: () => {} };
}

export function mailerFor(config: Pick<Config, 'smtpUrl' | 'mailFrom' | 'baseUrl' | 'env'>): Mailer {
  if (config.smtpUrl) return smtpMailer({ url: config.smtpUrl, from: config.mailFrom, baseUrl: config.baseUrl });
  // loadConfig already refuses this; a second guard costs nothing next to a lost email.
  if (config.env === 'production') throw new Error('SMTP_URL is required in production');
  return mailboxMailer();
}
