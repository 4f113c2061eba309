/**
 * Yarn (4.9+) resolves `jsr:` through the npm resolvers: `"@std/path": "jsr:^1"` is the npm package
 * `@jsr/std__path` of the `jsr` scope's registry (`npmScopes.jsr`, JSR's own by default), locked as
 * `@std/path@jsr:<version>`. That npm package is what is fetched, so it is the identity every rule
 * judges; the `jsr:` name is how findings show it, as the user declared it.
 */

const JSR_SCOPE = `@jsr/`;

/** The npm package a `jsr:` name is served as (Yarn's `wrapIdentIntoScope(ident, "jsr")`). */
export function jsrPackageName(name: string): string {
  if (!name.startsWith(`@`))
    return `${JSR_SCOPE}${name}`;
  const slash = name.indexOf(`/`);
  return `${JSR_SCOPE}${name.slice(1, slash)}__${name.slice(slash + 1)}`;
}

/** And back (Yarn's `unwrapIdentFromScope`): `@jsr/std__path` is `@std/path`; null outside the `@jsr` scope. */
export function jsrNameOf(packageName: string): string | null {
  if (!packageName.startsWith(JSR_SCOPE))
    return null;
  const name = packageName.slice(JSR_SCOPE.length);
  const separator = name.indexOf(`__`);
  return separator === -1 ? name : `@${name.slice(0, separator)}/${name.slice(separator + 2)}`;
}
