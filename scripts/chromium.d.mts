export function findChromium(): string | null;
export function adapterKind(): 'lavapipe' | 'swiftshader' | 'hardware';
export function chromiumArgs(kind?: 'lavapipe' | 'swiftshader' | 'hardware'): string[];
export function appQuery(kind?: 'lavapipe' | 'swiftshader' | 'hardware'): string;
