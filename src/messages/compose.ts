import { Eta } from 'eta';
import type { MessageAttachment } from '../db/tables/messages.ts';
import { viewsFolder } from '../plugins/views.ts';

/**
 * A message is written once, as blocks, and rendered twice: plain text and simple HTML. The two
 * versions cannot drift apart, and every link appears in both as a full address.
 */
export type Block =
  | { type: 'paragraph'; text: string }
  /** Facts about a session: What, When, Where. A value may have several lines. */
  | { type: 'facts'; rows: Array<{ label: string; value: string }> }
  /** The thing to do, shown as a button in HTML and "text: address" in plain text. */
  | { type: 'action'; text: string; href: string }
  /** A secondary link. */
  | { type: 'link'; text: string; href: string }
  /** Small print, such as why the person got this email. */
  | { type: 'note'; text: string };

export type Composed = { subject: string; text: string; html: string };

/** A message written from its facts: its text and any calendar file. */
export type Written = Composed & { attachments: MessageAttachment[] };

const eta = new Eta({ views: viewsFolder, cache: true, autoEscape: true, autoTrim: false });

export function paragraph(text: string): Block {
  return { type: 'paragraph', text };
}

export function compose(message: { subject: string; heading?: string; greeting?: string | null; blocks: Block[]; footer?: Block[] }): Composed {
  const heading = message.heading ?? message.subject;
  const blocks = message.greeting ? [paragraph(message.greeting), ...message.blocks] : message.blocks;
  const footer = [
    ...(message.footer ?? []),
    { type: 'note', text: 'This email was sent by Tasters, where link workers try community activities before referring to them.' } as Block,
  ];
  const text = `${[...blocks.map(blockText), '--', ...footer.map(blockText)].join('\n\n')}\n`;
  const html = eta.render('/messages/email', { subject: message.subject, heading, blocks, footer });
  return { subject: message.subject, text, html };
}

function blockText(block: Block): string {
  switch (block.type) {
    case 'paragraph':
    case 'note':
      return block.text;
    case 'facts':
      return block.rows.map((row) => `${row.label}: ${row.value.split('\n').join('\n  ')}`).join('\n');
    case 'action':
    case 'link':
      return `${block.text}:\n${block.href}`;
  }
}

const urlPattern = /https?:\/\/[^\s<>"]+[^\s<>".,;:!?)]/g;

/**
 * HTML for a message written as plain text (account emails): paragraphs at blank lines, and every
 * address made a link. Escaped first, so nothing in the text can become markup.
 */
export function htmlFromText(subject: string, text: string): string {
  const paragraphs = text
    .trim()
    .split(/\n{2,}/)
    .map((p) => p.split('\n'));
  return eta.render('/messages/plain', { subject, paragraphs, splitLinks });
}

/** Splits a line into text and links, for templates that escape each part themselves. */
export function splitLinks(line: string): Array<{ text: string; href?: string }> {
  const parts: Array<{ text: string; href?: string }> = [];
  let last = 0;
  for (const match of line.matchAll(urlPattern)) {
    if (match.index > last) parts.push({ text: line.slice(last, match.index) });
    parts.push({ text: match[0], href: match[0] });
    last = match.index + match[0].length;
  }
  if (last < line.length) parts.push({ text: line.slice(last) });
  return parts;
}
