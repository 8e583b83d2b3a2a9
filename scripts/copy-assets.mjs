// Copies what the compiler does not emit (SQL migrations) next to the built code in dist/.
import fs from 'node:fs';

fs.rmSync('dist/store/migrations', { recursive: true, force: true });
fs.cpSync('src/store/migrations', 'dist/store/migrations', { recursive: true });
