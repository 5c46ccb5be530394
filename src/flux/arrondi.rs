//! Rounding to whole dwellings: largest remainder with the ties of `domaine.md` (larger
//! quota, then lower id), and the controlled rounding of a réservataire × commune table whose
//! margins must both be exact.

use std::cmp::Ordering;

const EPS: f64 = 1e-9;

/// Splits `total` in proportion to `weights`, by largest remainder: the parts always add up
/// to `total` (unless every weight is zero); ties go to the larger quota, then to the earlier
/// weight (callers list their items by id).
pub fn largest_remainder(total: u64, weights: &[f64]) -> Vec<u64> {
    let sum: f64 = weights.iter().filter(|w| **w > 0.0).sum();
    if total == 0 || sum <= 0.0 {
        return vec![0; weights.len()];
    }
    let exact: Vec<f64> = weights.iter().map(|w| if *w > 0.0 { total as f64 * w / sum } else { 0.0 }).collect();
    let mut parts: Vec<u64> = exact.iter().map(|e| (e + EPS).floor() as u64).collect();
    let given: u64 = parts.iter().sum();
    let mut order: Vec<usize> = (0..weights.len()).filter(|&i| exact[i] > 0.0).collect();
    order.sort_by(|&a, &b| {
        let fa = exact[a] - parts[a] as f64;
        let fb = exact[b] - parts[b] as f64;
        cmp_desc(fa, fb).then(cmp_desc(exact[a], exact[b])).then(a.cmp(&b))
    });
    for &i in order.iter().take(total.saturating_sub(given) as usize) {
        parts[i] += 1;
    }
    parts
}

/// Descending order with a tolerance, so that two equal remainders computed differently tie.
fn cmp_desc(a: f64, b: f64) -> Ordering {
    if (a - b).abs() <= EPS { Ordering::Equal } else { b.partial_cmp(&a).unwrap_or(Ordering::Equal) }
}

/// `round` as the flux rules mean it: half up, never negative.
pub fn round(x: f64) -> u64 {
    (x + EPS).round().max(0.0) as u64
}

/// `⌊x⌋` with a tolerance (0.3 × 95 is 28.499999… in binary).
pub fn floor(x: f64) -> u64 {
    (x + EPS).floor().max(0.0) as u64
}

/// Rounds the real table `x` (rows × columns; a negative value marks a cell that must stay
/// 0) to whole numbers whose rows add up to `rows` and columns to `cols` exactly (both sum to
/// the same total). Each cell is the floor or the ceiling of the fitted table when that is
/// possible (controlled rounding: a small max-flow over the floors), else as close as the
/// margins allow.
pub fn controlled(x: &[Vec<f64>], rows: &[u64], cols: &[u64]) -> Vec<Vec<u64>> {
    let (nr, nc) = (rows.len(), cols.len());
    let allowed: Vec<Vec<bool>> = x.iter().map(|r| r.iter().map(|v| *v >= 0.0).collect()).collect();
    // Fit the table to both margins (iterative proportional fitting).
    let mut t: Vec<Vec<f64>> = x.iter().map(|r| r.iter().map(|v| v.max(0.0)).collect()).collect();
    for _ in 0..50 {
        for (i, row) in t.iter_mut().enumerate() {
            let s: f64 = row.iter().sum();
            if s > 0.0 {
                let k = rows[i] as f64 / s;
                row.iter_mut().for_each(|v| *v *= k);
            }
        }
        let mut worst = 0.0f64;
        for j in 0..nc {
            let s: f64 = t.iter().map(|r| r[j]).sum();
            if s > 0.0 {
                let k = cols[j] as f64 / s;
                t.iter_mut().for_each(|r| r[j] *= k);
            }
            worst = worst.max((s - cols[j] as f64).abs());
        }
        if worst < 1e-7 {
            break;
        }
    }
    let mut out: Vec<Vec<u64>> = t.iter().map(|r| r.iter().map(|v| floor(*v)).collect()).collect();
    // Floors may exceed a margin only through fitting errors: take the excess back.
    for i in 0..nr {
        let mut s: u64 = out[i].iter().sum();
        for j in (0..nc).rev() {
            while s > rows[i] && out[i][j] > 0 {
                out[i][j] -= 1;
                s -= 1;
            }
        }
    }
    for j in 0..nc {
        let mut s: u64 = out.iter().map(|r| r[j]).sum();
        for row in out.iter_mut().rev() {
            while s > cols[j] && row[j] > 0 {
                row[j] -= 1;
                s -= 1;
            }
        }
    }
    // First a unit more on fractional cells only; then on any allowed cell.
    for pass in 0..2 {
        let cap: Vec<Vec<u64>> = (0..nr)
            .map(|i| {
                (0..nc)
                    .map(|j| {
                        if !allowed[i][j] {
                            0
                        } else if pass == 0 {
                            u64::from(t[i][j] - out[i][j] as f64 > EPS)
                        } else {
                            u64::MAX / 4
                        }
                    })
                    .collect()
            })
            .collect();
        augment(&mut out, &cap, rows, cols, pass == 1);
    }
    out
}

