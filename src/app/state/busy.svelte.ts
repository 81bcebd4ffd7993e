/**
 * The long piece of work the app is doing now, shown over the viewer: what it is, how far it is
 * (0…1, when it can tell: model downloads, tiled inference, export) and how to stop it (when it
 * can be stopped).
 */
export class BusyState {
  label = $state<string | null>(null);
  progress = $state<number | null>(null);
  cancel = $state.raw<(() => void) | null>(null);

  /** Shows `label` while `work` runs, and clears it (and any progress) after. */
  async while<T>(label: string, work: () => Promise<T>): Promise<T> {
    this.label = label;
    try {
      return await work();
    } finally {
      this.clear();
    }
  }

  clear(): void {
    this.label = null;
    this.progress = null;
    this.cancel = null;
  }
}
