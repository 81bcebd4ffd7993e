// Copies an imported video frame (texture_external: the browser's zero-copy view of a decoded
// frame, converted to RGB on sampling) into the engine's source texture.
@group(0) @binding(0) var output: texture_storage_2d<rgba8unorm, write>;
@group(0) @binding(1) var source: texture_external;

@compute @workgroup_size(8, 8)
fn main(@builtin(global_invocation_id) id: vec3u) {
  let size = textureDimensions(output);
  if (id.x >= size.x || id.y >= size.y) { return; }
  textureStore(output, id.xy, vec4f(textureLoad(source, vec2u(id.xy)).rgb, 1.0));
}
