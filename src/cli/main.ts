// The CLI's entry point (bin/tocsin.js loads the built copy of this file).
import { main } from './program.ts';

await main(process.argv);
