// Presents the result to the canvas: a full-screen triangle whose fragments map canvas pixels to
// image pixels (zoom and pan), show `before` left of the split line and `after` right of it, and
// paint a checkerboard where there is no image.

// Image coordinates are the source's pixels; `after` may be larger (super-resolution) and is
// sampled at the same place.
struct View {
  canvasSize: vec2f,
  imageSize: vec2f, // the source (`before`) size
  centre: vec2f,    // image pixel shown at the canvas centre
  zoom: f32,        // canvas pixels per image pixel
  split: f32,       // canvas x of the before/after line; < 0 shows only `after`
}

@group(0) @binding(0) var<uniform> view: View;
@group(0) @binding(1) var linearSampler: sampler;
@group(0) @binding(2) var before: texture_2d<f32>;
@group(0) @binding(3) var after: texture_2d<f32>;

@vertex
fn vs(@builtin(vertex_index) i: u32) -> @builtin(position) vec4f {
  let uv = vec2f(f32((i << 1u) & 2u), f32(i & 2u));
  return vec4f(uv * 2.0 - 1.0, 0.0, 1.0);
}

// Zoomed in (or at 1:1) on the texture's own pixels, show crisp texels; zoomed out, filter.
fn fetch(t: texture_2d<f32>, image: vec2f) -> vec4f {
  let scale = vec2f(textureDimensions(t)) / view.imageSize;
  if (view.zoom >= scale.x) {
    return textureLoad(t, vec2i(floor(image * scale)), 0);
  }
  return textureSampleLevel(t, linearSampler, image / view.imageSize, 0.0);
}

@fragment
fn fs(@builtin(position) frag: vec4f) -> @location(0) vec4f {
  let image = (frag.xy - view.canvasSize * 0.5) / view.zoom + view.centre;
  let checker = select(0.16, 0.2, ((u32(frag.x) / 8u + u32(frag.y) / 8u) & 1u) == 1u);
  if (any(image < vec2f(0.0)) || any(image >= view.imageSize)) {
    return vec4f(vec3f(checker), 1.0);
  }
  if (view.split >= 0.0 && abs(frag.x - view.split) < 1.0) {
    return vec4f(1.0, 1.0, 1.0, 1.0);
  }
  var c: vec4f;
  if (view.split >= 0.0 && frag.x < view.split) {
    c = fetch(before, image);
  } else {
    c = fetch(after, image);
  }
  // Composite transparency over the checkerboard.
  return vec4f(mix(vec3f(checker), c.rgb, c.a), 1.0);
}
