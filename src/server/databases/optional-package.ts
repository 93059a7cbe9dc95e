/**
 * Loading a database client the host installs only when it uses the store or limiter that needs it: `pg` and `redis`
 * are optional peer dependencies, so importing `vault-connect/server` must work without them. Each caller passes its
 * own `import('…')` with a literal name, so that bundlers see which package it is.
 */

function isModuleNotFound(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND';
}

/**
 * Runs `load` (a dynamic import of `packageName`); when the package is not installed, rejects with a message that says
 * which package to install.
 */
export async function loadOptionalPackage<T>(who: string, packageName: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (error) {
    if (isModuleNotFound(error)) {
      throw new Error(`${who} needs the "${packageName}" package, which is not installed. Install it with: npm install ${packageName}`);
    }
    throw new Error(`${who}: the "${packageName}" package could not be loaded.`, { cause: error });
  }
}
