//! Step 4 — de-duplication: exact duplicates are one dwelling; the same bailleur and
//! reference with other values is a conflict, counted once under the newest row.

use crate::model::{Conflit, Date, Financement, IndividuelCollectif, Logement, Reservataire, Typologie};
use crate::text::{FastMap, IntMap};

/// De-duplication of one import: exact duplicates are one dwelling; the same bailleur and
/// reference with other values is a conflict, counted once under the newest row.
/// Each kept dwelling costs a few dozen bytes and no allocation of its own: its key lives in
/// one shared arena, its texts are interned, the rest is kept as it is: a row is an exact
/// duplicate only when every value is equal (compared, not hashed).
#[derive(Default)]
pub struct Dedup {
    /// Hash of (bailleur, reference) → first entry with that hash; entries with the same hash
    /// are chained, and every match is confirmed on the full key, so no hash collision can
    /// merge two dwellings.
    index: IntMap<u64, u32>,
    entries: Vec<Seen>,
    /// `bailleur \0 reference` of every entry, end to end.
    keys: String,
    /// Interned réservataires, communes, EPCI and natures.
    names: Vec<Box<str>>,
    name_ids: FastMap<Box<str>, u32>,
    /// The entry found (or not) by the last `check`, for the `kept` that follows it.
    pending: Option<(u64, Option<u32>)>,
    /// The file being imported (entries remember the file their kept row came from).
    file: u32,
    pub conflits: Vec<Conflit>,
    conflit_index: IntMap<u32, usize>,
    pub doublons: usize,
}

struct Seen {
    key_start: usize,
    key_len: u32,
    /// Next entry with the same key hash, or `u32::MAX`.
    next: u32,
    reservataire: u32,
    commune: u32,
    epci: u32,
    /// [`SANS_NATURE`] when the row gives none.
    nature: u32,
    typologie: Typologie,
    financement: Financement,
    qpv: bool,
    individuel_collectif: IndividuelCollectif,
    date_fin_convention: Option<Date>,
    annee_construction: Option<i32>,
    /// Opaque id of where the kept row lives (the store's row id).
    slot: i64,
    /// The file the kept row came from.
    file: u32,
}

/// What to do with a dwelling row after de-duplication.
#[derive(Debug, PartialEq, Eq)]
pub enum DedupAction {
    Insert,
    /// An exact duplicate: nothing to write.
    Skip,
    /// Replace the row kept in `slot` by this newer one.
    Replace(i64),
}

fn key_hash(l: &Logement) -> u64 {
    hash_of(&l.bailleur, &l.reference)
}

fn hash_of(bailleur: &str, reference: &str) -> u64 {
    use std::hash::Hasher;
    let mut h = crate::text::Fnv::default();
    h.write(bailleur.as_bytes());
    h.write(&[0]);
    h.write(reference.as_bytes());
    h.finish()
}

/// The interned nature of a row that gives none.
const SANS_NATURE: u32 = u32::MAX;

impl Dedup {
    /// Starts the next file of the invocation, with room for `n` more dwellings.
    pub fn begin_file(&mut self, n: usize) {
        self.file += 1;
        // `n` comes from what the file declares: a hostile file may claim anything, so the
        // room made in advance is bounded (beyond, the tables grow as rows come).
        self.reserve(n.min(2_000_000));
    }

    /// Extinct rights among the dwellings kept from the current file.
    pub fn echus(&self, date_reference: Date) -> usize {
        self.entries
            .iter()
            .filter(|e| {
                e.file == self.file
                    && e.date_fin_convention.is_some_and(|d| d < date_reference)
                    && *self.names[e.reservataire as usize] != *Reservataire::NON_RESERVE
            })
            .count()
    }

    /// Makes room for `n` more dwellings.
    fn reserve(&mut self, n: usize) {
        self.index.reserve(n);
        self.entries.reserve(n);
        self.keys.reserve(n * 24);
    }

    fn key_of(&self, e: &Seen) -> &str {
        &self.keys[e.key_start..e.key_start + e.key_len as usize]
    }

