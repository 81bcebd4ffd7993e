import * as Comlink from 'comlink';
import type { RgbaImage } from '../effects/image';
import type { PngEncoderApi } from './png-protocol';

let encoder: Comlink.Remote<PngEncoderApi> | null = null;

/** The one owner of the PNG encoder worker; started on first export. */
function worker(): Comlink.Remote<PngEncoderApi> {
  encoder ??= Comlink.wrap<PngEncoderApi>(
    new Worker(new URL('../../workers/png-encoder.worker.ts', import.meta.url), {
      type: 'module',
      name: 'triad-png-encoder',
    }),
  );
  return encoder;
}

/** Encodes pixels as PNG off the main thread. The pixel buffer is transferred, not copied. */
export async function encodePng(image: RgbaImage): Promise<Blob> {
  const { width, height, data } = image;
  const buffer = data.buffer;
  return worker().encodePng(width, height, Comlink.transfer(buffer, [buffer]));
}

/** A file name for the export: "cat.png" → "cat-triad.png". */
export function exportName(sourceName: string): string {
  const base = sourceName.replace(/\.[^.]+$/, '') || 'image';
  return `${base}-triad.png`;
}

export function downloadBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
