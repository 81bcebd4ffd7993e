import {
  LEVELS,
  SKIN_TONE_ANGLE,
  TARGETS_75,
  VECTOR_SIZE,
  chroma,
  vectorBin,
  type ScopeData,
} from './compute';

/** Log-scaled brightness of a count, so sparse traces stay visible next to dense ones. */
function intensity(count: number, max: number): number {
  return count === 0 ? 0 : Math.log1p(count) / Math.log1p(max);
}

function maxOf(values: Uint32Array): number {
  let max = 1;
  for (const v of values) if (v > max) max = v;
  return max;
}

/**
 * Paints a counts grid (row 0 = level 0 drawn at the bottom when `flip`) as a tinted density
 * image scaled to the canvas.
 */
function paintDensity(
  ctx: CanvasRenderingContext2D,
  counts: Uint32Array,
  width: number,
  height: number,
  tint: (x: number) => [number, number, number],
  flip: boolean,
): void {
  const image = new ImageData(width, height);
  const max = maxOf(counts);
  for (let y = 0; y < height; y++) {
    const row = flip ? height - 1 - y : y;
    for (let x = 0; x < width; x++) {
      const k = intensity(counts[row * width + x], max);
      const [r, g, b] = tint(x);
      const o = (y * width + x) * 4;
      image.data[o] = r * k;
      image.data[o + 1] = g * k;
      image.data[o + 2] = b * k;
      image.data[o + 3] = 255;
    }
  }
  const canvas = ctx.canvas;
  const scratch = new OffscreenCanvas(width, height);
  scratch.getContext('2d')!.putImageData(image, 0, 0);
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(scratch, 0, 0, canvas.width, canvas.height);
}

function clear(ctx: CanvasRenderingContext2D): void {
  ctx.fillStyle = '#0b0d11';
  ctx.fillRect(0, 0, ctx.canvas.width, ctx.canvas.height);
}

function levelLines(ctx: CanvasRenderingContext2D): void {
  const { width, height } = ctx.canvas;
  ctx.strokeStyle = 'rgb(255 255 255 / 0.12)';
  ctx.lineWidth = 1;
  for (const level of [0, 64, 128, 192, 255]) {
    const y = Math.round(height - 1 - (level / 255) * (height - 1)) + 0.5;
    ctx.beginPath();
    ctx.moveTo(0, y);
    ctx.lineTo(width, y);
    ctx.stroke();
  }
}

const CHANNEL_COLOURS = [
  'rgb(255 80 80 / 0.55)',
  'rgb(80 220 80 / 0.55)',
  'rgb(90 140 255 / 0.55)',
  'rgb(230 230 230 / 0.8)',
];

export function drawHistogram(ctx: CanvasRenderingContext2D, data: ScopeData): void {
  clear(ctx);
  const { width, height } = ctx.canvas;
  let max = 1;
  // Scale to the largest bin that is not pure black or white, so clipped ends do not flatten it.
  for (let c = 0; c < 4; c++)
    for (let i = 1; i < LEVELS - 1; i++) max = Math.max(max, data.histogram[c * LEVELS + i]);
  ctx.globalCompositeOperation = 'lighter';
  for (let c = 0; c < 4; c++) {
    ctx.fillStyle = CHANNEL_COLOURS[c];
    ctx.beginPath();
    ctx.moveTo(0, height);
    for (let i = 0; i < LEVELS; i++) {
      const v = Math.min(1, data.histogram[c * LEVELS + i] / max);
      ctx.lineTo((i / (LEVELS - 1)) * width, height - v * (height - 2));
    }
    ctx.lineTo(width, height);
    ctx.closePath();
    if (c < 3) ctx.fill();
    else {
      ctx.strokeStyle = CHANNEL_COLOURS[3];
      ctx.stroke();
    }
  }
  ctx.globalCompositeOperation = 'source-over';
}

export function drawWaveform(
  ctx: CanvasRenderingContext2D,
  data: ScopeData,
  mode: 'luma' | 'parade',
): void {
  clear(ctx);
  if (mode === 'luma') {
    paintDensity(ctx, data.waveform, data.columns, LEVELS, () => [150, 255, 170], true);
  } else {
    const tints: [number, number, number][] = [
      [255, 90, 90],
      [90, 255, 110],
      [110, 150, 255],
    ];
    paintDensity(
      ctx,
      data.parade,
      3 * data.columns,
      LEVELS,
      (x) => tints[Math.floor(x / data.columns)],
      true,
    );
  }
  levelLines(ctx);
}

export function drawVectorscope(ctx: CanvasRenderingContext2D, data: ScopeData): void {
  clear(ctx);
  paintDensity(ctx, data.vectorscope, VECTOR_SIZE, VECTOR_SIZE, () => [170, 255, 190], false);
  const { width, height } = ctx.canvas;
  const toCanvas = (cb: number, cr: number): [number, number] => {
    const [x, y] = vectorBin(cb, cr);
    return [((x + 0.5) / VECTOR_SIZE) * width, ((y + 0.5) / VECTOR_SIZE) * height];
  };
  ctx.strokeStyle = 'rgb(255 255 255 / 0.25)';
  ctx.lineWidth = 1;
  const [cx, cy] = toCanvas(0, 0);
  ctx.beginPath();
  ctx.arc(cx, cy, (0.5 * width * (VECTOR_SIZE - 1)) / VECTOR_SIZE, 0, 2 * Math.PI);
  ctx.stroke();
  // Skin-tone line.
  ctx.strokeStyle = 'rgb(255 190 120 / 0.6)';
  const [sx, sy] = toCanvas(0.5 * Math.cos(SKIN_TONE_ANGLE), 0.5 * Math.sin(SKIN_TONE_ANGLE));
  ctx.beginPath();
  ctx.moveTo(cx, cy);
  ctx.lineTo(sx, sy);
  ctx.stroke();
  // 75% colour targets.
  ctx.strokeStyle = 'rgb(255 255 255 / 0.7)';
  ctx.fillStyle = 'rgb(255 255 255 / 0.7)';
  ctx.font = '9px system-ui, sans-serif';
  for (const t of TARGETS_75) {
    const [x, y] = toCanvas(...chroma(...t.rgb));
    ctx.strokeRect(x - 4, y - 4, 8, 8);
    ctx.fillText(t.name, x + 6, y + 3);
  }
}
