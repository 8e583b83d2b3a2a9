/**
 * A module as production runs it: the compiled file under dist/ (which `npm run bench` builds
 * first), typed by its source. Why not import src/ directly: the bench runs under tsx, whose
 * transform keeps function names by wrapping every function created at run time in a helper call
 * (`__name`). A fit that makes a few closures per call then runs up to a quarter slower than the
 * same code compiled by tsc, so timing src/ would misstate the product.
 */
export async function production<Module>(sourcePath: string): Promise<Module> {
  const compiled = sourcePath.replace(/^src\//, '').replace(/\.ts$/, '.js');
  return (await import(new URL(`../../dist/${compiled}`, import.meta.url).href)) as Module;
}
