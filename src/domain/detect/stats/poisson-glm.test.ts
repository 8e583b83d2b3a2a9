import { describe, expect, it } from 'vitest';
import { fitPoissonGlm, predictLink, summaryDispersion } from './poisson-glm.ts';

// Dobson (1990), the example of R's ?glm:
//   counts <- c(18,17,15,20,10,20,25,13,12); outcome <- gl(3,1,9); treatment <- gl(3,3)
//   glm(counts ~ outcome + treatment, family = poisson())
// R prints coefficients 3.045, −0.4543, −0.2930, ~0, ~0 with standard errors 0.1709, 0.2022,
// 0.1927, 0.2000, 0.2000, "Residual Deviance: 5.129 on 4 df" and "Number of Fisher Scoring
// iterations: 4". It is the independence model of a 3×3 table, so the MLE is known exactly:
// μ = row total × column total / 150, deviance 5.1291410770011482 (mpmath, 30 digits).
const counts = [18, 17, 15, 20, 10, 20, 25, 13, 12];
const outcome = [0, 1, 2, 0, 1, 2, 0, 1, 2];
const treatment2 = [0, 0, 0, 1, 1, 1, 0, 0, 0];
const treatment3 = [0, 0, 0, 0, 0, 0, 1, 1, 1];
const outcomeTotals = [63, 40, 47];

const dobson = () => fitPoissonGlm(counts, { n: 9, groups: { level: outcome, count: 3 }, columns: [treatment2, treatment3] });

