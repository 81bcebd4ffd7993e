export type NoticeKind = 'error' | 'warning' | 'info';

export interface Notice {
  id: number;
  kind: NoticeKind;
  title: string;
  message: string;
}

/** Messages shown above the viewer. Errors stay until dismissed; the page keeps working. */
export class Notices {
  items = $state.raw<Notice[]>([]);
  #next = 1;

  add(kind: NoticeKind, title: string, message: string): number {
    const id = this.#next++;
    this.items = [...this.items, { id, kind, title, message }].slice(-6);
    return id;
  }

  error(title: string, message: string): number {
    return this.add('error', title, message);
  }

  warning(title: string, message: string): number {
    return this.add('warning', title, message);
  }

  info(title: string, message: string): number {
    return this.add('info', title, message);
  }

  dismiss(id: number): void {
    this.items = this.items.filter((n) => n.id !== id);
  }
}