/// Adds units to `out` (at most `cap` per cell beyond its value when the pass began) along
/// augmenting paths until rows and columns reach their margins or no path remains. A path
/// may take a unit back from a cell this pass added to, or from any cell when `reduce_any`.
fn augment(out: &mut [Vec<u64>], cap: &[Vec<u64>], rows: &[u64], cols: &[u64], reduce_any: bool) {
    let (nr, nc) = (rows.len(), cols.len());
    let mut added = vec![vec![0i64; nc]; nr];
    loop {
        let row_need: Vec<u64> = (0..nr).map(|i| rows[i].saturating_sub(out[i].iter().sum())).collect();
        let col_need: Vec<u64> = (0..nc).map(|j| cols[j].saturating_sub(out.iter().map(|r| r[j]).sum())).collect();
        if row_need.iter().all(|n| *n == 0) {
            return;
        }
        // Breadth-first search from rows in need: row → column over a cell with capacity
        // left; column → row back over a cell this pass added to.
        let mut prev_col: Vec<Option<usize>> = vec![None; nc]; // row that reached the column
        let mut prev_row: Vec<Option<usize>> = vec![None; nr]; // column that reached the row
        let mut seen_row = vec![false; nr];
        let mut queue: std::collections::VecDeque<usize> = (0..nr).filter(|&i| row_need[i] > 0).collect();
        queue.iter().for_each(|&i| seen_row[i] = true);
        let mut end = None;
        'bfs: while let Some(i) = queue.pop_front() {
            for j in 0..nc {
                if prev_col[j].is_none() && added[i][j] < cap[i][j].min(i64::MAX as u64) as i64 {
                    prev_col[j] = Some(i);
                    if col_need[j] > 0 {
                        end = Some(j);
                        break 'bfs;
                    }
                    for (k, seen) in seen_row.iter_mut().enumerate() {
                        if !*seen && (added[k][j] > 0 || (reduce_any && out[k][j] > 0)) {
                            *seen = true;
                            prev_row[k] = Some(j);
                            queue.push_back(k);
                        }
                    }
                }
            }
        }
        let Some(mut j) = end else { return };
        loop {
            let i = prev_col[j].expect("path");
            out[i][j] += 1;
            added[i][j] += 1;
            match prev_row[i] {
                Some(j2) => {
                    out[i][j2] -= 1;
                    added[i][j2] -= 1;
                    j = j2;
                }
                None => break,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn largest_remainder_sums_to_the_total_and_breaks_ties_by_quota_then_order() {
        assert_eq!(largest_remainder(10, &[1.0, 1.0, 1.0]), vec![4, 3, 3]);
        assert_eq!(largest_remainder(0, &[1.0, 2.0]), vec![0, 0]);
        assert_eq!(largest_remainder(7, &[0.0, 0.0]), vec![0, 0]);
        // Equal remainders (0.5 each): the larger quota wins.
        assert_eq!(largest_remainder(4, &[1.0, 3.0, 4.0]), vec![0, 2, 2]);
        assert_eq!(largest_remainder(3, &[1.0, 1.0]), vec![2, 1]);
        for total in [1u64, 17, 268, 999] {
            let w = [0.3, 0.1234, 0.0, 0.5766, 0.07];
            let p = largest_remainder(total, &w);
            assert_eq!(p.iter().sum::<u64>(), total);
            assert_eq!(p[2], 0);
        }
    }

    #[test]
    fn floors_and_rounds_with_binary_noise() {
        assert_eq!(floor(0.3 * 95.0), 28);
        assert_eq!(floor(0.3 * 57.0), 17);
        assert_eq!(floor(0.3 * 10.0), 3);
        assert_eq!(round(0.3 * 95.0), 29);
    }

    #[test]
    fn controlled_rounding_keeps_both_margins_and_stays_within_one() {
        let x = vec![vec![2.4, 3.3, 1.3], vec![1.6, 0.7, -1.0], vec![1.0, 1.0, 1.7]];
        let rows = [7, 2, 4];
        let cols = [5, 5, 3];
        let out = controlled(&x, &rows, &cols);
        for (i, r) in out.iter().enumerate() {
            assert_eq!(r.iter().sum::<u64>(), rows[i]);
        }
        for j in 0..3 {
            assert_eq!(out.iter().map(|r| r[j]).sum::<u64>(), cols[j]);
        }
        assert_eq!(out[1][2], 0, "a forbidden cell stays empty");
        for i in 0..3 {
            for j in 0..3 {
                assert!((out[i][j] as f64 - x[i][j].max(0.0)).abs() < 1.0 + 1e-9, "{out:?}");
            }
        }
    }

    #[test]
    fn controlled_rounding_reroutes_when_floors_block() {
        // Row 0 may only use column 0: the other row has to give way there.
        let x = vec![vec![1.5, -1.0], vec![0.5, 1.0]];
        let out = controlled(&x, &[2, 1], &[2, 1]);
        assert_eq!(out, vec![vec![2, 0], vec![0, 1]]);
    }
}
