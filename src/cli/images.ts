// Image files in and out of the triad command: sharp decodes (EXIF orientation applied) and
// encodes; an output is written beside its final name and renamed, so none is ever partial.
import { rmSync } from 'node:fs';
import { readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import sharp, { type OutputInfo } from 'sharp';
import type { RgbaImage } from '../core/image';

/** The formats `apply` reads and writes, by file extension. */
export const FORMATS = {
  png: 'png',
  jpg: 'jpeg',
  jpeg: 'jpeg',
  webp: 'webp',
  avif: 'avif',
} as const;
export type OutputFormat = (typeof FORMATS)[keyof typeof FORMATS];

/** An input the batch will try, or why it will not. */
export interface InputFile {
  path: string;
  /** Set when the file is not tried at all (not a file, an extension no one reads). */
  skip?: string;
}

const formatOf = (path: string): OutputFormat | undefined =>
  FORMATS[extname(path).slice(1).toLowerCase() as keyof typeof FORMATS];

/**
 * The files named, in order: a folder gives its image files (by extension, sorted, not its
 * subfolders); a file named outright is always tried (its content decides), a missing one is
 * reported.
 */
export async function listInputs(paths: readonly string[]): Promise<InputFile[]> {
  const files: InputFile[] = [];
  for (const path of paths) {
    const info = await stat(path).catch(() => null);
    if (!info) files.push({ path, skip: 'no such file or folder' });
    else if (info.isDirectory()) {
      const names = (await readdir(path)).sort();
      for (const name of names) if (formatOf(name)) files.push({ path: join(path, name) });
    } else files.push({ path });
  }
  return files;
}

/** Decodes an image file to RGBA, turned upright by its EXIF orientation. */
export async function decodeImage(bytes: Uint8Array, maxDimension: number): Promise<RgbaImage> {
  if (bytes.byteLength === 0) throw new Error('the file is empty (0 bytes)');
  let decoded: { data: Buffer; info: OutputInfo };
  try {
    const meta = await sharp(bytes).metadata();
    const [w, h] =
      (meta.orientation ?? 1) >= 5 ? [meta.height, meta.width] : [meta.width, meta.height];
    if (w > maxDimension || h > maxDimension)
      throw new RangeError(`it is ${w}×${h}, over this GPU's ${maxDimension} px limit`);
    decoded = await sharp(bytes).rotate().ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  } catch (error) {
    if (error instanceof RangeError) throw error;
    throw new Error(`not a readable image (${(error as Error).message})`);
  }
  const { data, info } = decoded;
  return {
    width: info.width,
    height: info.height,
    data: new Uint8ClampedArray(data), // a copy: sharp's buffer may be a slice of a shared pool
  };
}

/** Where an input's output goes: the same name in `dir`, with the format's extension. */
export function outputPath(input: string, dir: string, format: OutputFormat | 'same'): string {
  const chosen = format === 'same' ? (formatOf(input) ?? 'png') : format;
  const name = basename(input, extname(input));
  return resolve(dir, `${name}.${chosen === 'jpeg' ? 'jpg' : chosen}`);
}

/**
 * Encodes RGBA to `path` (format from its extension): written to a temporary name in the same
 * folder, then renamed, so an interrupted write leaves no partial file under the output's name.
 */
export async function writeImage(image: RgbaImage, path: string): Promise<void> {
  const format = formatOf(path) ?? 'png';
  const raw = { width: image.width, height: image.height, channels: 4 as const };
  const pixels = Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength);
  const encoded = await sharp(pixels, { raw }).toFormat(format).toBuffer();
  const temporary = `${path}.partial-${process.pid}`;
  partials.add(temporary);
  try {
    await writeFile(temporary, encoded);
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  } finally {
    partials.delete(temporary);
  }
}

/** Temporary files being written now. */
const partials = new Set<string>();

/** Removes the temporary files of writes still under way (the process is about to exit). */
export function removePartials(): void {
  for (const path of partials) rmSync(path, { force: true });
  partials.clear();
}
