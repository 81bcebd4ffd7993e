import { describe, expect, it } from 'vitest';
import { ProtocolError, decodeResponse, encodeRequest, type Tensor } from './codec';

const enc = new TextEncoder();

/** A response body as an endpoint would send it: JSON header, then binary outputs in order. */
function binaryResponse(outputs: Tensor[], requestBody: Uint8Array, headerLength: number) {
  // Echo the request's inputs back as outputs (what an identity model answers).
  const json = JSON.parse(new TextDecoder().decode(requestBody.subarray(0, headerLength)));
  const header = enc.encode(
    JSON.stringify({
      model_name: 'identity',
      outputs: json.inputs.map(
        (i: {
          name: string;
          datatype: string;
          shape: number[];
          parameters: { binary_data_size: number };
        }) => ({
          name: i.name,
          datatype: i.datatype,
          shape: i.shape,
          parameters: { binary_data_size: i.parameters.binary_data_size },
        }),
      ),
    }),
  );
  const body = new Uint8Array(header.byteLength + requestBody.byteLength - headerLength);
  body.set(header);
  body.set(requestBody.subarray(headerLength), header.byteLength);
  return { body, headerLength: header.byteLength, outputs };
}

const tensors: Tensor[] = [
  {
    name: 'f32',
    datatype: 'FP32',
    shape: [2, 3],
    data: Float32Array.from([0, 1.5, -2, 3e8, 1e-7, 42]),
  },
  { name: 'u8', datatype: 'UINT8', shape: [4], data: Uint8Array.from([0, 1, 128, 255]) },
  { name: 'f16', datatype: 'FP16', shape: [3], data: Uint16Array.from([0x3c00, 0xc000, 0x7bff]) },
  {
    name: 'bytes',
    datatype: 'BYTES',
    shape: [3],
    data: [enc.encode('hello'), new Uint8Array(0), enc.encode('ünïcødé')],
  },
];

describe('OIP v2 codec', () => {
  it('round-trips FP32, UINT8, FP16 and BYTES through the binary extension', () => {
    const request = encodeRequest(tensors, { binary: true, id: 'r1' });
    const headerLength = Number(request.headers['Inference-Header-Content-Length']);
    const header = JSON.parse(new TextDecoder().decode(request.body.subarray(0, headerLength)));
    expect(header.id).toBe('r1');
    expect(header.parameters).toEqual({ binary_data_output: true });
    expect(header.inputs.map((i: { parameters: unknown }) => i.parameters)).toEqual([
      { binary_data_size: 24 },
      { binary_data_size: 4 },
      { binary_data_size: 6 },
      { binary_data_size: 4 + 5 + 4 + 0 + 4 + enc.encode('ünïcødé').byteLength },
    ]);
    const response = binaryResponse(tensors, request.body, headerLength);
    const decoded = decodeResponse(response.body, response.headerLength);
    expect(decoded.outputs).toEqual(tensors);
  });

  it('round-trips through JSON too', () => {
    const jsonOnly = tensors.filter((t) => t.datatype !== 'FP16');
    const request = encodeRequest(jsonOnly, { binary: false });
    expect(request.headers['Inference-Header-Content-Length']).toBeUndefined();
    const body = JSON.parse(new TextDecoder().decode(request.body));
    const response = enc.encode(JSON.stringify({ model_name: 'identity', outputs: body.inputs }));
    const decoded = decodeResponse(response, null);
    expect(decoded.outputs.map((o) => o.name)).toEqual(['f32', 'u8', 'bytes']);
    expect(Array.from(decoded.outputs[0].data as Float32Array)).toEqual(
      Array.from(jsonOnly[0].data as Float32Array),
    );
    expect(decoded.outputs[2].data).toEqual(jsonOnly[2].data);
  });

  it('refuses a response that is cut short, lies about its sizes or is not JSON', () => {
    const request = encodeRequest([tensors[0]], { binary: true });
    const headerLength = Number(request.headers['Inference-Header-Content-Length']);
    const { body, headerLength: h } = binaryResponse([tensors[0]], request.body, headerLength);
    expect(() => decodeResponse(body.subarray(0, body.byteLength - 1), h)).toThrow(ProtocolError);
    expect(() => decodeResponse(body, body.byteLength + 1)).toThrow(/claims/);
    expect(() => decodeResponse(enc.encode('{nope'), null)).toThrow(/not valid JSON/);
    expect(() => decodeResponse(enc.encode('{"outputs": 3}'), null)).toThrow(/no outputs/);
    const bytes = encodeRequest([tensors[3]], { binary: true });
    const bh = Number(bytes.headers['Inference-Header-Content-Length']);
    const bad = binaryResponse([tensors[3]], bytes.body, bh);
    expect(() =>
      decodeResponse(bad.body.subarray(0, bad.body.byteLength - 2), bad.headerLength),
    ).toThrow();
  });
});
