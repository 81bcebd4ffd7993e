import {
  BufferTarget,
  EncodedAudioPacketSource,
  EncodedPacket,
  EncodedVideoPacketSource,
  Mp4OutputFormat,
  Output,
  WebMOutputFormat,
} from 'mediabunny';

/**
 * Real containers the app must refuse with a clear message, muxed here with mediabunny: an MP4
 * whose video is HEVC (which this Chromium cannot decode) and a WebM with only an audio track.
 */
export async function hevcMp4(): Promise<Uint8Array> {
  const output = new Output({ format: new Mp4OutputFormat(), target: new BufferTarget() });
  const video = new EncodedVideoPacketSource('hevc');
  output.addVideoTrack(video);
  await output.start();
  for (let i = 0; i < 3; i++) {
    await video.add(
      new EncodedPacket(
        new Uint8Array([0, 0, 0, 1, 0x26, 1, i]),
        i === 0 ? 'key' : 'delta',
        i / 30,
        1 / 30,
      ),
      i === 0
        ? {
            decoderConfig: {
              codec: 'hvc1.1.6.L93.B0',
              codedWidth: 320,
              codedHeight: 240,
              description: new Uint8Array(23),
            },
          }
        : undefined,
    );
  }
  await output.finalize();
  return new Uint8Array((output.target as BufferTarget).buffer!);
}

export async function audioOnlyWebm(): Promise<Uint8Array> {
  const output = new Output({ format: new WebMOutputFormat(), target: new BufferTarget() });
  const audio = new EncodedAudioPacketSource('opus');
  output.addAudioTrack(audio);
  await output.start();
  for (let i = 0; i < 5; i++) {
    await audio.add(
      new EncodedPacket(new Uint8Array([0xfc, 0xff, 0xfe]), 'key', i * 0.02, 0.02),
      i === 0
        ? { decoderConfig: { codec: 'opus', numberOfChannels: 2, sampleRate: 48000 } }
        : undefined,
    );
  }
  await output.finalize();
  return new Uint8Array((output.target as BufferTarget).buffer!);
}
