// Makes sure a Chromium for the browser tests exists. As root on Debian/Ubuntu it installs the
// distribution's package (Playwright never downloads a browser here); otherwise it stops at once
// with a one-line instruction.
import { execFileSync } from 'node:child_process';
import { adapterKind, findChromium } from './chromium.mjs';

function hasVulkanIcd() {
  try {
    execFileSync('sh', ['-c', 'ls /usr/share/vulkan/icd.d/lvp_icd*.json'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const packages = [];
if (!findChromium()) packages.push('chromium');
if (adapterKind() === 'lavapipe' && !hasVulkanIcd()) packages.push('mesa-vulkan-drivers');

if (packages.length > 0) {
  const isRoot = process.getuid?.() === 0;
  let hasApt = false;
  try {
    execFileSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' });
    hasApt = true;
  } catch {
    // not Debian-like
  }
  if (!isRoot || !hasApt) {
    console.error(
      `Browser tests need ${packages.join(' and ')}: run "sudo apt-get install -y ${packages.join(' ')}" ` +
        '(or set TRIAD_CHROMIUM=/path/to/chromium).',
    );
    process.exit(1);
  }
  console.log(`Installing ${packages.join(', ')} from Debian's packages…`);
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...packages], {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
}
console.log(`Chromium: ${findChromium()} (adapter: ${adapterKind()})`);
