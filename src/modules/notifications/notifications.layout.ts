/**
 * The one layout every notification mail shares, rendered twice from the same content:
 * as plain text that reads well on its own, and as simple table-based HTML with inline
 * styles, since mail clients drop <style> blocks and most of CSS.
 *
 * HTML is built only through the `html` tag below, which escapes every interpolated
 * value unless it is already Html: a product or user name can never become markup.
 */

import { escapeHtml } from '../../platform/html.js';

export { escapeHtml };

export interface Branding {
  productName: string;
  /** The From mailbox; the caller puts it on the message, templates do not show it. */
  from: string;
  supportEmail?: string;
  /** A CSS colour (`#0a7d5a`, `teal`); anything else falls back to the default. */
  accentColor?: string;
  /** A closing line, e.g. the company's legal name and address. */
  footer?: string;
}

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

export interface MailItem {
  name: string;
  quantity: number;
  unit_price: string;
  subtotal: string;
}

/** What a notification says, independent of how it is drawn. */
export interface MailContent {
  subject: string;
  heading: string;
  paragraphs: string[];
  /** The one thing the reader should do, e.g. open a pay link: a button in HTML, a line in text. */
  action?: { label: string; url: string };
  /** Label/value facts, shown as a two-column table. */
  details?: [label: string, value: string][];
  items?: {
    rows: MailItem[];
    currency: string;
    total: string;
    /** Lines between the items and the total (subtotal, shipping, tax, discount), formatted. */
    adjustments?: [string, string][];
  };
}

/** A string that is already HTML; only the `html` tag makes one. */
class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

type HtmlValue = Html | string | number | readonly HtmlValue[];

const toHtml = (value: HtmlValue): string =>
  value instanceof Html
    ? value.value
    : Array.isArray(value)
      ? value.map(toHtml).join('')
      : escapeHtml(String(value));

/** Template tag: literal parts are trusted markup, every interpolated value is escaped. */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): Html {
  return new Html(
    strings.reduce((out, literal, i) => out + literal + (i < values.length ? toHtml(values[i]!) : ''), ''),
  );
}

