/** The user's source and chain, kept while something else (a scenario) is on screen. */
export interface SavedSource {
  /** What it was: a file's name, "3D scene", a camera's label. */
  readonly label: string;
  /** Puts the source and its chain back; false when it could not be (the app said why). */
  restore(): Promise<boolean>;
  /** Lets go of what it holds (an image's copy); restore no longer works after. */
  dispose(): void;
}

export function savedSource(
  label: string,
  restore: () => Promise<boolean>,
  dispose: () => void = () => {},
): SavedSource {
  return { label, restore, dispose };
}
