/** What "New effect…" starts from: a working effect that shows every kind of parameter. */
export const CUSTOM_TEMPLATE = `/*{
  "name": "My effect",
  "description": "A warm glow around a point. Change anything: it recompiles as you type.",
  "params": {
    "amount": { "type": "number", "min": 0, "max": 1, "default": 0.6, "label": "Amount" },
    "tint": { "type": "colour", "default": "#ff9040", "label": "Tint" },
    "centre": { "type": "point", "default": [0.5, 0.5], "label": "Centre" },
    "invert": { "type": "bool", "default": false, "label": "Invert" }
  }
}*/

// One member per parameter, with the header's names: number f32, colour vec3f, point vec2f,
// bool u32. A member "frame: f32" gets the frame's number (for animation).
struct Params {
  amount: f32,
  invert: u32,
  centre: vec2f,
  tint: vec3f,
  frame: f32,
}

// One pixel: \`colour\` is its RGBA (0–1), \`at\` its position in pixels, \`size\` the frame's size.
// The whole frame is \`input\`: textureLoad(input, vec2u(p), 0), or bilinear(input, p).
fn effect(colour: vec4f, at: vec2f, size: vec2f) -> vec4f {
  let d = distance(at / size, params.centre);
  let glow = params.amount * (1.0 - smoothstep(0.0, 0.6, d));
  var rgb = mix(colour.rgb, colour.rgb * params.tint * 2.0, glow);
  if (params.invert == 1u) {
    rgb = 1.0 - rgb;
  }
  return vec4f(rgb, colour.a);
}
`;
