import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { type ParsedMail, simpleParser } from 'mailparser';
import { eventually } from './eventually.js';
import type { TestApp } from './test-app.js';

/** The mails the platform wrote as .eml files (no SMTP_URL): DATA_DIR/mail. */
export async function mailsTo(app: TestApp, address: string): Promise<ParsedMail[]> {
  const dir = path.join(app.config.dataDir, 'mail');
  let files: string[];
  try {
    files = readdirSync(dir).filter((name) => name.endsWith('.eml'));
  } catch {
    return [];
  }
  const mails = await Promise.all(
    files.sort().map((name) => simpleParser(readFileSync(path.join(dir, name)))),
  );
  return mails.filter((mail) => {
    const to = Array.isArray(mail.to) ? mail.to : mail.to ? [mail.to] : [];
    return to.some((each) => each.value.some((one) => one.address?.toLowerCase() === address.toLowerCase()));
  });
}

/** The token of the `nth` (1-based) mail to `address` whose subject matches, once it has arrived. */
export async function tokenMailed(app: TestApp, address: string, subject: RegExp, nth = 1): Promise<string> {
  const mails = await eventually(
    async () => (await mailsTo(app, address)).filter((mail) => subject.test(mail.subject ?? '')),
    (found) => found.length >= nth,
  );
  const token = /#token=([A-Za-z0-9_-]+)/.exec(mails[nth - 1]!.text ?? '')?.[1];
  if (!token) throw new Error(`no token in the mail: ${mails[nth - 1]!.text}`);
  return token;
}
