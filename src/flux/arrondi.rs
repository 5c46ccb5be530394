//! Rounding to whole dwellings: largest remainder with the ties of `domaine.md` (larger
//! quota, then lower id), and the controlled rounding of a réservataire × commune table
//! (grouped by EPCI for a département) whose margins must all be exact.
//!
//! The controlled rounding is a feasible flow with lower and upper bounds (Hoffman): source →
//! réservataire (its total: imposed, or the floor or ceiling of its quota) → réservataire ×
//! EPCI (floor or ceiling of its quota) → commune, over one edge per cell bounded by the floor
//! and the ceiling of the cell's quota → sink (the commune's flux, exact). The quotas
//! themselves are a real feasible flow, so an integer one exists (the bounds are integers):
//! every cell is the floor or the ceiling of its quota, every subtotal too, and the columns and
//! the total are exact — always. Among these roundings, the one closest to the quotas: a
//! minimum-cost flow (successive shortest paths), each edge costing what a unit more changes
//! its distance to its quota, in the order of `TOTAUX`: the réservataires' totals at the
//! largest-remainder totals the rules ask for whenever these are feasible, then Σ |x − quota|
//! (the State's rows first), then the ties of `domaine.md`.

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

/// The floor and the ceiling of a quota; both the same integer when the quota is one (up to
/// the binary noise of the products that made it). A negative quota: a cell that stays 0.
pub fn bornes(x: f64) -> (u64, u64) {
    if x.is_nan() || x <= 0.0 {
        return (0, 0);
    }
    let r = x.round();
    if (x - r).abs() <= 1e-7 {
        return (r as u64, r as u64);
    }
    (x.floor() as u64, x.ceil() as u64)
}

/// The total of a row of a controlled rounding.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Total {
    /// Imposed (the State's, computed first in whole dwellings).
    Exact(u64),
    /// The floor or the ceiling of the row's quota, this one when the margins allow it.
    Prefere(u64),
    /// As [`Total::Prefere`], for the bailleur's own stock (non réservé): its cells give way to
    /// the réservataires' — the bailleur keeps the remainder (domaine.md), so a réservataire's
    /// cell is never pushed away from its quota to bring the non réservé closer to its own.
    Reste(u64),
}

/// A row of a controlled rounding: its cells grouped (by EPCI), each `(column, quota)`; a
/// column absent from every group is a cell that stays 0.
#[derive(Debug, Clone, PartialEq)]
pub struct Ligne {
    pub groupes: Vec<Vec<(usize, f64)>>,
    pub total: Total,
}

impl Ligne {
    pub fn quota(&self) -> f64 {
        self.groupes.iter().flatten().map(|(_, q)| q.max(0.0)).sum()
    }
}

/// Rounds the rows to whole numbers, every cell, every group and every free row total the
/// floor or the ceiling of its quota, the columns exact (see the module). Returns, for each
/// row, each group, the value of each cell in the order given.
///
/// The columns must be what the quotas add up to in each column (integers); should they not
/// be (a caller's error), the bounds are relaxed step by step — groups, then cells, then free
/// rows — so that the margins stay exact whatever happens.
pub fn controle(lignes: &[Ligne], colonnes: &[u64]) -> Vec<Vec<Vec<u64>>> {
    for relache in 0..4 {
        if let Some(out) = essai(lignes, colonnes, relache) {
            return out;
        }
    }
    // Nothing fits (a column no row may take): the floors, never a panic.
    lignes.iter().map(|l| l.groupes.iter().map(|g| g.iter().map(|(_, q)| bornes(*q).0).collect()).collect()).collect()
}

/// The controlled rounding with every bound kept (cells, groups, free rows), or `None` when no
/// rounding meets them all — for callers whose columns are not the sums of the quotas (the
/// State's cells split between prioritaires and fonctionnaires) and who have a fallback.
pub fn controle_strict(lignes: &[Ligne], colonnes: &[u64]) -> Option<Vec<Vec<Vec<u64>>>> {
    essai(lignes, colonnes, 0)
}

const INF: i64 = i64::MAX / 4;