    fn same_key(&self, e: &Seen, bailleur: &str, reference: &str) -> bool {
        let k = self.key_of(e).as_bytes();
        let (b, r) = (bailleur.as_bytes(), reference.as_bytes());
        k.len() == b.len() + 1 + r.len() && k.starts_with(b) && k[b.len()] == 0 && k.ends_with(r)
    }

    fn find(&self, hash: u64, l: &Logement) -> Option<u32> {
        self.find_key(hash, &l.bailleur, &l.reference)
    }

    fn find_key(&self, hash: u64, bailleur: &str, reference: &str) -> Option<u32> {
        let mut i = *self.index.get(&hash)?;
        while i != u32::MAX {
            let e = &self.entries[i as usize];
            if self.same_key(e, bailleur, reference) {
                return Some(i);
            }
            i = e.next;
        }
        None
    }

    /// Whether this import keeps a dwelling of this bailleur and reference.
    pub fn contient(&self, bailleur: &str, reference: &str) -> bool {
        self.find_key(hash_of(bailleur, reference), bailleur, reference).is_some()
    }

    fn intern(&mut self, s: &str) -> u32 {
        if let Some(&i) = self.name_ids.get(s) {
            return i;
        }
        let i = self.names.len() as u32;
        self.names.push(s.into());
        self.name_ids.insert(s.into(), i);
        i
    }

    /// Whether the row kept in `e` (same bailleur and reference) has every value of `l`.
    fn same_values(&self, e: &Seen, l: &Logement) -> bool {
        let name = |i: u32| &*self.names[i as usize];
        e.financement == l.financement
            && e.typologie == l.typologie
            && e.qpv == l.qpv
            && e.individuel_collectif == l.individuel_collectif
            && e.date_fin_convention == l.date_fin_convention
            && e.annee_construction == l.annee_construction
            && name(e.reservataire) == l.reservataire.as_str()
            && name(e.commune) == l.commune
            && name(e.epci) == l.epci
            && match &l.nature {
                None => e.nature == SANS_NATURE,
                Some(n) => e.nature != SANS_NATURE && name(e.nature) == n.as_str(),
            }
    }

    /// The values outside [`describe`] that differ between the row kept in `e` and `l`, as
    /// (kept, new) texts.
    fn autres_differences(&self, e: &Seen, l: &Logement) -> Vec<(String, String)> {
        let name = |i: u32| &*self.names[i as usize];
        let qpv = |q: bool| if q { "QPV".to_string() } else { "hors QPV".to_string() };
        let annee =
            |a: Option<i32>| a.map_or("année de construction non renseignée".into(), |a| format!("construit en {a}"));
        let nature = |n: Option<&str>| n.map_or("sans nature".into(), |n| format!("nature {n}"));
        let mut v = Vec::new();
        if e.qpv != l.qpv {
            v.push((qpv(e.qpv), qpv(l.qpv)));
        }
        if e.individuel_collectif != l.individuel_collectif {
            v.push((e.individuel_collectif.as_str().to_string(), l.individuel_collectif.as_str().to_string()));
        }
        if e.annee_construction != l.annee_construction {
            v.push((annee(e.annee_construction), annee(l.annee_construction)));
        }
        let nature_vue = (e.nature != SANS_NATURE).then(|| name(e.nature));
        if nature_vue != l.nature.as_deref() {
            v.push((nature(nature_vue), nature(l.nature.as_deref())));
        }
        if name(e.epci) != l.epci {
            v.push((format!("EPCI {}", name(e.epci)), format!("EPCI {}", l.epci)));
        }
        v
    }

    fn describe_seen(&self, e: &Seen) -> String {
        describe_parts(&self.names[e.commune as usize], e.typologie, e.financement, e.date_fin_convention)
    }

    pub fn check(&mut self, l: &Logement) -> DedupAction {
        self.check_hashed(key_hash(l), l)
    }

