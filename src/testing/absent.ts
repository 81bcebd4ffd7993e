import type { installTestApi as install } from './install';

/**
 * What `#test-api` resolves to in the production build: nothing is installed, and no test code
 * is bundled (`npm run check:dist` holds the built files to that).
 */
export const installTestApi: typeof install = () => {};
