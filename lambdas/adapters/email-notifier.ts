// The email Notifier: renders a Notice as an email and sends it through the Mailer port (SES, the dev mailbox).
import type { Principal } from '../core/model.ts';
import type { Mailer, Notice, Notifier } from '../core/ports.ts';
import { noticeEmail } from '../presentation/notification-email.ts';

export class EmailNotifier implements Notifier {
  readonly channel = 'email' as const;
  readonly #mailer: Mailer;

  constructor(mailer: Mailer) {
    this.#mailer = mailer;
  }

  reaches(recipient: Principal): boolean {
    return recipient.email.includes('@');
  }

  send(recipient: Principal, notice: Notice): Promise<{ messageId: string }> {
    return this.#mailer.send(noticeEmail(recipient.email, recipient.name, notice));
  }
}
