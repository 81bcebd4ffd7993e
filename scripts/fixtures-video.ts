// Writes realshort.mov and realshort.mkv (remuxed from realshort.mp4), then e2e/fixtures/video.json: for each video fixture, what its container says — codec, size,
// frame count, every frame's presentation timestamp, duration, audio track — read from the
// packets (demuxing only, no decoding), so the browser tests can check what WebCodecs decodes
// against it. Run: npx tsx scripts/fixtures-video.ts
import { readFileSync, writeFileSync } from 'node:fs';
import {
  ALL_FORMATS,
  BufferSource,
  BufferTarget,
  Conversion,
  EncodedPacketSink,
  Input,
  MkvOutputFormat,
  MovOutputFormat,
  Output,
} from 'mediabunny';

const DIR = new URL('../e2e/fixtures/', import.meta.url).pathname;
const FILES = ['realshort.mp4', 'oa4_launch.webm', 'realshort.mov', 'realshort.mkv'];

// MOV and MKV copies of realshort.mp4: the same packets in other containers (no re-encoding).
for (const [ext, format] of [
  ['mov', () => new MovOutputFormat()],
  ['mkv', () => new MkvOutputFormat()],
] as const) {
  const input = new Input({
    source: new BufferSource(readFileSync(DIR + 'realshort.mp4')),
    formats: ALL_FORMATS,
  });
  const output = new Output({ format: format(), target: new BufferTarget() });
  await (await Conversion.init({ input, output })).execute();
  writeFileSync(`${DIR}realshort.${ext}`, new Uint8Array((output.target as BufferTarget).buffer!));
}

const manifest: Record<string, unknown> = {};
for (const name of FILES) {
  const input = new Input({
    source: new BufferSource(readFileSync(DIR + name)),
    formats: ALL_FORMATS,
  });
  const track = await input.getPrimaryVideoTrack();
  if (!track) throw new Error(`${name} has no video track`);
  const timestamps: number[] = [];
  for await (const packet of new EncodedPacketSink(track).packets())
    timestamps.push(packet.timestamp);
  timestamps.sort((a, b) => a - b);
  manifest[name] = {
    container: (await input.getFormat()).name,
    codec: track.codec,
    width: track.displayWidth,
    height: track.displayHeight,
    frameCount: timestamps.length,
    duration: await input.computeDuration(),
    audio: (await input.getPrimaryAudioTrack())?.codec ?? null,
    timestamps: timestamps.map((t) => Math.round(t * 1e6) / 1e6),
  };
  input.dispose();
}
writeFileSync(DIR + 'video.json', JSON.stringify(manifest, null, 2) + '\n');
console.log(`wrote ${DIR}video.json`);
