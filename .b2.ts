import { createSeededRandom, seededUuid } from './src/simulator/core/random.js';
import { seedProfiles, makeProfile } from './src/simulator/directory/seed-data.js';
const r = createSeededRandom(1);
let t = performance.now();
for (let i = 0; i < 1e6; i++) makeProfile(r, 'x', i, 'contoso.onmicrosoft.com');
console.log('profile', performance.now() - t); t = performance.now();
const u = seedProfiles(r, 1e6, 1, 'c.com');
console.log('seedProfiles', performance.now() - t); t = performance.now();