/// The levels of the cost of a rounding, compared in this order.
/// 1. The free rows' totals off their preferred (largest-remainder) totals.
/// 2. The imposed rows ("the State first"): Σ |x − quota| over their groups, then over their
///    cells.
/// 3. The other rows: Σ |x − quota| over their groups, then over their cells. Groups before
///    cells: a group is a réservataire's figure in one EPCI, the one that EPCI's annex and
///    convention print; its communes are that figure's breakdown.
/// 4. The non réservé ([`Total::Reste`]): its groups, then its cells — it takes what is left.
/// 5. Ties (roundings equally close): the order of `domaine.md`, in each row the units on the
///    larger quotas, then on the lower column; between rows, the earlier row (the State's, then
///    by id; in the State's own table its agents, the prioritaires taking the rest, rule 1)
///    first: a unit costs its rank in its row times the number of rows after it, plus one.
///    The same table from every caller, every time.
const TOTAUX: usize = 0;
const IMPOSEES_GROUPES: usize = 1;
const IMPOSEES_CELLULES: usize = 2;
const GROUPES: usize = 3;
const CELLULES: usize = 4;
const RESTE_GROUPES: usize = 5;
const RESTE_CELLULES: usize = 6;
const EGALITES: usize = 7;
const NIVEAUX: usize = EGALITES + 1;

/// A distance |x − quota| counted in millionths of a dwelling: integers, so that two remainders
/// equal up to the binary noise of the products that made them tie exactly.
const MILLIONIEMES: f64 = 1e6;

/// A cost, compared level by level (an ordered group: shortest paths work on it as on numbers).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
struct Cout([i64; NIVEAUX]);

impl Cout {
    fn au_niveau(niveau: usize, v: i64) -> Self {
        let mut c = [0; NIVEAUX];
        c[niveau] = v;
        Cout(c)
    }
}

impl std::ops::Add for Cout {
    type Output = Cout;
    fn add(mut self, o: Cout) -> Cout {
        self.0.iter_mut().zip(o.0).for_each(|(a, b)| *a += b);
        self
    }
}

impl std::ops::Neg for Cout {
    type Output = Cout;
    fn neg(mut self) -> Cout {
        self.0.iter_mut().for_each(|a| *a = -*a);
        self
    }
}

impl std::ops::Sub for Cout {
    type Output = Cout;
    fn sub(self, o: Cout) -> Cout {
        self + -o
    }
}

/// A flow network with costs: arcs in pairs (`e` forward, `e ^ 1` backward), residual
/// capacities.
struct Reseau {
    to: Vec<usize>,
    cap: Vec<i64>,
    cout: Vec<Cout>,
    adj: Vec<Vec<usize>>,
}

impl Reseau {
    fn new(n: usize) -> Self {
        Reseau { to: vec![], cap: vec![], cout: vec![], adj: vec![vec![]; n] }
    }

    fn arc(&mut self, u: usize, v: usize, cap: i64, cout: Cout) -> usize {
        let e = self.to.len();
        for (de, vers, c, k) in [(u, v, cap, cout), (v, u, 0, -cout)] {
            self.to.push(vers);
            self.cap.push(c);
            self.cout.push(k);
            self.adj[de].push(self.to.len() - 1);
        }
        e
    }

    /// The flow on a forward arc (the residual of its backward arc).
    fn flot(&self, e: usize) -> i64 {
        self.cap[e ^ 1]
    }

    /// Successive shortest paths from `s` to `t` (Dijkstra on costs reduced by potentials:
    /// every residual arc costs ≥ 0 at the start): the maximum flow of minimum cost. Returns its
    /// value.
    fn flot_de_cout_minimal(&mut self, s: usize, t: usize) -> i64 {
        use std::cmp::Reverse;
        let n = self.adj.len();
        let mut potentiel = vec![Cout::default(); n];
        let mut total = 0;
        loop {
            let mut dist: Vec<Option<Cout>> = vec![None; n];
            let mut par = vec![usize::MAX; n];
            let mut tas = std::collections::BinaryHeap::from([Reverse((Cout::default(), s))]);
            dist[s] = Some(Cout::default());
            while let Some(Reverse((d, u))) = tas.pop() {
                if dist[u] != Some(d) {
                    continue;
                }
                for &e in &self.adj[u] {
                    let v = self.to[e];
                    if self.cap[e] <= 0 {
                        continue;
                    }
                    let nd = d + self.cout[e] + potentiel[u] - potentiel[v];
                    if dist[v].is_none_or(|x| nd < x) {
                        dist[v] = Some(nd);
                        par[v] = e;
                        tas.push(Reverse((nd, v)));
                    }
                }
            }
            if dist[t].is_none() {
                return total;
            }
            for (p, d) in potentiel.iter_mut().zip(&dist) {
                if let Some(d) = d {
                    *p = *p + *d;
                }
            }
            let mut chemin = vec![];
            let mut x = t;
            while x != s {
                chemin.push(par[x]);
                x = self.to[par[x] ^ 1];
            }
            let k = chemin.iter().map(|&e| self.cap[e]).min().unwrap_or(0);
            for &e in &chemin {
                self.cap[e] -= k;
                self.cap[e ^ 1] += k;
            }
            total += k;
        }
    }
}

