// Halftone: each ink (black alone, or cyan, magenta, yellow and black) is printed as dots on a
// screen of its own angle; a dot's area follows the ink at its centre (sampled bilinearly there).
// A pixel's cover is the largest of its four nearest dots' (anti-aliased over one pixel), so it
// changes smoothly across cell edges.

struct Params {
  size: f32,
  cmyk: f32,
  _pad: vec2f,
  // Each ink's screen angle as (cos, sin), computed on the CPU: software GPUs' sin and cos are
  // approximations, a 1e-4 error is 0.05 px at x = 500, which moved dot edges by 3 levels.
  screens: array<vec4f, 2>,
}

@group(0) @binding(2) var input: texture_2d<f32>;

fn inks(rgb: vec3f) -> vec4f {
  if (params.cmyk < 0.5) {
    return vec4f(0.0, 0.0, 0.0, 1.0 - dot(rgb, vec3f(0.2126, 0.7152, 0.0722)));
  }
  let k = 1.0 - max(rgb.r, max(rgb.g, rgb.b));
  let w = 1.0 - k;
  var cmy = vec3f(0.0);
  if (w > 1e-6) { cmy = (vec3f(w) - rgb) / w; }
  return vec4f(cmy, k);
}

const TOUCH = 0.78539816; // π/4: round dots touch their neighbours

// As defs/halftone.ts `dotRadius`: area follows the ink until the dots touch, then the dot grows
// to reach the cell's corners (with its anti-aliased edge) at full ink.
fn dotRadius(ink: f32) -> f32 {
  let i = clamp(ink, 0.0, 1.0);
  if (i <= TOUCH) { return params.size * sqrt(i / 3.14159265); }
  return params.size * 0.5 + (i - TOUCH) / (1.0 - TOUCH) * (params.size * (0.70710678 - 0.5) + 0.5);
}

@compute @workgroup_size(WG_X, WG_Y)
fn main(@builtin(global_invocation_id) id: vec3u) {
  if (outside(id)) { return; }
  let p = vec2f(id.xy) + 0.5;
  var cover = vec4f(0.0);
  let first = select(3u, 0u, params.cmyk > 0.5);
  for (var c = first; c < 4u; c++) {
    let screen = params.screens[c / 2u];
    let cs = select(screen.x, screen.z, (c & 1u) == 1u);
    let sn = select(screen.y, screen.w, (c & 1u) == 1u);
    let q = vec2f(p.x * cs + p.y * sn, -p.x * sn + p.y * cs);
    let cell0 = floor(q / params.size - 0.5);
    var best = 0.0;
    for (var j = 0; j < 2; j++) {
      for (var i = 0; i < 2; i++) {
        let centre = (cell0 + vec2f(f32(i), f32(j)) + 0.5) * params.size;
        let at = vec2f(centre.x * cs - centre.y * sn, centre.x * sn + centre.y * cs);
        let radius = dotRadius(inks(bilinear(input, at).rgb)[c]);
        let edge = clamp(radius - length(q - centre) + 0.5, 0.0, 1.0);
        best = max(best, edge * clamp(2.0 * radius, 0.0, 1.0));
      }
    }
    cover[c] = best;
  }
  let k = 1.0 - cover.w;
  var rgb = vec3f(k);
  if (params.cmyk > 0.5) { rgb = (vec3f(1.0) - cover.xyz) * k; }
  textureStore(output, id.xy, vec4f(rgb, textureLoad(input, id.xy, 0).a));
}