const DEFAULT_ACCENT = '#0f766e';
// Validated rather than escaped: the colour lands inside a style attribute, where
// escaping quotes would not stop `red;background:url(…)`.
const CSS_COLOR = /^(#[0-9a-fA-F]{3}|#[0-9a-fA-F]{6}|[a-zA-Z]{3,20})$/;

/** `USD 1234.50` → `USD 1,234.50`, by string surgery: an amount never becomes a float. */
export function formatMoney(amount: string, currency: string): string {
  const match = /^(-?)(\d+)(\.\d+)?$/.exec(amount);
  if (!match) return `${currency} ${amount}`;
  const [, sign = '', whole = '', fraction = ''] = match;
  return `${currency} ${sign}${whole.replace(/\B(?=(\d{3})+$)/g, ',')}${fraction}`;
}

/** An ISO timestamp as `2026-11-22 14:03 UTC`; anything unparseable is shown as given. */
export function formatTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** `bank_transfer` → `Bank transfer`: the fallback for codes without chosen words. */
export const humanize = (code: string): string => {
  const words = code.replaceAll('_', ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
};

/** Only web links become buttons: a `javascript:` or `data:` URL must never be clickable. */
const isWebUrl = (url: string): boolean => /^https?:\/\/[^\s]+$/i.test(url);

function renderText(content: MailContent, branding: Branding): string {
  const lines = [content.heading, '', ...content.paragraphs.flatMap((p) => [p, ''])];
  if (content.action) lines.push(`${content.action.label}: ${content.action.url}`, '');
  if (content.details?.length) {
    const width = Math.max(...content.details.map(([label]) => label.length)) + 1;
    for (const [label, value] of content.details) lines.push(`${`${label}:`.padEnd(width)} ${value}`);
    lines.push('');
  }
  if (content.items) {
    const { rows, currency, total } = content.items;
    for (const item of rows) {
      lines.push(`- ${item.name}`);
      lines.push(
        `  ${item.quantity} × ${formatMoney(item.unit_price, currency)} = ${formatMoney(item.subtotal, currency)}`,
      );
    }
    for (const [label, value] of content.items.adjustments ?? []) lines.push(`${label}: ${value}`);
    lines.push(`Total: ${formatMoney(total, currency)}`, '');
  }
  lines.push('--', branding.productName);
  if (branding.supportEmail) lines.push(`Questions? Write to ${branding.supportEmail}`);
  if (branding.footer) lines.push(branding.footer);
  return `${lines.join('\n')}\n`;
}

const CELL = 'padding:8px 0;border-bottom:1px solid #e5e7eb;font-size:14px;';

function renderHtml(content: MailContent, branding: Branding): string {
  const accent =
    branding.accentColor && CSS_COLOR.test(branding.accentColor) ? branding.accentColor : DEFAULT_ACCENT;
  const details = content.details?.length
    ? html`<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="margin:0 0 24px;">
        ${content.details.map(
          ([label, value]) =>
            html`<tr>
              <td style="${CELL}color:#6b7280;width:40%;">${label}</td>
              <td style="${CELL}font-weight:bold;">${value}</td>
            </tr>`,
        )}
      </table>`
    : '';
  const action = content.action;
  const button = action
    ? isWebUrl(action.url)
      ? html`<p style="margin:0 0 24px;">
            <a
              href="${action.url}"
              style="display:inline-block;padding:12px 20px;border-radius:6px;background:${accent};color:#ffffff;font-weight:bold;text-decoration:none;"
              >${action.label}</a
            >
          </p>
          <p style="margin:0 0 24px;font-size:13px;color:#6b7280;word-break:break-all;">${action.url}</p>`
      : html`<p style="margin:0 0 24px;">${action.label}: ${action.url}</p>`
    : '';
  const list = content.items;
  const items = list
    ? html`<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="margin:0 0 24px;">
        <tr>
          <th align="left" style="${CELL}">Product</th>
          <th align="right" style="${CELL}">Qty</th>
          <th align="right" style="${CELL}">Unit price</th>
          <th align="right" style="${CELL}">Subtotal</th>
        </tr>
        ${list.rows.map(
          (item) =>
            html`<tr>
              <td style="${CELL}">${item.name}</td>
              <td align="right" style="${CELL}">${item.quantity}</td>
              <td align="right" style="${CELL}">${formatMoney(item.unit_price, list.currency)}</td>
              <td align="right" style="${CELL}">${formatMoney(item.subtotal, list.currency)}</td>
            </tr>`,
        )}
        ${(list.adjustments ?? []).map(
          ([label, value]) =>
            html`<tr>
              <td colspan="3" align="right" style="${CELL}">${label}</td>
              <td align="right" style="${CELL}">${value}</td>
            </tr>`,
        )}
        <tr>
          <td colspan="3" align="right" style="padding:12px 0;font-size:15px;font-weight:bold;">Total</td>
          <td align="right" style="padding:12px 0;font-size:15px;font-weight:bold;">
            ${formatMoney(list.total, list.currency)}
          </td>
        </tr>
      </table>`
    : '';
  const support = branding.supportEmail
    ? html`<p style="margin:0 0 8px;">
        Questions? Write to
        <a href="mailto:${branding.supportEmail}" style="color:${accent};">${branding.supportEmail}</a>
      </p>`
    : '';
  const footer = branding.footer ? html`<p style="margin:0;">${branding.footer}</p>` : '';
  return html`<!doctype html>
    <html>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${content.subject}</title>
      </head>
      <body style="margin:0;padding:0;background:#f4f5f7;">
        <div style="display:none;max-height:0;overflow:hidden;">${content.paragraphs[0] ?? ''}</div>
        <table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f4f5f7;">
          <tr>
            <td align="center" style="padding:24px 12px;">
              <table
                role="presentation"
                width="100%"
                cellpadding="0"
                cellspacing="0"
                style="max-width:600px;background:#ffffff;border-radius:8px;font-family:Arial,Helvetica,sans-serif;color:#1f2933;"
              >
                <tr>
                  <td
                    style="padding:20px 32px;border-bottom:4px solid ${accent};font-size:20px;font-weight:bold;color:${accent};"
                  >
                    ${branding.productName}
                  </td>
                </tr>
                <tr>
                  <td style="padding:32px;">
                    <h1 style="margin:0 0 16px;font-size:22px;line-height:1.3;">${content.heading}</h1>
                    ${content.paragraphs.map((p) => html`<p style="margin:0 0 16px;font-size:15px;line-height:1.5;">${p}</p>`)}
                    ${button} ${details} ${items}
                  </td>
                </tr>
                <tr>
                  <td
                    style="padding:20px 32px;font-size:12px;line-height:1.5;color:#6b7280;border-top:1px solid #e5e7eb;"
                  >
                    ${support}${footer}
                  </td>
                </tr>
              </table>
            </td>
          </tr>
        </table>
      </body>
    </html> `.value;
}

/** Both bodies of one mail from one description of it. */
export function renderMail(content: MailContent, branding: Branding): RenderedMail {
  return {
    subject: content.subject,
    text: renderText(content, branding),
    html: renderHtml(content, branding),
  };
}