    fn check_hashed(&mut self, hash: u64, l: &Logement) -> DedupAction {
        let found = self.find(hash, l);
        self.pending = Some((hash, found));
        let Some(i) = found else { return DedupAction::Insert };
        let prev = &self.entries[i as usize];
        if self.same_values(prev, l) {
            self.doublons += 1;
            return DedupAction::Skip;
        }
        let slot = prev.slot;
        let prev_reservataire = &self.names[prev.reservataire as usize];
        let (motif, a, b) = if **prev_reservataire != *l.reservataire.as_str() {
            ("reservataires_differents", prev_reservataire.to_string(), l.reservataire.to_string())
        } else {
            let (mut a, mut b) = (self.describe_seen(prev), describe(l));
            // Same commune, typology, financement and date: what differs is said too (QPV,
            // individuel/collectif...), never two identical strings.
            if a == b {
                for (x, y) in self.autres_differences(prev, l) {
                    a = format!("{a} {x}");
                    b = format!("{b} {y}");
                }
            }
            ("valeurs_differentes", a, b)
        };
        match self.conflit_index.get(&i) {
            Some(&c) => {
                let c = &mut self.conflits[c];
                if !c.valeurs.contains(&b) {
                    c.valeurs.push(b);
                }
            }
            None => {
                self.conflit_index.insert(i, self.conflits.len());
                self.conflits.push(Conflit {
                    bailleur: l.bailleur.clone(),
                    reference: l.reference.clone(),
                    motif: motif.into(),
                    valeurs: vec![a, b],
                });
            }
        }
        DedupAction::Replace(slot)
    }

    /// Records where the row kept for this dwelling lives (after `check` said to insert or
    /// replace it).
    pub fn kept(&mut self, l: &Logement, slot: i64) {
        self.kept_hashed(key_hash(l), l, slot)
    }