describe('fitPoissonGlm', () => {
  it("reproduces R's Dobson example: fit, deviance, iterations", () => {
    const fit = dobson();
    expect(fit.converged).toBe(true);
    expect(fit.iterations).toBe(4);
    expect(fit.rank).toBe(5);
    expect(fit.dfResidual).toBe(4);
    expect(fit.deviance).toBeCloseTo(5.1291410770011482, 9);
    for (let i = 0; i < 9; i++) expect(fit.fitted[i]).toBeCloseTo((outcomeTotals[outcome[i]!]! * 50) / 150, 8);
    // Cell-means coding: level g is log(r_g · 50 / 150); the treatment effects are log(50/50) = 0.
    expect(fit.coefficients[0]).toBeCloseTo(Math.log(21), 9); // R's (Intercept) 3.045
    expect(fit.coefficients[1]! - fit.coefficients[0]!).toBeCloseTo(Math.log(40 / 63), 9); // outcome2 −0.4543
    expect(fit.coefficients[3]).toBeCloseTo(0, 9);
  });

  it('gives the unscaled covariance of the independence model (R: se 0.1709, 0.2022, 0.2000)', () => {
    const fit = dobson();
    const p = fit.p;
    // var(log r1 + log c1 − log N) = 1/63 + 1/50 − 1/150; var(log c2 − log c1) = 1/50 + 1/50.
    expect(Math.sqrt(fit.covUnscaled[0]!)).toBeCloseTo(Math.sqrt(1 / 63 + 1 / 50 - 1 / 150), 7);
    expect(Math.sqrt(fit.covUnscaled[3 * p + 3]!)).toBeCloseTo(0.2, 7);
    const v01 = fit.covUnscaled[0]! + fit.covUnscaled[p + 1]! - 2 * fit.covUnscaled[1]!;
    expect(Math.sqrt(v01)).toBeCloseTo(Math.sqrt(1 / 63 + 1 / 40), 7);
  });

  it('has hat values summing to the rank, and Pearson residuals as R', () => {
    const fit = dobson();
    expect(fit.hat.reduce((a, b) => a + b, 0)).toBeCloseTo(5, 9);
    for (let i = 0; i < 9; i++) {
      expect(fit.pearsonResiduals[i]).toBeCloseTo((counts[i]! - fit.fitted[i]!) / Math.sqrt(fit.fitted[i]!), 12);
    }
    // quasipoisson's dispersion: Σ Pearson² / df = 1.2933004052684904 at the exact MLE.
    expect(summaryDispersion(fit)).toBeCloseTo(1.2933004052684904, 7);
  });

  it('fits an intercept-only model at log(mean y)', () => {
    const y = [0, 3, 1, 4, 2, 0, 7];
    const fit = fitPoissonGlm(y, { n: 7, groups: { level: new Int32Array(7), count: 1 }, columns: [] });
    expect(fit.coefficients[0]).toBeCloseTo(Math.log(17 / 7), 9);
    // (Σ μ)⁻¹ — to 1e-5 only: like R's qr, the covariance uses the previous iteration's weights.
    expect(fit.covUnscaled[0]).toBeCloseTo(1 / 17, 5);
  });

  it('treats an integer prior weight as repeated rows', () => {
    const x = [1, 2, 3, 4, 5];
    const y = [2, 3, 6, 7, 12];
    const weighted = fitPoissonGlm(y, { n: 5, groups: { level: new Int32Array(5), count: 1 }, columns: [x] }, { weights: [1, 2, 1, 3, 1] });
    const rx = [1, 2, 2, 3, 4, 4, 4, 5];
    const ry = [2, 3, 3, 6, 7, 7, 7, 12];
    const repeated = fitPoissonGlm(ry, { n: 8, groups: { level: new Int32Array(8), count: 1 }, columns: [rx] });
    expect(weighted.coefficients[0]).toBeCloseTo(repeated.coefficients[0]!, 8);
    expect(weighted.coefficients[1]).toBeCloseTo(repeated.coefficients[1]!, 8);
    expect(weighted.deviance).toBeCloseTo(repeated.deviance, 8);
    expect(weighted.dfResidual).toBe(3);
  });

  it('absorbs a constant offset into the intercept', () => {
    const y = [3, 5, 2, 8, 6];
    const x = [0, 1, 2, 3, 4];
    const design = { n: 5, groups: { level: new Int32Array(5), count: 1 }, columns: [x] };
    const plain = fitPoissonGlm(y, design);
    const shifted = fitPoissonGlm(y, design, { offset: new Float64Array(5).fill(Math.log(10)) });
    expect(shifted.coefficients[0]).toBeCloseTo(plain.coefficients[0]! - Math.log(10), 8);
    expect(shifted.coefficients[1]).toBeCloseTo(plain.coefficients[1]!, 8);
    const at = predictLink(shifted, 1, 0, [5], Math.log(10));
    expect(at.eta).toBeCloseTo(predictLink(plain, 1, 0, [5]).eta, 8);
  });

  it('flags a level without rows as aliased, as R does with an empty factor level', () => {
    const fit = fitPoissonGlm([4, 6, 5, 9], { n: 4, groups: { level: [0, 0, 2, 2], count: 3 }, columns: [] });
    expect(Array.from(fit.aliased)).toEqual([0, 1, 0]);
    expect(fit.rank).toBe(2);
    expect(fit.coefficients[1]).toBeNaN();
    expect(fit.coefficients[2]).toBeCloseTo(Math.log(7), 9);
  });

  describe('levels plus one covariate (Farrington\'s shape), solved through the arrow of X\'WX', () => {
    // A zero offset sends the same model down the general path (dense Cholesky): both must agree.
    const general = (y: number[], level: number[], count: number, x: number[]) =>
      fitPoissonGlm(y, { n: y.length, groups: { level, count }, columns: [x] }, { offset: new Float64Array(y.length) });
    const arrow = (y: number[], level: number[], count: number, x: number[]) =>
      fitPoissonGlm(y, { n: y.length, groups: { level, count }, columns: [x] });

    it('gives the dense solver\'s coefficients, covariance, hat values and deviance', () => {
      let seed = 3;
      const next = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
      const n = 120;
      const level = Array.from({ length: n }, (_, i) => (i * 7) % 5);
      const x = Array.from({ length: n }, (_, i) => i - 60.5);
      const y = Array.from({ length: n }, (_, i) => Math.floor(next() * (8 + level[i]! * 3 + i / 20)));
      const a = arrow(y, level, 5, x);
      const g = general(y, level, 5, x);
      expect(a.iterations).toBe(g.iterations);
      expect(a.deviance).toBeCloseTo(g.deviance, 9);
      for (let j = 0; j < 6; j++) expect(a.coefficients[j]).toBeCloseTo(g.coefficients[j]!, 10);
      for (let j = 0; j < 36; j++) expect(Math.abs(a.covUnscaled[j]! - g.covUnscaled[j]!)).toBeLessThanOrEqual(1e-9 * Math.abs(g.covUnscaled[j]!) + 1e-15);
      for (let i = 0; i < n; i++) expect(a.hat[i]).toBeCloseTo(g.hat[i]!, 10);
    });

    it('flags the covariate aliased when it is a combination of the levels, and a level without rows', () => {
      const y = [4, 6, 5, 9, 7, 3];
      const level = [0, 0, 2, 2, 0, 2];
      const byLevel = level.map((l) => (l === 0 ? 1.5 : -2)); // constant within each level
      for (const fit of [arrow(y, level, 3, byLevel), general(y, level, 3, byLevel)]) {
        expect(Array.from(fit.aliased)).toEqual([0, 1, 0, 1]);
        expect(fit.coefficients[0]).toBeCloseTo(Math.log(17 / 3), 9);
        expect(fit.coefficients[3]).toBeNaN();
        expect(fit.covUnscaled[3 * 4 + 3]).toBe(0);
      }
    });
  });

  it('reports non-convergence within maxit', () => {
    const fit = fitPoissonGlm(counts, { n: 9, groups: { level: outcome, count: 3 }, columns: [treatment2, treatment3] }, { maxit: 2 });
    expect(fit.converged).toBe(false);
    expect(fit.iterations).toBe(2);
  });

  it('rejects a negative count, as R\'s "negative values not allowed"', () => {
    expect(() => fitPoissonGlm([1, -1], { n: 2, columns: [[1, 1]] })).toThrow(/y\[1\]/);
  });
});