/// An edge of the table bounded by `[lo, hi]` (`hi` `None`: unbounded) whose value x costs a
/// convex function: `dehors` a unit under `a` or over `b`, `milieu` the unit from `a` to `b`
/// (`b` is `a` or `a + 1`).
struct Bornee {
    lo: u64,
    hi: Option<u64>,
    a: u64,
    b: u64,
    milieu: Cout,
    dehors: Cout,
}

impl Bornee {
    /// A value meant to be `n`.
    fn vers(lo: u64, hi: Option<u64>, n: u64, niveau: usize) -> Self {
        Bornee { lo, hi, a: n, b: n, milieu: Cout::default(), dehors: Cout::au_niveau(niveau, 1) }
    }

    /// A value meant to round `q`: from its floor to its ceiling, |x − q| changes by 1 − 2r (r
    /// its remainder); `rang`, its place in the order of the ties.
    fn autour(lo: u64, hi: Option<u64>, q: f64, niveau: usize, rang: usize) -> Self {
        let (a, b) = bornes(q);
        let entier = MILLIONIEMES as i64;
        // Strictly inside (−1, 1) dwelling, so the cost stays convex.
        let pente = (((1.0 - 2.0 * (q - a as f64)) * MILLIONIEMES).round() as i64).clamp(1 - entier, entier - 1);
        Bornee {
            lo,
            hi,
            a,
            b,
            milieu: Cout::au_niveau(niveau, pente) + Cout::au_niveau(EGALITES, rang as i64),
            dehors: Cout::au_niveau(niveau, entier),
        }
    }

    /// Adds the edge to the network, one arc per piece of its cost, those that cost less than
    /// nothing already full (the others empty); returns them: the edge's value is `lo` plus
    /// their flows.
    fn ajouter(&self, net: &mut Reseau, exces: &mut [i64], u: usize, v: usize) -> Vec<usize> {
        let (lo, hi) = (self.lo as i64, self.hi.map_or(INF, |h| h as i64));
        let (a, b) = (self.a as i64, self.b as i64);
        let mut base = lo;
        let mut arcs = vec![];
        for (de, jusqu_a, k) in [(i64::MIN, a, -self.dehors), (a, b, self.milieu), (b, INF, self.dehors)] {
            let (x, y) = (de.max(lo), jusqu_a.min(hi));
            if y <= x {
                continue;
            }
            let cap = if y >= INF { INF } else { y - x };
            let e = net.arc(u, v, cap, k);
            if k < Cout::default() {
                net.cap[e] = 0;
                net.cap[e ^ 1] = cap;
                base += cap;
            }
            arcs.push(e);
        }
        exces[v] += base;
        exces[u] -= base;
        arcs
    }
}

/// The cost of a unit on each item of a row in the order of the ties (see `TOTAUX`): its rank by
/// larger quota (to the millionth), then by place, times `poids`.
fn rangs(quotas: &[f64], poids: usize) -> Vec<usize> {
    let mut ordre: Vec<usize> = (0..quotas.len()).collect();
    ordre.sort_by_key(|&k| (-(quotas[k] * MILLIONIEMES).round() as i64, k));
    let mut rang = vec![0; quotas.len()];
    for (r, k) in ordre.into_iter().enumerate() {
        rang[k] = r * poids;
    }
    rang
}

/// A cell of the table: its lower bound and its arcs (`None`: a cell that stays 0).
type Cellule = Option<(u64, Vec<usize>)>;