    fn kept_hashed(&mut self, hash: u64, l: &Logement, slot: i64) {
        let found = match self.pending.take() {
            Some((h, found)) if h == hash => found,
            _ => self.find(hash, l),
        };
        let reservataire = self.intern(l.reservataire.as_str());
        let commune = self.intern(&l.commune);
        let epci = self.intern(&l.epci);
        let nature = l.nature.as_deref().map_or(SANS_NATURE, |n| self.intern(n));
        let (typologie, financement, date_fin_convention) = (l.typologie, l.financement, l.date_fin_convention);
        let (qpv, individuel_collectif, annee_construction) = (l.qpv, l.individuel_collectif, l.annee_construction);
        if let Some(i) = found {
            let e = &mut self.entries[i as usize];
            (e.reservataire, e.commune, e.epci, e.nature, e.slot, e.file) =
                (reservataire, commune, epci, nature, slot, self.file);
            (e.typologie, e.financement, e.date_fin_convention) = (typologie, financement, date_fin_convention);
            (e.qpv, e.individuel_collectif, e.annee_construction) = (qpv, individuel_collectif, annee_construction);
            return;
        }
        let i = self.entries.len() as u32;
        let key_start = self.keys.len();
        self.keys.push_str(&l.bailleur);
        self.keys.push('\0');
        self.keys.push_str(&l.reference);
        let next = self.index.insert(hash, i).unwrap_or(u32::MAX);
        self.entries.push(Seen {
            key_start,
            key_len: (self.keys.len() - key_start) as u32,
            next,
            reservataire,
            commune,
            epci,
            nature,
            typologie,
            financement,
            qpv,
            individuel_collectif,
            date_fin_convention,
            annee_construction,
            slot,
            file: self.file,
        });
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

fn describe(l: &Logement) -> String {
    describe_parts(&l.commune, l.typologie, l.financement, l.date_fin_convention)
}

fn describe_parts(commune: &str, typologie: Typologie, financement: Financement, date: Option<Date>) -> String {
    format!("{} {} {} {}", commune, typologie.label(), financement, date.map(|d| d.to_string()).unwrap_or_default())
        .trim()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicates_and_conflicts() {
        let l = Logement::exemple();
        let mut d = Dedup::default();
        assert_eq!(d.check(&l), DedupAction::Insert);
        d.kept(&l, 7);
        assert_eq!(d.check(&l), DedupAction::Skip);
        let mut l2 = l.clone();
        l2.reservataire = Reservataire::non_reserve();
        assert_eq!(d.check(&l2), DedupAction::Replace(7));
        assert_eq!(d.conflits[0].valeurs, vec!["etat".to_string(), "non-reserve".to_string()]);
        assert_eq!(d.doublons, 1);
        // The newer row now stands for the dwelling: it is the exact duplicate from here on.
        d.kept(&l2, 8);
        assert_eq!(d.check(&l2), DedupAction::Skip);
        let mut l3 = l2.clone();
        l3.typologie = Typologie::Pieces { n: 3, bis: false };
        assert_eq!(d.check(&l3), DedupAction::Replace(8));
        assert_eq!(d.conflits.len(), 1, "one conflict per dwelling");
        assert_eq!(d.conflits[0].valeurs.len(), 3);
        assert_eq!(d.len(), 1);

        // A conflict on QPV or individuel/collectif says the values that differ.
        let mut q = Dedup::default();
        let mut a = Logement::exemple();
        a.qpv = false;
        q.check(&a);
        q.kept(&a, 1);
        let mut b = a.clone();
        b.qpv = true;
        b.individuel_collectif = IndividuelCollectif::Individuel;
        a.individuel_collectif = IndividuelCollectif::Collectif;
        assert_eq!(q.check(&b), DedupAction::Replace(1));
        let base = describe(&a);
        assert_eq!(
            q.conflits[0].valeurs,
            vec![format!("{base} hors QPV collectif"), format!("{base} QPV individuel")],
            "{:?}",
            q.conflits[0].valeurs
        );

        // Two different dwellings whose keys hash alike stay two dwellings.
        let mut e = Dedup::default();
        let mut other = l.clone();
        other.reference = "2".into();
        assert_eq!(e.check_hashed(42, &l), DedupAction::Insert);
        e.kept_hashed(42, &l, 1);
        assert_eq!(e.check_hashed(42, &other), DedupAction::Insert);
        e.kept_hashed(42, &other, 2);
        assert_eq!(e.check_hashed(42, &l), DedupAction::Skip);
        assert_eq!(e.check_hashed(42, &other), DedupAction::Skip);
        let mut other2 = other.clone();
        other2.qpv = true;
        assert_eq!(e.check_hashed(42, &other2), DedupAction::Replace(2));
        assert_eq!(e.conflits[0].reference, "2");
        assert_eq!(e.len(), 2);
    }

    /// A row is an exact duplicate only when every value is equal: one value changed, it is a
    /// conflict that replaces the kept row; the same values again, a doublon.
    #[test]
    fn every_value_tells_a_duplicate_from_a_conflict() {
        let l = Logement {
            nature: Some("Collectif".into()),
            annee_construction: Some(1970),
            date_fin_convention: Date::new(2030, 12, 31),
            ..Logement::exemple()
        };
        type Changement = fn(&mut Logement);
        let changes: Vec<(&str, Changement)> = vec![
            ("commune", |x| x.commune = "06155".into()),
            ("epci", |x| x.epci = "200039915".into()),
            ("reservataire", |x| x.reservataire = Reservataire::non_reserve()),
            ("financement", |x| x.financement = Financement::Pls),
            ("typologie", |x| x.typologie = Typologie::Pieces { n: 3, bis: true }),
            ("qpv", |x| x.qpv = !x.qpv),
            ("individuel_collectif", |x| x.individuel_collectif = IndividuelCollectif::Individuel),
            ("date", |x| x.date_fin_convention = Date::new(2030, 12, 30)),
            ("sans date", |x| x.date_fin_convention = None),
            ("annee", |x| x.annee_construction = Some(1971)),
            ("sans annee", |x| x.annee_construction = None),
            ("nature", |x| x.nature = Some("Individuel".into())),
            ("sans nature", |x| x.nature = None),
            ("nature vide", |x| x.nature = Some(String::new())),
        ];
        for (what, change) in &changes {
            let mut d = Dedup::default();
            assert_eq!(d.check(&l), DedupAction::Insert);
            d.kept(&l, 1);
            assert_eq!(d.check(&l.clone()), DedupAction::Skip, "{what}");
            let mut other = l.clone();
            change(&mut other);
            assert_ne!(other, l, "{what}");
            assert_eq!(d.check(&other), DedupAction::Replace(1), "{what}");
            d.kept(&other, 2);
            assert_eq!(d.check(&other.clone()), DedupAction::Skip, "{what}");
            assert_eq!(d.check(&l), DedupAction::Replace(2), "{what}: the first values again");
            assert_eq!((d.doublons, d.conflits.len(), d.len()), (2, 1, 1), "{what}");
        }
    }
}
