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
//! the total are exact — always. Among the feasible roundings, the réservataires' totals are
//! then moved, one dwelling at a time along cycles of the residual network, towards the
//! largest-remainder totals the rules ask for; they reach them whenever these are feasible.

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

/// A flow network: edges in pairs (`e` forward, `e ^ 1` backward), residual capacities.
struct Reseau {
    to: Vec<usize>,
    cap: Vec<i64>,
    adj: Vec<Vec<usize>>,
}

impl Reseau {
    fn new(n: usize) -> Self {
        Reseau { to: vec![], cap: vec![], adj: vec![vec![]; n] }
    }

    fn arete(&mut self, u: usize, v: usize, cap: i64) -> usize {
        let e = self.to.len();
        self.to.push(v);
        self.cap.push(cap);
        self.adj[u].push(e);
        self.to.push(u);
        self.cap.push(0);
        self.adj[v].push(e + 1);
        e
    }

    /// The flow on a forward edge (the residual of its backward edge).
    fn flot(&self, e: usize) -> i64 {
        self.cap[e ^ 1]
    }

    /// A shortest path of residual edges from `s` to a node where `but` holds, avoiding the
    /// nodes `interdit`.
    fn chemin(&self, s: usize, but: &dyn Fn(usize) -> bool, interdit: &[bool]) -> Option<(usize, Vec<usize>)> {
        let mut prev: Vec<Option<usize>> = vec![None; self.adj.len()];
        let mut vu = vec![false; self.adj.len()];
        vu[s] = true;
        let mut file = std::collections::VecDeque::from([s]);
        while let Some(u) = file.pop_front() {
            for &e in &self.adj[u] {
                let v = self.to[e];
                if self.cap[e] <= 0 || vu[v] || interdit[v] {
                    continue;
                }
                vu[v] = true;
                prev[v] = Some(e);
                if but(v) {
                    let mut path = vec![];
                    let mut x = v;
                    while let Some(e) = prev[x] {
                        path.push(e);
                        x = self.to[e ^ 1];
                    }
                    path.reverse();
                    return Some((v, path));
                }
                file.push_back(v);
            }
        }
        None
    }

    fn pousser(&mut self, path: &[usize], n: i64) {
        for &e in path {
            self.cap[e] -= n;
            self.cap[e ^ 1] += n;
        }
    }

    fn flot_maximal(&mut self, s: usize, t: usize, interdit: &[bool]) -> i64 {
        let mut total = 0;
        while let Some((_, path)) = self.chemin(s, &|v| v == t, interdit) {
            let n = path.iter().map(|&e| self.cap[e]).min().unwrap_or(0);
            if n <= 0 {
                break;
            }
            self.pousser(&path, n);
            total += n;
        }
        total
    }
}

/// A bounded edge whose value should be `cible` when the bounds allow it.
struct Preference {
    arete: usize,
    lo: i64,
    cible: i64,
    /// How much a unit away from it costs: the State's (an imposed row) before the others'.
    poids: i64,
    /// The quota the edge rounds: at equal cost, the values closer to their quotas win (the
    /// unit goes to the largest remainder, never to a smaller one), each distance relative to
    /// its row (`echelle`, 1 / the row's quota): a unit on a quota of 0,09 among 2 agents costs
    /// more than on a cell of 3,67 among 16.
    quota: f64,
    echelle: f64,
}