/// One try: `relache` 0 keeps every bound; 1 drops the groups'; 2 the cells' too; 3 the free
/// rows' too. The rounding of minimum cost (see `TOTAUX`) among those meeting the bounds, or
/// `None` when none does.
fn essai(lignes: &[Ligne], colonnes: &[u64], relache: u8) -> Option<Vec<Vec<Vec<u64>>>> {
    // Nodes: s, t, rows, groups, columns, then the super source and sink of the bounds.
    let (s, t) = (0, 1);
    let premiere_ligne = 2;
    let premier_groupe = premiere_ligne + lignes.len();
    let n_groupes: usize = lignes.iter().map(|l| l.groupes.len()).sum();
    let premiere_colonne = premier_groupe + n_groupes;
    let (ss, tt) = (premiere_colonne + colonnes.len(), premiere_colonne + colonnes.len() + 1);
    let mut net = Reseau::new(tt + 1);
    let mut exces = vec![0i64; tt + 1];
    let positif = |q: f64| q.max(0.0);
    let mut g = premier_groupe;
    let mut cellules: Vec<Vec<Vec<Cellule>>> = vec![];
    for (i, l) in lignes.iter().enumerate() {
        let r = premiere_ligne + i;
        let (niveau_g, niveau_c) = match l.total {
            Total::Exact(_) => (IMPOSEES_GROUPES, IMPOSEES_CELLULES),
            Total::Prefere(_) => (GROUPES, CELLULES),
            Total::Reste(_) => (RESTE_GROUPES, RESTE_CELLULES),
        };
        let poids = lignes.len() - i;
        let q_g: Vec<f64> = l.groupes.iter().map(|g| g.iter().map(|(_, q)| positif(*q)).sum()).collect();
        let rang_g = rangs(&q_g, poids);
        let mut places: Vec<(usize, f64)> = l.groupes.iter().flatten().copied().collect();
        places.sort_by_key(|(j, _)| *j);
        let rang_c = rangs(&places.iter().map(|(_, q)| *q).collect::<Vec<_>>(), poids);
        let rang_c = |j: usize| rang_c[places.partition_point(|(k, _)| *k < j)];
        let total = match l.total {
            Total::Exact(n) => Bornee::vers(n, Some(n), n, TOTAUX),
            Total::Prefere(n) | Total::Reste(n) if relache >= 3 => Bornee::vers(0, None, n, TOTAUX),
            Total::Prefere(n) | Total::Reste(n) => {
                let (a, b) = bornes(l.quota());
                Bornee::vers(a, Some(b), n, TOTAUX)
            }
        };
        total.ajouter(&mut net, &mut exces, s, r);
        let mut groupes = vec![];
        for (k, groupe) in l.groupes.iter().enumerate() {
            let q = q_g[k];
            let (lo, hi) = if relache >= 1 { (0, None) } else { (bornes(q).0, Some(bornes(q).1)) };
            Bornee::autour(lo, hi, q, niveau_g, rang_g[k]).ajouter(&mut net, &mut exces, r, g);
            let mut c = vec![];
            for &(j, q) in groupe {
                if q < 0.0 {
                    c.push(None);
                    continue;
                }
                let (lo, hi) = if relache >= 2 { (0, None) } else { (bornes(q).0, Some(bornes(q).1)) };
                let b = Bornee::autour(lo, hi, q, niveau_c, rang_c(j));
                c.push(Some((lo, b.ajouter(&mut net, &mut exces, g, premiere_colonne + j))));
            }
            groupes.push(c);
            g += 1;
        }
        cellules.push(groupes);
    }
    for (j, n) in colonnes.iter().enumerate() {
        Bornee::vers(*n, Some(*n), *n, TOTAUX).ajouter(&mut net, &mut exces, premiere_colonne + j, t);
    }
    net.arc(t, s, INF, Cout::default());
    let mut besoin = 0;
    for (v, x) in exces.iter().enumerate() {
        match x.cmp(&0) {
            Ordering::Greater => {
                net.arc(ss, v, *x, Cout::default());
                besoin += x;
            }
            Ordering::Less => {
                net.arc(v, tt, -x, Cout::default());
            }
            Ordering::Equal => {}
        }
    }
    if net.flot_de_cout_minimal(ss, tt) < besoin {
        return None;
    }
    let valeur = |c: &Cellule| match c {
        Some((lo, arcs)) => lo + arcs.iter().map(|&e| net.flot(e) as u64).sum::<u64>(),
        None => 0,
    };
    Some(cellules.iter().map(|groupes| groupes.iter().map(|c| c.iter().map(valeur).collect()).collect()).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hasard::Rng;

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
        assert_eq!(bornes(0.3 * 10.0), (3, 3));
        assert_eq!(bornes(3.91), (3, 4));
        assert_eq!(bornes(-1.0), (0, 0));
    }

    fn libre(groupes: Vec<Vec<(usize, f64)>>) -> Ligne {
        let q: f64 = groupes.iter().flatten().map(|(_, q)| q.max(0.0)).sum();
        Ligne { groupes, total: Total::Prefere(round(q)) }
    }

    #[test]
    fn the_rows_go_where_only_they_may_go() {
        // Rows 0 and 1 may only use column 0, rows 2 and 3 column 1; all four quotas are 0,5.
        // Rounding the totals first (1, 1, 0, 0 by largest remainder) has no solution with
        // both columns at 1: the controlled rounding gives one dwelling to each column.
        let lignes = vec![
            Ligne { groupes: vec![vec![(0, 0.5)]], total: Total::Prefere(1) },
            Ligne { groupes: vec![vec![(0, 0.5)]], total: Total::Prefere(1) },
            Ligne { groupes: vec![vec![(1, 0.5)]], total: Total::Prefere(0) },
            Ligne { groupes: vec![vec![(1, 0.5)]], total: Total::Prefere(0) },
        ];
        let out = controle(&lignes, &[1, 1]);
        let v: Vec<u64> = out.iter().map(|g| g[0][0]).collect();
        assert_eq!(v, vec![1, 0, 1, 0], "the preferred totals where the columns allow it");
    }

    #[test]
    fn an_imposed_total_and_a_forbidden_cell() {
        // Row 0 imposed at 2 may only use column 0: the other row gives way there.
        let lignes = vec![
            Ligne { groupes: vec![vec![(0, 1.5)]], total: Total::Exact(2) },
            libre(vec![vec![(0, 0.5), (1, 1.0)]]),
        ];
        assert_eq!(controle(&lignes, &[2, 1]), vec![vec![vec![2]], vec![vec![0, 1]]]);
    }

    #[test]
    fn the_units_go_to_the_cells_closest_to_them_even_across_rows() {
        // The shape seen on Habitat Azur: Action Logement Antibes 9,08, Biot 1,38, Valbonne 0,06
        // (10,52, preferred 11: largest remainder of 31 over 10,52 and 20,48); the non réservé
        // Antibes 1,92, Biot 0,62, Valbonne 17,94 (20,48 → 20); columns 11, 2, 18. With Action
        // Logement at 11, three roundings exist (Σ |x − quota| over both rows):
        //   Action Logement 10 / 1 / 0, non réservé 1 / 1 / 18: 1,36 + 1,36 = 2,72;
        //   Action Logement 9 / 2 / 0, non réservé 2 / 0 / 18: 0,76 + 0,76 = 1,52;
        //   Action Logement 9 / 1 / 1, non réservé 2 / 1 / 17: 1,40 + 1,40 = 2,80.
        // The greedy search stopped at the first (10 in Antibes for 9,08, 1 in Biot for 1,38).
        let lignes = vec![
            Ligne { groupes: vec![vec![(0, 9.08), (1, 1.38), (2, 0.06)]], total: Total::Prefere(11) },
            Ligne { groupes: vec![vec![(0, 1.92), (1, 0.62), (2, 17.94)]], total: Total::Prefere(20) },
        ];
        assert_eq!(controle(&lignes, &[11, 2, 18]), vec![vec![vec![9, 2, 0]], vec![vec![2, 0, 18]]]);
    }

    #[test]
    fn the_states_agents_take_their_largest_remainders_before_the_prioritaires() {
        // The State's 12 logements (the test « agents by commune » of the command line): its
        // cells Antibes 3, Valbonne 2, Biot 2, La Colle 2, Le Rouret 3; its agents 2 (quotas
        // 0,45 / 0,35 / 0,30 / 0,35 / 0,55), its prioritaires 10 (2,25 / 1,75 / 1,5 / 1,75 /
        // 2,75). Over both rows, the agents at Antibes + Le Rouret and at Antibes + Biot are
        // equally far from the quotas (2,0 + 1,5 and 2,5 + 1,0: the prioritaires' remainders
        // compensate); the agents, listed first, come first (rule 1: the prioritaires take the
        // rest): their two largest remainders, Le Rouret 0,55 and Antibes 0,45, and 2 prioritaires
        // everywhere.
        let q = |n: f64| -> Vec<Vec<(usize, f64)>> {
            vec![[9.0, 7.0, 6.0, 7.0, 11.0].iter().enumerate().map(|(j, f)| (j, n * f / 40.0)).collect()]
        };
        let lignes = vec![
            Ligne { groupes: q(2.0), total: Total::Exact(2) },
            Ligne { groupes: q(10.0), total: Total::Exact(10) },
        ];
        assert_eq!(controle(&lignes, &[3, 2, 2, 2, 3]), vec![vec![vec![1, 0, 0, 0, 1]], vec![vec![2, 2, 2, 2, 2]]]);
    }

    #[test]
    fn equally_close_roundings_follow_the_order_of_the_rows_then_of_the_columns() {
        // Two communes of flux 1, the same quotas 0,5 for the State (imposed 1) and for the
        // non réservé: the State in the first commune or in the second, equally close. The
        // earlier row takes the lower column (Châteauneuf-Grasse before Tourrettes-sur-Loup).
        let q = vec![vec![(0, 0.5), (1, 0.5)]];
        let lignes =
            vec![Ligne { groupes: q.clone(), total: Total::Exact(1) }, Ligne { groupes: q, total: Total::Prefere(1) }];
        assert_eq!(controle(&lignes, &[1, 1]), vec![vec![vec![1, 0]], vec![vec![0, 1]]]);
        // Equal remainders in a row: the unit on the larger quota, 1,5 rather than 0,5 in the
        // first row, 2,5 rather than 0,5 in the second (2 / 0 and 0 / 3, or 1 / 1 and 1 / 2,
        // both 2,0 away from the quotas).
        let lignes = vec![
            Ligne { groupes: vec![vec![(0, 1.5), (1, 0.5)]], total: Total::Prefere(2) },
            Ligne { groupes: vec![vec![(0, 0.5), (1, 2.5)]], total: Total::Prefere(3) },
        ];
        assert_eq!(controle(&lignes, &[2, 3]), vec![vec![vec![2, 0]], vec![vec![0, 3]]]);
    }

    /// Checks every property of a controlled rounding of `lignes` into `colonnes`.
    fn verifier(lignes: &[Ligne], colonnes: &[u64], out: &[Vec<Vec<u64>>]) {
        let mut col = vec![0u64; colonnes.len()];
        for (l, o) in lignes.iter().zip(out) {
            let mut total = 0;
            for (g, og) in l.groupes.iter().zip(o) {
                let mut sg = 0;
                for (&(j, q), &v) in g.iter().zip(og) {
                    let (a, b) = bornes(q);
                    assert!(a <= v && v <= b, "cell {v} for a quota of {q}");
                    col[j] += v;
                    sg += v;
                }
                let (a, b) = bornes(g.iter().map(|(_, q)| q.max(0.0)).sum());
                assert!(a <= sg && sg <= b, "group {sg} outside [{a}, {b}]");
                total += sg;
            }
            match l.total {
                Total::Exact(n) => assert_eq!(total, n),
                Total::Prefere(_) | Total::Reste(_) => {
                    let (a, b) = bornes(l.quota());
                    assert!(a <= total && total <= b, "row {total} outside [{a}, {b}]");
                }
            }
        }
        assert_eq!(col, colonnes, "columns exact");
    }

    /// A random table of at most `max_l` rows × `max_c` columns in at most 3 groups: each
    /// column's integer total split over the rows allowed there (at least one); the free rows
    /// prefer their largest-remainder totals; with `etat`, the first row (sometimes) has its
    /// total imposed, the rounding of its quota, as the State's.
    fn table_au_hasard(rng: &mut Rng, max_l: usize, max_c: usize, etat: bool) -> (Vec<Ligne>, Vec<u64>) {
        let nc = 1 + rng.below(max_c);
        let nr = 1 + rng.below(max_l);
        let ng = 1 + rng.below(3.min(nc));
        // Columns in groups (the communes of each EPCI), integer column totals.
        let groupe_de: Vec<usize> = (0..nc).map(|j| if j < ng { j } else { rng.below(ng) }).collect();
        let colonnes: Vec<u64> = (0..nc).map(|_| rng.below(40) as u64).collect();
        let mut q = vec![vec![-1.0f64; nc]; nr];
        for j in 0..nc {
            let permis: Vec<usize> = (0..nr).filter(|_| rng.below(4) != 0).collect();
            let permis = if permis.is_empty() { vec![rng.below(nr)] } else { permis };
            let w: Vec<f64> = permis.iter().map(|_| 1.0 + rng.below(1000) as f64).collect();
            let s: f64 = w.iter().sum();
            for (k, &i) in permis.iter().enumerate() {
                q[i][j] = colonnes[j] as f64 * w[k] / s;
            }
        }
        let quotas: Vec<f64> = q.iter().map(|r| r.iter().map(|v| v.max(0.0)).sum()).collect();
        let impose = etat && rng.below(2) == 0;
        let reste_en_dernier = rng.below(2) == 0;
        let total: u64 = colonnes.iter().sum();
        let reste = if impose { total - round(quotas[0]) } else { total };
        let libres = if impose { &quotas[1..] } else { &quotas[..] };
        let mut pref = largest_remainder(reste, libres);
        if impose {
            pref.insert(0, round(quotas[0]));
        }
        let lignes: Vec<Ligne> = (0..nr)
            .map(|i| Ligne {
                groupes: (0..ng)
                    .map(|g| (0..nc).filter(|&j| groupe_de[j] == g && q[i][j] >= 0.0).map(|j| (j, q[i][j])).collect())
                    .collect(),
                total: match i {
                    0 if impose => Total::Exact(pref[0]),
                    // The last row, one table in two: the non réservé, which takes the rest.
                    _ if i == nr - 1 && nr > 1 && reste_en_dernier => Total::Reste(pref[i]),
                    _ => Total::Prefere(pref[i]),
                },
            })
            .collect();
        (lignes, colonnes)
    }

    #[test]
    fn a_thousand_random_tables_round_with_every_cell_floor_or_ceiling_and_exact_margins() {
        let mut rng = Rng::new(21);
        let mut preferes_atteints = 0;
        for _ in 0..1000 {
            let (lignes, colonnes) = table_au_hasard(&mut rng, 9, 9, false);
            let pref: Vec<u64> = lignes
                .iter()
                .map(|l| match l.total {
                    Total::Exact(n) | Total::Prefere(n) | Total::Reste(n) => n,
                })
                .collect();
            let out = controle(&lignes, &colonnes);
            verifier(&lignes, &colonnes, &out);
            let totaux: Vec<u64> = out.iter().map(|g| g.iter().flatten().sum()).collect();
            preferes_atteints += usize::from(totaux == pref);
        }
        // Largest remainder is what the rules ask for; it is feasible in almost every table.
        assert!(preferes_atteints > 900, "{preferes_atteints} of 1 000");
    }

    /// The objective of the rounding, computed on the table itself: the free rows' distance to
    /// their preferred totals, then Σ |x − quota| over the imposed rows' groups, their cells,
    /// the other rows' groups and their cells.
    fn objectif(lignes: &[Ligne], out: &[Vec<Vec<u64>>]) -> (u64, [f64; 6]) {
        let mut totaux = 0;
        let mut ecarts = [0.0; 6];
        for (l, o) in lignes.iter().zip(out) {
            let (g_niveau, c_niveau) = match l.total {
                Total::Exact(_) => (0, 1),
                Total::Prefere(_) => (2, 3),
                Total::Reste(_) => (4, 5),
            };
            for (g, og) in l.groupes.iter().zip(o) {
                let qg: f64 = g.iter().map(|(_, q)| q.max(0.0)).sum();
                ecarts[g_niveau] += (og.iter().sum::<u64>() as f64 - qg).abs();
                for (&(_, q), &v) in g.iter().zip(og) {
                    ecarts[c_niveau] += (v as f64 - q.max(0.0)).abs();
                }
            }
            if let Total::Prefere(n) | Total::Reste(n) = l.total {
                totaux += o.iter().flatten().sum::<u64>().abs_diff(n);
            }
        }
        (totaux, ecarts)
    }

    /// `a` strictly better than `b` (the distances compared with a tolerance).
    fn meilleur(a: &(u64, [f64; 6]), b: &(u64, [f64; 6])) -> bool {
        if a.0 != b.0 {
            return a.0 < b.0;
        }
        for (x, y) in a.1.iter().zip(&b.1) {
            if (x - y).abs() > 1e-6 {
                return x < y;
            }
        }
        false
    }

    /// A column's cells that may take their ceiling (row, group, place), and how many must.
    type Colonne = (Vec<(usize, usize, usize)>, i64);

    /// Every rounding meeting every bound (cells, groups, free rows floor or ceiling, imposed rows
    /// exact, columns exact), by brute force: column by column, which cells take their ceiling.
    fn tous_les_arrondis(lignes: &[Ligne], colonnes: &[u64]) -> Vec<Vec<Vec<Vec<u64>>>> {
        let base: Vec<Vec<Vec<u64>>> = lignes
            .iter()
            .map(|l| l.groupes.iter().map(|g| g.iter().map(|(_, q)| bornes(*q).0).collect()).collect())
            .collect();
        // For each column, its cells that may take their ceiling, and how many must.
        let mut par_colonne: Vec<Colonne> = colonnes.iter().map(|&n| (vec![], n as i64)).collect();
        for (i, l) in lignes.iter().enumerate() {
            for (gi, g) in l.groupes.iter().enumerate() {
                for (ci, &(j, q)) in g.iter().enumerate() {
                    let (a, b) = bornes(q);
                    par_colonne[j].1 -= a as i64;
                    if b > a {
                        par_colonne[j].0.push((i, gi, ci));
                    }
                }
            }
        }
        let mut toutes = vec![];
        fn suite(
            j: usize,
            t: &mut Vec<Vec<Vec<u64>>>,
            par_colonne: &[Colonne],
            lignes: &[Ligne],
            toutes: &mut Vec<Vec<Vec<Vec<u64>>>>,
        ) {
            let Some((cellules, k)) = par_colonne.get(j) else {
                let bon = lignes.iter().zip(t.iter()).all(|(l, o)| {
                    let groupes = l.groupes.iter().zip(o).all(|(g, og)| {
                        let (a, b) = bornes(g.iter().map(|(_, q)| q.max(0.0)).sum());
                        (a..=b).contains(&og.iter().sum())
                    });
                    let total: u64 = o.iter().flatten().sum();
                    groupes
                        && match l.total {
                            Total::Exact(n) => total == n,
                            Total::Prefere(_) | Total::Reste(_) => {
                                let (a, b) = bornes(l.quota());
                                (a..=b).contains(&total)
                            }
                        }
                });
                if bon {
                    toutes.push(t.clone());
                }
                return;
            };
            if *k < 0 || *k as usize > cellules.len() {
                return;
            }
            for masque in 0u32..(1 << cellules.len()) {
                if masque.count_ones() as i64 != *k {
                    continue;
                }
                for (b, &(i, g, c)) in cellules.iter().enumerate() {
                    t[i][g][c] += u64::from(masque >> b & 1 == 1);
                }
                suite(j + 1, t, par_colonne, lignes, toutes);
                for (b, &(i, g, c)) in cellules.iter().enumerate() {
                    t[i][g][c] -= u64::from(masque >> b & 1 == 1);
                }
            }
        }
        suite(0, &mut base.clone(), &par_colonne, lignes, &mut toutes);
        toutes
    }

    #[test]
    fn on_small_random_tables_no_rounding_is_closer_to_the_quotas() {
        let mut rng = Rng::new(2024);
        let (mut plusieurs, mut imposees) = (0, 0);
        for n in 0..400 {
            let (lignes, colonnes) = table_au_hasard(&mut rng, 4, 5, true);
            let out = controle(&lignes, &colonnes);
            verifier(&lignes, &colonnes, &out);
            let toutes = tous_les_arrondis(&lignes, &colonnes);
            assert!(!toutes.is_empty(), "table {n}: a controlled rounding always exists");
            plusieurs += usize::from(toutes.len() > 1);
            imposees += usize::from(matches!(lignes[0].total, Total::Exact(_)));
            assert!(toutes.contains(&out), "table {n}: the result is one of them");
            let cout = objectif(&lignes, &out);
            if let Some(mieux) = toutes.iter().find(|t| meilleur(&objectif(&lignes, t), &cout)) {
                panic!(
                    "table {n}: {lignes:?} into {colonnes:?}\ngives {out:?} ({cout:?})\nbut {mieux:?} ({:?}) is closer",
                    objectif(&lignes, mieux)
                );
            }
        }
        // Tables where there is a choice to make, some with an imposed row.
        assert!(plusieurs > 200 && imposees > 100, "{plusieurs} tables with a choice, {imposees} with an imposed row");
    }
}
