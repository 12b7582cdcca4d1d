/** A mail pforte would have sent, kept in memory when there is no `SMTP_URL`. */
export interface OutboxMail {
  to: string;
  subject: string;
  text: string;
  html: string;
  sentAt: Date;
}

export interface DevOutbox {
  add(mail: Omit<OutboxMail, 'sentAt'>): void;
  /** Newest first. */
  list(): OutboxMail[];
  clear(): void;
}

export interface DevOutboxOptions {
  /** How many mails are kept; older ones are dropped. Default 50. */
  limit?: number;
  now?: () => Date;
}

/**
 * The dev outbox behind `/dev/outbox`: for trying pforte on a laptop without a mail
 * server. Memory only and bounded, so a long-running dev process cannot grow without end.
 */
export function createDevOutbox({ limit = 50, now = () => new Date() }: DevOutboxOptions = {}): DevOutbox {
  let mails: OutboxMail[] = [];
  return {
    add(mail) {
      mails = [{ ...mail, sentAt: now() }, ...mails].slice(0, limit);
    },
    list() {
      return [...mails];
    },
    clear() {
      mails = [];
    },
  };
}