/// Moves the values of edges that leave the same node towards their preferred values, one unit
/// at a time: more on an edge under its preference, less on one over it, along a residual cycle
/// through their common node. A cycle is kept only when the total distance to the preferences
/// shrinks, so this ends.
fn ameliorer(net: &mut Reseau, prefs: &[Preference], interdit: &[bool], restes: bool) {
    use std::collections::HashMap;
    // Which preference an edge carries, and the preferences by the node they leave.
    let mut de_l_arete: HashMap<usize, usize> = HashMap::new();
    let mut par_queue: HashMap<usize, Vec<usize>> = HashMap::new();
    for (i, p) in prefs.iter().enumerate() {
        de_l_arete.insert(p.arete & !1, i);
        par_queue.entry(net.to[p.arete ^ 1]).or_default().push(i);
    }
    let valeur = |net: &Reseau, p: &Preference| p.lo + net.flot(p.arete);
    // The distance to the preferences of the edges a cycle changed (each counted once).
    let ecart = |net: &Reseau, touchees: &[usize]| -> i64 {
        touchees.iter().map(|&i| prefs[i].poids * (valeur(net, &prefs[i]) - prefs[i].cible).abs()).sum()
    };
    // With `restes`, the tie-break: the distance of the values to their quotas (a unit on a
    // remainder of 0,38 rather than on one of 0,09).
    let aux_quotas = |net: &Reseau, touchees: &[usize]| -> f64 {
        touchees.iter().map(|&i| prefs[i].echelle * (valeur(net, &prefs[i]) as f64 - prefs[i].quota).abs()).sum()
    };
    let mut ameliore = true;
    while ameliore {
        ameliore = false;
        for a in prefs {
            if valeur(net, a) >= a.cible || net.cap[a.arete] <= 0 {
                continue;
            }
            let queue = net.to[a.arete ^ 1];
            // The edges of the same node over their preference, by their head.
            let au_dessus: HashMap<usize, usize> = par_queue[&queue]
                .iter()
                .map(|&i| &prefs[i])
                .filter(|b| valeur(net, b) > b.cible && net.cap[b.arete ^ 1] > 0)
                .map(|b| (net.to[b.arete], b.arete))
                .collect();
            if au_dessus.is_empty() {
                continue;
            }
            let mut bloque = interdit.to_vec();
            bloque[queue] = true;
            let tete = net.to[a.arete];
            // The nearest edge over its preference first; with `restes`, each of the others in
            // turn (by head) when the nearest one does not improve.
            let mut essais: Vec<usize> = au_dessus.keys().copied().collect();
            essais.sort_unstable();
            let premier = net.chemin(tete, &|v| au_dessus.contains_key(&v), &bloque);
            let mut chemins = premier.into_iter().collect::<Vec<_>>();
            if restes {
                let deja = chemins.first().map(|c| c.0);
                for fin in essais.into_iter().filter(|f| Some(*f) != deja) {
                    if let Some(c) = net.chemin(tete, &|v| v == fin, &bloque) {
                        chemins.push(c);
                    }
                }
            }
            for (fin, path) in chemins {
                let b = au_dessus[&fin];
                // The residual capacities may have changed: a path is used only if still open.
                if path.iter().any(|&e| net.cap[e] <= 0) || net.cap[a.arete] <= 0 || net.cap[b ^ 1] <= 0 {
                    continue;
                }
                let mut touchees: Vec<usize> =
                    path.iter().chain([&a.arete, &b]).filter_map(|e| de_l_arete.get(&(e & !1)).copied()).collect();
                touchees.sort_unstable();
                touchees.dedup();
                let (avant, avant_q) = (ecart(net, &touchees), aux_quotas(net, &touchees));
                net.pousser(&path, 1);
                net.pousser(&[a.arete, b ^ 1], 1);
                let (apres, apres_q) = (ecart(net, &touchees), aux_quotas(net, &touchees));
                if apres < avant || (restes && apres == avant && apres_q < avant_q - 1e-9) {
                    ameliore = true;
                    break;
                }
                let retour: Vec<usize> = path.iter().rev().map(|e| e ^ 1).collect();
                net.pousser(&retour, 1);
                net.pousser(&[a.arete ^ 1, b], 1);
            }
        }
    }
}

