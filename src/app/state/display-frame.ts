/**
 * The browser's display-frame callback, as the session's players take it: the next animation
 * frame (a 16 ms timer where there is none).
 */
export function displayFrame(callback: () => void): void {
  if (typeof requestAnimationFrame === 'undefined') setTimeout(callback, 16);
  else requestAnimationFrame(() => callback());
}