/// One try: `relache` 0 keeps every bound; 1 drops the groups'; 2 the cells' too; 3 the free
/// rows' too.
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
    // An edge with bounds [lo, hi]: capacity hi − lo, lo moved to the nodes' balances.
    let mut borne = |net: &mut Reseau, u: usize, v: usize, lo: u64, hi: Option<u64>| -> (usize, i64) {
        let lo = lo as i64;
        let cap = hi.map(|h| h as i64 - lo).unwrap_or(INF);
        exces[v] += lo;
        exces[u] -= lo;
        (net.arete(u, v, cap.max(0)), lo)
    };
    let mut aretes_lignes = vec![];
    let mut aretes_groupes: Vec<Vec<(usize, i64)>> = vec![];
    let mut aretes_cellules: Vec<Vec<Vec<(usize, i64)>>> = vec![];
    let mut g = premier_groupe;
    for (i, l) in lignes.iter().enumerate() {
        let r = premiere_ligne + i;
        let (lo, hi) = match l.total {
            Total::Exact(n) => (n, Some(n)),
            Total::Prefere(_) if relache >= 3 => (0, None),
            Total::Prefere(_) => {
                let (a, b) = bornes(l.quota());
                (a, Some(b))
            }
        };
        aretes_lignes.push(borne(&mut net, s, r, lo, hi));
        let mut cellules = vec![];
        let mut groupes = vec![];
        for groupe in &l.groupes {
            let q: f64 = groupe.iter().map(|(_, q)| q.max(0.0)).sum();
            let (lo, hi) = if relache >= 1 { (0, None) } else { (bornes(q).0, Some(bornes(q).1)) };
            groupes.push(borne(&mut net, r, g, lo, hi));
            let mut c = vec![];
            for &(j, q) in groupe {
                if q < 0.0 {
                    c.push((usize::MAX, 0));
                    continue;
                }
                let (lo, hi) = if relache >= 2 { (0, None) } else { (bornes(q).0, Some(bornes(q).1)) };
                c.push(borne(&mut net, g, premiere_colonne + j, lo, hi));
            }
            cellules.push(c);
            g += 1;
        }
        aretes_groupes.push(groupes);
        aretes_cellules.push(cellules);
    }
    for (j, n) in colonnes.iter().enumerate() {
        borne(&mut net, premiere_colonne + j, t, *n, Some(*n));
    }
    net.arete(t, s, INF);
    let mut besoin = 0;
    for (v, x) in exces.iter().enumerate() {
        match x.cmp(&0) {
            Ordering::Greater => {
                net.arete(ss, v, *x);
                besoin += x;
            }
            Ordering::Less => {
                net.arete(v, tt, -x);
            }
            Ordering::Equal => {}
        }
    }
    let libre = vec![false; tt + 1];
    if net.flot_maximal(ss, tt, &libre) < besoin {
        return None;
    }
    // The bounds are met: the super source and sink are closed, then the free rows' totals,
    // each row's groups and each group's cells are moved towards largest remainder.
    for e in net.adj[ss].clone().into_iter().chain(net.adj[tt].clone()) {
        net.cap[e] = 0;
        net.cap[e ^ 1] = 0;
    }
    let mut interdit = vec![false; tt + 1];
    interdit[s] = true;
    interdit[t] = true;
    let prefs: Vec<Preference> = lignes
        .iter()
        .zip(&aretes_lignes)
        .filter_map(|(l, &(e, lo))| match l.total {
            Total::Prefere(n) => {
                Some(Preference { arete: e, lo, cible: n as i64, poids: 1, quota: l.quota(), echelle: 1.0 })
            }
            Total::Exact(_) => None,
        })
        .collect();
    ameliorer(&mut net, &prefs, &interdit, false);
    let poids = |l: &Ligne| if matches!(l.total, Total::Exact(_)) { 1000 } else { 1 };
    let mut prefs = vec![];
    for (i, l) in lignes.iter().enumerate() {
        let total = aretes_lignes[i].1 + net.flot(aretes_lignes[i].0);
        let w: Vec<f64> = l.groupes.iter().map(|g| g.iter().map(|(_, q)| q.max(0.0)).sum()).collect();
        for ((&(e, lo), n), q) in aretes_groupes[i].iter().zip(largest_remainder(total.max(0) as u64, &w)).zip(&w) {
            prefs.push(Preference { arete: e, lo, cible: n as i64, poids: poids(l), quota: *q, echelle: 1.0 });
        }
    }
    ameliorer(&mut net, &prefs, &interdit, false);
    let mut prefs = vec![];
    for (i, l) in lignes.iter().enumerate() {
        for ((g, &(eg, log)), cellules) in l.groupes.iter().zip(&aretes_groupes[i]).zip(&aretes_cellules[i]) {
            let total = log + net.flot(eg);
            let w: Vec<f64> = g.iter().map(|(_, q)| q.max(0.0)).collect();
            for ((&(e, lo), n), q) in cellules.iter().zip(largest_remainder(total.max(0) as u64, &w)).zip(&w) {
                if e != usize::MAX {
                    let echelle = 1.0 / l.quota().max(1.0);
                    prefs.push(Preference { arete: e, lo, cible: n as i64, poids: poids(l), quota: *q, echelle });
                }
            }
        }
    }
    // The cells: at equal distance to largest remainder, the units on the largest remainders.
    ameliorer(&mut net, &prefs, &interdit, true);
    Some(
        aretes_cellules
            .iter()
            .map(|groupes| {
                groupes
                    .iter()
                    .map(|c| {
                        c.iter().map(|&(e, lo)| if e == usize::MAX { 0 } else { (lo + net.flot(e)) as u64 }).collect()
                    })
                    .collect()
            })
            .collect(),
    )
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
                Total::Prefere(_) => {
                    let (a, b) = bornes(l.quota());
                    assert!(a <= total && total <= b, "row {total} outside [{a}, {b}]");
                }
            }
        }
        assert_eq!(col, colonnes, "columns exact");
    }

    #[test]
    fn a_thousand_random_tables_round_with_every_cell_floor_or_ceiling_and_exact_margins() {
        let mut rng = Rng::new(21);
        let mut preferes_atteints = 0;
        for _ in 0..1000 {
            let nc = 1 + rng.below(9);
            let nr = 1 + rng.below(9);
            let ng = 1 + rng.below(3.min(nc));
            // Columns in groups (the communes of each EPCI), integer column totals.
            let groupe_de: Vec<usize> = (0..nc).map(|j| if j < ng { j } else { rng.below(ng) }).collect();
            let colonnes: Vec<u64> = (0..nc).map(|_| rng.below(40) as u64).collect();
            // Each column's total split over the rows allowed there (at least one), the first
            // row imposed at its quota when that is an integer, as the State's.
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
            let total: u64 = colonnes.iter().sum();
            let pref = largest_remainder(total, &quotas);
            let lignes: Vec<Ligne> = (0..nr)
                .map(|i| Ligne {
                    groupes: (0..ng)
                        .map(|g| {
                            (0..nc).filter(|&j| groupe_de[j] == g && q[i][j] >= 0.0).map(|j| (j, q[i][j])).collect()
                        })
                        .collect(),
                    total: Total::Prefere(pref[i]),
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
}
