//! The cube kept in the dossier: the active stock aggregated to cells (bailleur × commune ×
//! EPCI × réservataire × financement × typologie × QPV × individuel/collectif, each with its
//! dwellings and, among them, the rights extinct at the reference date), written in the same
//! transaction as whatever changes it (import, rétablissement, retrait, label mapping and its
//! undoing, change of reference date or territory), with the fingerprint of what it derives
//! from. Opening a dossier reads these cells (a few bytes per cell) instead of every dwelling;
//! they are computed again from the dwellings only when the fingerprint no longer matches (a
//! dossier of an earlier version is given them by its migration; read-only, in memory).

use super::logements::{LogementCompte, Selection, parcourir, pour_chaque_logement};
use super::{CompteDesLogements, Dossier, Result};
use crate::model::{Financement, IndividuelCollectif, TypologieGrille};
use crate::text::{FastMap, IntMap};
use rusqlite::{Connection, OptionalExtension, params};
use std::collections::BTreeSet;

/// A cell as codes: indexes into the sorted dictionaries of [`Cases`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Case {
    pub logements: u64,
    pub bailleur: u32,
    pub commune: u32,
    pub epci: u32,
    pub reservataire: u32,
    /// Of these dwellings, those whose right ended before the reference date (counted as
    /// non réservé).
    pub echus: u32,
    pub financement: Financement,
    pub typologie: TypologieGrille,
    pub qpv: bool,
    pub individuel_collectif: IndividuelCollectif,
}

/// The cells of the active stock: sorted dictionaries (a string's rank is its code) and the
/// cells sorted by réservataire, bailleur, commune, EPCI, financement, typologie, QPV and
/// individuel/collectif (the order of the report).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Cases {
    pub bailleurs: Vec<String>,
    pub communes: Vec<String>,
    pub epcis: Vec<String>,
    pub reservataires: Vec<String>,
    pub cases: Vec<Case>,
}

type Cle = (u32, u32, u32, u32, Financement, TypologieGrille, bool, IndividuelCollectif);

/// Counts dwellings (or cells) into cells, strings interned once per distinct value.
#[derive(Default)]
pub struct Agregat {
    names: [Vec<String>; 4],
    ids: [FastMap<String, u32>; 4],
    /// The previous value's id per column: rows come grouped by bailleur, and neighbours often
    /// share their commune and EPCI.
    last: [Option<u32>; 4],
    counts: IntMap<Cle, (u64, u32)>,
}

impl Agregat {
    fn id(&mut self, col: usize, s: &str) -> u32 {
        if let Some(i) = self.last[col]
            && self.names[col][i as usize] == s
        {
            return i;
        }
        let i = match self.ids[col].get(s) {
            Some(&i) => i,
            None => {
                let i = self.names[col].len() as u32;
                self.names[col].push(s.to_string());
                self.ids[col].insert(s.to_string(), i);
                i
            }
        };
        self.last[col] = Some(i);
        i
    }

    /// Adds `logements` dwellings (of which `echus` extinct rights) to a cell.
    #[allow(clippy::too_many_arguments)]
    pub fn ajouter(
        &mut self,
        bailleur: &str,
        commune: &str,
        epci: &str,
        reservataire: &str,
        financement: Financement,
        typologie: TypologieGrille,
        qpv: bool,
        individuel_collectif: IndividuelCollectif,
        logements: u64,
        echus: u32,
    ) {
        let key = (
            self.id(0, bailleur),
            self.id(1, commune),
            self.id(2, epci),
            self.id(3, reservataire),
            financement,
            typologie,
            qpv,
            individuel_collectif,
        );
        let c = self.counts.entry(key).or_default();
        c.0 += logements;
        c.1 += echus;
    }

    /// Adds one dwelling as the counts read it.
    pub fn logement(&mut self, l: &LogementCompte) {
        self.ajouter(
            l.bailleur,
            l.commune,
            l.epci,
            l.reservataire,
            l.financement,
            l.typologie,
            l.qpv,
            l.individuel_collectif,
            1,
            l.echu as u32,
        );
    }

    /// Takes back one dwelling added before with [`Agregat::logement`] (a row of this write
    /// replaced by a newer one).
    pub fn retirer(&mut self, l: &LogementCompte) {
        let key = (
            self.id(0, l.bailleur),
            self.id(1, l.commune),
            self.id(2, l.epci),
            self.id(3, l.reservataire),
            l.financement,
            l.typologie,
            l.qpv,
            l.individuel_collectif,
        );
        let c = self.counts.entry(key).or_default();
        c.0 = c.0.saturating_sub(1);
        c.1 = c.1.saturating_sub(l.echu as u32);
    }

    /// The cells, sorted (strings ranked once so that the sort compares integers).
    pub fn cases(self) -> Cases {
        let Agregat { names, counts, .. } = self;
        let rank = |v: &Vec<String>| -> Vec<u32> {
            let mut order: Vec<u32> = (0..v.len() as u32).collect();
            order.sort_unstable_by(|x, y| v[*x as usize].cmp(&v[*y as usize]));
            let mut rank = vec![0u32; v.len()];
            for (r, i) in order.into_iter().enumerate() {
                rank[i as usize] = r as u32;
            }
            rank
        };
        let ranks: Vec<Vec<u32>> = names.iter().map(rank).collect();
        let (rb, rc, re, rr) = (&ranks[0], &ranks[1], &ranks[2], &ranks[3]);
        let mut cases: Vec<Case> = counts
            .into_iter()
            .filter(|(_, (n, _))| *n > 0)
            .map(|(k, (logements, echus))| Case {
                logements,
                bailleur: rb[k.0 as usize],
                commune: rc[k.1 as usize],
                epci: re[k.2 as usize],
                reservataire: rr[k.3 as usize],
                echus,
                financement: k.4,
                typologie: k.5,
                qpv: k.6,
                individuel_collectif: k.7,
            })
            .collect();
        cases.sort_unstable_by_key(|c| {
            (
                c.reservataire,
                c.bailleur,
                c.commune,
                c.epci,
                c.financement.as_str(),
                c.typologie.as_str(),
                c.qpv,
                c.individuel_collectif.as_str(),
            )
        });
        let [b, c, e, r] = names;
        let sorted = |v: Vec<String>, rank: &[u32]| -> Vec<String> {
            let mut out = vec![String::new(); v.len()];
            for (s, r) in v.into_iter().zip(rank) {
                out[*r as usize] = s;
            }
            out
        };
        // Values no cell uses any more (a bailleur whose cells were all removed) stay out.
        let mut cases_ = Cases {
            bailleurs: sorted(b, rb),
            communes: sorted(c, rc),
            epcis: sorted(e, re),
            reservataires: sorted(r, rr),
            cases,
        };
        cases_.elaguer();
        cases_
    }
}

impl Cases {
    /// Drops the dictionary values no cell uses, renumbering the cells (order unchanged).
    fn elaguer(&mut self) {
        let mut used = [
            vec![false; self.bailleurs.len()],
            vec![false; self.communes.len()],
            vec![false; self.epcis.len()],
            vec![false; self.reservataires.len()],
        ];
        for c in &self.cases {
            used[0][c.bailleur as usize] = true;
            used[1][c.commune as usize] = true;
            used[2][c.epci as usize] = true;
            used[3][c.reservataire as usize] = true;
        }
        if used.iter().all(|u| u.iter().all(|x| *x)) {
            return;
        }
        let renum = |u: &[bool], v: &mut Vec<String>| -> Vec<u32> {
            let mut map = vec![u32::MAX; u.len()];
            let mut k = 0;
            for (i, keep) in u.iter().enumerate() {
                if *keep {
                    map[i] = k;
                    k += 1;
                }
            }
            let mut i = 0;
            v.retain(|_| {
                i += 1;
                u[i - 1]
            });
            map
        };
        let mb = renum(&used[0], &mut self.bailleurs);
        let mc = renum(&used[1], &mut self.communes);
        let me = renum(&used[2], &mut self.epcis);
        let mr = renum(&used[3], &mut self.reservataires);
        for c in &mut self.cases {
            c.bailleur = mb[c.bailleur as usize];
            c.commune = mc[c.commune as usize];
            c.epci = me[c.epci as usize];
            c.reservataire = mr[c.reservataire as usize];
        }
    }

    /// The cells again as an aggregate, without those of some bailleurs.
    fn sans(&self, bailleurs: &BTreeSet<String>, a: &mut Agregat) {
        let garde: Vec<bool> = self.bailleurs.iter().map(|b| !bailleurs.contains(b)).collect();
        for c in &self.cases {
            if garde[c.bailleur as usize] {
                a.ajouter(
                    &self.bailleurs[c.bailleur as usize],
                    &self.communes[c.commune as usize],
                    &self.epcis[c.epci as usize],
                    &self.reservataires[c.reservataire as usize],
                    c.financement,
                    c.typologie,
                    c.qpv,
                    c.individuel_collectif,
                    c.logements,
                    c.echus,
                );
            }
        }
    }

    /// The cells as bytes: a header, the four dictionaries, then 32 bytes per cell.
    pub fn encoder(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(16 + self.cases.len() * TAILLE_CASE);
        out.extend_from_slice(ENTETE);
        for d in [&self.bailleurs, &self.communes, &self.epcis, &self.reservataires] {
            out.extend_from_slice(&(d.len() as u32).to_le_bytes());
            for s in d {
                out.extend_from_slice(&(s.len() as u32).to_le_bytes());
                out.extend_from_slice(s.as_bytes());
            }
        }
        out.extend_from_slice(&(self.cases.len() as u64).to_le_bytes());
        for c in &self.cases {
            out.extend_from_slice(&c.logements.to_le_bytes());
            for x in [c.bailleur, c.commune, c.epci, c.reservataire, c.echus] {
                out.extend_from_slice(&x.to_le_bytes());
            }
            out.extend_from_slice(&[
                c.financement as u8,
                c.typologie as u8,
                c.qpv as u8,
                (c.individuel_collectif == IndividuelCollectif::Individuel) as u8,
            ]);
        }
        out
    }

    /// The cells from [`Cases::encoder`]'s bytes; `None` when they do not read as such (the
    /// cube is then computed from the dwellings).
    pub fn decoder(b: &[u8]) -> Option<Cases> {
        Cases::decoder_flux(&mut &b[..], b.len() as u64)
    }

    /// [`Cases::decoder`] from `taille` bytes read as they come (the kept parts, through a small
    /// buffer: a national cube is 160 MB, never copied whole before being decoded).
    pub fn decoder_flux(r: &mut impl std::io::Read, taille: u64) -> Option<Cases> {
        let mut r = Lecteur { r, lus: 0 };
        if r.octets(ENTETE.len())? != ENTETE {
            return None;
        }
        let mut dicos: [Vec<String>; 4] = Default::default();
        for d in &mut dicos {
            let n = r.u32()? as usize;
            d.reserve(n.min(taille as usize));
            for _ in 0..n {
                let len = r.u32()? as u64;
                if len > taille {
                    return None;
                }
                d.push(String::from_utf8(r.octets(len as usize)?).ok()?);
            }
        }
        let n = r.u64()?;
        if taille.checked_sub(r.lus)? != n.checked_mul(TAILLE_CASE as u64)? {
            return None;
        }
        let [bailleurs, communes, epcis, reservataires] = dicos;
        let tailles = [bailleurs.len(), communes.len(), epcis.len(), reservataires.len()];
        let n = n as usize;
        let mut cases = Vec::with_capacity(n);
        // By blocks of cells, each decoded from its 32 bytes.
        let mut bloc = vec![0u8; TAILLE_CASE * 4096];
        while cases.len() < n {
            let k = (n - cases.len()).min(4096) * TAILLE_CASE;
            r.r.read_exact(&mut bloc[..k]).ok()?;
            for x in bloc[..k].chunks_exact(TAILLE_CASE) {
                let u = |i: usize| u32::from_le_bytes([x[8 + 4 * i], x[9 + 4 * i], x[10 + 4 * i], x[11 + 4 * i]]);
                let c = Case {
                    logements: u64::from_le_bytes(x[..8].try_into().ok()?),
                    bailleur: u(0),
                    commune: u(1),
                    epci: u(2),
                    reservataire: u(3),
                    echus: u(4),
                    financement: *Financement::ALL.get(x[28] as usize)?,
                    typologie: *TypologieGrille::ALL.get(x[29] as usize)?,
                    qpv: x[30] != 0,
                    individuel_collectif: if x[31] != 0 {
                        IndividuelCollectif::Individuel
                    } else {
                        IndividuelCollectif::Collectif
                    },
                };
                if [c.bailleur, c.commune, c.epci, c.reservataire].iter().zip(tailles).any(|(v, t)| *v as usize >= t) {
                    return None;
                }
                cases.push(c);
            }
        }
        // Nothing after the cells.
        if r.r.read(&mut [0u8; 1]).ok()? != 0 {
            return None;
        }
        Some(Cases { bailleurs, communes, epcis, reservataires, cases })
    }
}

const ENTETE: &[u8] = b"CNTG-CUBE-1\0";
const TAILLE_CASE: usize = 32;
/// The bytes are kept in parts of at most 64 MB (SQLite's largest value is 1 GB).
const TAILLE_PARTIE: usize = 64 << 20;

/// Reads the bytes of the cells, counting them.
struct Lecteur<'a, R: std::io::Read> {
    r: &'a mut R,
    lus: u64,
}

impl<R: std::io::Read> Lecteur<'_, R> {
    fn octets(&mut self, n: usize) -> Option<Vec<u8>> {
        let mut v = vec![0u8; n];
        self.r.read_exact(&mut v).ok()?;
        self.lus += n as u64;
        Some(v)
    }
    fn u32(&mut self) -> Option<u32> {
        let mut b = [0u8; 4];
        self.r.read_exact(&mut b).ok()?;
        self.lus += 4;
        Some(u32::from_le_bytes(b))
    }
    fn u64(&mut self) -> Option<u64> {
        let mut b = [0u8; 8];
        self.r.read_exact(&mut b).ok()?;
        self.lus += 8;
        Some(u64::from_le_bytes(b))
    }
}

/// The effective reference date of a dossier (its parameter, else 1 January of this year).
pub(super) fn date_reference(conn: &Connection) -> Result<String> {
    let d: Option<String> =
        conn.query_row("SELECT valeur FROM parametres WHERE cle = 'date_reference'", [], |r| r.get(0)).optional()?;
    Ok(d.as_deref().and_then(crate::model::Date::parse_iso).unwrap_or_else(super::default_date_reference).to_string())
}

/// What the cells derive from: the reference date, the territory, the last dwelling written,
/// how many dwellings the dossier holds and how many times any was written, and the active
/// version of each bailleur. Any change of the stock goes through one of them: a dwelling
/// written takes a new number; one removed lowers the count — also when another program
/// removes it (`DELETE` in `sqlite3`), which leaves the last number as it was; one changed in
/// place by another program (`UPDATE`) moves the number of writes. Both are kept by SQLite's
/// triggers for any program that writes (see [`CompteDesLogements`]): reading the fingerprint
/// costs five small queries. A dossier without them (of an earlier version, read where it
/// cannot be migrated; its triggers dropped by another program) has the fingerprint of the
/// earlier versions, the dwellings counted.
pub(super) fn empreinte(conn: &Connection, compte: &CompteDesLogements) -> Result<String> {
    let date = date_reference(conn)?;
    let territoire: String = conn
        .query_row("SELECT valeur FROM parametres WHERE cle = 'territoire'", [], |r| r.get(0))
        .optional()?
        .unwrap_or_default();
    let max: i64 = conn.query_row("SELECT COALESCE(MAX(id), 0) FROM logements", [], |r| r.get(0))?;
    let etat = compte.etat(conn)?;
    let lignes = etat.logements;
    let modifications = etat.modifications.map(|m| format!(" ; modifications {m}")).unwrap_or_default();
    let actifs: String = conn.query_row(
        "SELECT COALESCE(group_concat(import_id || ':' || bailleur, '|'), '') FROM
         (SELECT import_id, bailleur FROM import_bailleurs WHERE actif = 1 ORDER BY import_id, bailleur)",
        [],
        |r| r.get(0),
    )?;
    Ok(format!(
        "cube 2 ; date {date} ; territoire {territoire} ; logements {max} ; lignes {lignes}{modifications} ; actifs {actifs}"
    ))
}

/// Whether the dossier has the table of the cells (a dossier of an earlier version, opened
/// read-only, has not).
fn a_la_table(conn: &Connection) -> Result<bool> {
    Ok(conn.query_row("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'cube'", [], |r| {
        r.get::<_, i64>(0)
    })? > 0)
}

/// The fingerprint the kept cells were written with, if any.
fn empreinte_gardee(conn: &Connection) -> Result<Option<String>> {
    Ok(conn.query_row("SELECT valeur FROM parametres WHERE cle = 'cube_empreinte'", [], |r| r.get(0)).optional()?)
}

/// The kept cells, if they are those of the dossier as it is.
fn cases_gardees(conn: &Connection, compte: &CompteDesLogements) -> Result<Option<Cases>> {
    if !a_la_table(conn)? {
        return Ok(None);
    }
    let Some(gardee) = empreinte_gardee(conn)? else { return Ok(None) };
    if gardee != empreinte(conn, compte)? {
        return Ok(None);
    }
    lire_sans_verifier(conn)
}

/// The cells computed from the active dwellings (of some bailleurs only when given).
fn calculer(conn: &Connection, bailleurs: Option<&BTreeSet<String>>, a: &mut Agregat) -> Result<()> {
    let date = date_reference(conn)?;
    match bailleurs {
        None => pour_chaque_logement(conn, &date, Selection::default(), |l| a.logement(l)),
        Some(set) => {
            for b in set {
                pour_chaque_logement(conn, &date, Selection::du_bailleur(b), |l| a.logement(l))?;
            }
            Ok(())
        }
    }
}

/// Writes the cells and their fingerprint (inside the caller's transaction).
fn ecrire(conn: &Connection, compte: &CompteDesLogements, cases: &Cases) -> Result<()> {
    let bytes = cases.encoder();
    conn.execute("DELETE FROM cube", [])?;
    let mut st = conn.prepare("INSERT INTO cube(partie, donnees) VALUES (?1, ?2)")?;
    for (i, part) in bytes.chunks(TAILLE_PARTIE).enumerate() {
        st.execute(params![i as i64, part])?;
    }
    ecrire_empreinte(conn, compte)
}

/// Writes the fingerprint of the dossier as it is now (its cells unchanged).
pub(super) fn ecrire_empreinte(conn: &Connection, compte: &CompteDesLogements) -> Result<()> {
    conn.execute(
        "INSERT INTO parametres(cle, valeur) VALUES ('cube_empreinte', ?1)
         ON CONFLICT(cle) DO UPDATE SET valeur = excluded.valeur",
        [empreinte(conn, compte)?],
    )?;
    Ok(())
}

/// What a write changed in the stock, for the cells to follow inside its transaction.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Changement {
    /// Nothing in the stock (the fingerprint is written again: a new territory).
    #[default]
    Rien,
    /// The active dwellings of these bailleurs.
    Bailleurs(BTreeSet<String>),
    /// Everything (a new reference date moves extinct rights in every cell).
    Tout,
}

impl Changement {
    pub fn bailleur(&mut self, b: &str) {
        match self {
            Changement::Tout => {}
            Changement::Bailleurs(s) => {
                if !s.contains(b) {
                    s.insert(b.to_string());
                }
            }
            Changement::Rien => *self = Changement::Bailleurs([b.to_string()].into()),
        }
    }

    pub fn tout(&mut self) {
        *self = Changement::Tout;
    }
}

/// Whether the kept cells matched the dossier before a write: only then can they be updated
/// bailleur by bailleur (else they are computed again from every dwelling).
pub(super) fn valides(conn: &Connection, compte: &CompteDesLogements) -> Result<bool> {
    Ok(a_la_table(conn)? && empreinte_gardee(conn)?.is_some_and(|g| empreinte(conn, compte).is_ok_and(|e| e == g)))
}

/// Brings the kept cells up to date after a change, inside the caller's transaction.
/// `valides_avant`: what [`valides`] said before the change.
pub(super) fn suivre(
    conn: &Connection,
    compte: &CompteDesLogements,
    valides_avant: bool,
    changement: &Changement,
) -> Result<()> {
    let mut a = Agregat::default();
    match changement {
        Changement::Bailleurs(set) if valides_avant => {
            let Some(avant) = lire_sans_verifier(conn)? else { return reconstruire(conn, compte) };
            avant.sans(set, &mut a);
            calculer(conn, Some(set), &mut a)?;
        }
        Changement::Rien if valides_avant => return ecrire_empreinte(conn, compte),
        _ => return reconstruire(conn, compte),
    }
    ecrire(conn, compte, &a.cases())
}

/// The cells of the dwellings an import writes, counted as they are written: at commit, the
/// cells of its bailleurs are these, without reading the dwellings back.
#[derive(Default)]
pub struct Insertions {
    /// The reference date the extinct rights were counted at.
    date: String,
    agregat: Agregat,
    /// Every dwelling this write added or removed went through [`Insertions::ajouter`] or
    /// [`Insertions::retirer`], each in an import this write created.
    sures: bool,
    /// The (import, bailleur) of the dwellings counted.
    paires: BTreeSet<(i64, String)>,
    derniere: Option<(i64, String)>,
}

impl Insertions {
    pub fn new(date: String) -> Self {
        Insertions { date, sures: true, ..Default::default() }
    }

    fn paire(&mut self, import_id: i64, bailleur: &str) {
        if self.derniere.as_ref().is_some_and(|(i, b)| *i == import_id && b == bailleur) {
            return;
        }
        self.derniere = Some((import_id, bailleur.to_string()));
        self.paires.insert((import_id, bailleur.to_string()));
    }

    /// A dwelling written in an import of this write: its réservataire as written (the one it
    /// counts under is found here, from its end of convention as written).
    pub fn ajouter(&mut self, import_id: i64, l: &LogementCompte, fin: Option<&str>) {
        self.paire(import_id, l.bailleur);
        let reservataire = crate::model::reservataire_compte(l.reservataire, fin, &self.date);
        self.agregat.logement(&LogementCompte { reservataire, echu: reservataire != l.reservataire, ..*l });
    }

    /// A dwelling removed (its columns as [`LogementCompte`] reads them), of an import of this
    /// write.
    pub fn retirer(&mut self, import_id: i64, l: &LogementCompte) {
        self.paire(import_id, l.bailleur);
        self.agregat.retirer(l);
    }

    /// A dwelling written or removed otherwise: the cells are read back from the dwellings.
    pub fn incertaines(&mut self) {
        self.sures = false;
    }

    pub fn date(&self) -> &str {
        &self.date
    }

    /// The reference date the write sets: the dwellings counted before at another date no
    /// longer tell their cells.
    pub fn a_la_date(&mut self, date: String) {
        if self.paires.is_empty() && self.sures {
            self.date = date;
        } else if self.date != date {
            self.sures = false;
        }
    }
}

/// Brings the kept cells up to date after an import, from the cells of what it wrote when they
/// tell the whole active stock of its bailleurs: every dwelling it wrote or removed was counted,
/// at the dossier's reference date, and its bailleurs (`finis`, whose imports of this write are
/// now their active ones) have no older active import. Else as [`suivre`].
pub(super) fn suivre_import(
    conn: &Connection,
    compte: &CompteDesLogements,
    valides_avant: bool,
    changement: &Changement,
    ins: Insertions,
    premier: Option<i64>,
    finis: &BTreeSet<String>,
) -> Result<()> {
    let Some(premier) = premier else { return suivre(conn, compte, valides_avant, changement) };
    if !ins.sures || ins.date != date_reference(conn)? {
        return suivre(conn, compte, valides_avant, changement);
    }
    let touches = match changement {
        Changement::Bailleurs(set) => set,
        Changement::Tout => finis,
        Changement::Rien => return suivre(conn, compte, valides_avant, changement),
    };
    if !touches.is_subset(finis) {
        return suivre(conn, compte, valides_avant, changement);
    }
    // Each (import, bailleur) counted is an active one of this write, of a bailleur it finished.
    let mut actif = conn
        .prepare_cached("SELECT COUNT(*) FROM import_bailleurs WHERE import_id = ?1 AND bailleur = ?2 AND actif = 1")?;
    for (i, b) in &ins.paires {
        if *i < premier || !finis.contains(b) || actif.query_row(params![i, b], |r| r.get::<_, i64>(0))? == 0 {
            return suivre(conn, compte, valides_avant, changement);
        }
    }
    drop(actif);
    // The bailleurs active before this write: none of them may be one of its own.
    let mut st = conn.prepare("SELECT DISTINCT bailleur FROM import_bailleurs WHERE actif = 1 AND import_id < ?1")?;
    let autres: BTreeSet<String> = st.query_map([premier], |r| r.get(0))?.collect::<std::result::Result<_, _>>()?;
    drop(st);
    if !autres.is_disjoint(finis) {
        return suivre(conn, compte, valides_avant, changement);
    }
    let mut a = ins.agregat;
    match changement {
        Changement::Bailleurs(_) if valides_avant => {
            let Some(avant) = lire_sans_verifier(conn)? else { return reconstruire(conn, compte) };
            avant.sans(finis, &mut a);
        }
        // The other bailleurs' cells read from their dwellings (a new reference date, or cells
        // that did not match): none for a new dossier.
        _ => calculer(conn, Some(&autres), &mut a)?,
    }
    ecrire(conn, compte, &a.cases())
}

/// Computes the cells from every active dwelling and keeps them (a migration, a repair).
pub(super) fn reconstruire(conn: &Connection, compte: &CompteDesLogements) -> Result<()> {
    let mut a = Agregat::default();
    calculer(conn, None, &mut a)?;
    ecrire(conn, compte, &a.cases())
}

/// The kept cells as they are, fingerprint not checked (inside a write that checked it first).
/// Their parts are read through SQLite's incremental blob reading and decoded as they come:
/// neither SQLite nor this reading holds a whole part.
fn lire_sans_verifier(conn: &Connection) -> Result<Option<Cases>> {
    let mut st = conn.prepare("SELECT partie, length(donnees) FROM cube ORDER BY partie")?;
    let parties: Vec<(i64, i64)> =
        st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<std::result::Result<_, _>>()?;
    let taille = parties.iter().map(|p| p.1.max(0) as u64).sum();
    let mut flux =
        std::io::BufReader::with_capacity(1 << 20, Parties { conn, parties, suivante: 0, blob: None, erreur: None });
    let cases = Cases::decoder_flux(&mut flux, taille);
    // A part that could not be read is an error of the dossier, not cells that do not match.
    match flux.into_inner().erreur {
        Some(e) => Err(e.into()),
        None => Ok(cases),
    }
}

/// The parts of the kept cells, one after the other, as one stream of bytes.
struct Parties<'c> {
    conn: &'c Connection,
    parties: Vec<(i64, i64)>,
    suivante: usize,
    blob: Option<rusqlite::blob::Blob<'c>>,
    erreur: Option<rusqlite::Error>,
}

impl std::io::Read for Parties<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        loop {
            if let Some(b) = &mut self.blob {
                let n = b.read(buf)?;
                if n > 0 || buf.is_empty() {
                    return Ok(n);
                }
                self.blob = None;
            }
            let Some((partie, _)) = self.parties.get(self.suivante) else { return Ok(0) };
            self.suivante += 1;
            match self.conn.blob_open(rusqlite::MAIN_DB, "cube", "donnees", *partie, true) {
                Ok(b) => self.blob = Some(b),
                Err(e) => {
                    let io = std::io::Error::other(e.to_string());
                    self.erreur = Some(e);
                    return Err(io);
                }
            }
        }
    }
}

impl Dossier {
    /// The cells of the active stock: those kept in the dossier when their fingerprint matches,
    /// else computed from the dwellings (in memory: reading never writes).
    pub fn cases_du_cube(&self) -> Result<Cases> {
        if let Some(c) = cases_gardees(&self.conn, &self.compte)? {
            return Ok(c);
        }
        self.cases_calculees()
    }

    /// The cells computed from every active dwelling (what the kept cells must equal).
    pub fn cases_calculees(&self) -> Result<Cases> {
        let mut a = Agregat::default();
        calculer(&self.conn, None, &mut a)?;
        Ok(a.cases())
    }

    /// [`Dossier::cases_du_cube`], saying how far a computation from the dwellings has gone
    /// (0 to 1) to `avance`, which answers false to stop it: `None` then.
    pub fn cases_du_cube_suivies(&self, avance: &mut dyn FnMut(f32) -> bool) -> Result<Option<Cases>> {
        if let Some(c) = cases_gardees(&self.conn, &self.compte)? {
            return Ok(Some(c));
        }
        // The dwellings of the active imports, as their imports counted them (an estimate when
        // an import holds several bailleurs, one of them replaced since).
        let total: i64 = self.conn.query_row(
            "SELECT COALESCE(SUM(i.logements), 0) FROM imports i
             WHERE EXISTS (SELECT 1 FROM import_bailleurs b WHERE b.import_id = i.id AND b.actif = 1)",
            [],
            |r| r.get(0),
        )?;
        let date = date_reference(&self.conn)?;
        let mut a = Agregat::default();
        let mut n = 0u64;
        let fini = parcourir(&self.conn, &date, Selection::default(), |l| {
            a.logement(l);
            n += 1;
            !n.is_multiple_of(1 << 16) || avance((n as f32 / total.max(1) as f32).min(1.0))
        })?;
        Ok(fini.then(|| a.cases()))
    }

    /// Whether the cells kept in the dossier match it (else they are computed at each opening
    /// until the next write).
    pub fn cube_a_jour(&self) -> Result<bool> {
        valides(&self.conn, &self.compte)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cases(n: usize) -> Cases {
        let mut a = Agregat::default();
        let mut rng = crate::hasard::Rng::new(n as u64);
        for i in 0..n {
            a.ajouter(
                &format!("Bailleur {}", rng.below(7)),
                &format!("0600{}", rng.below(9)),
                "240600585",
                ["etat", "non-reserve", "action-logement"][rng.below(3)],
                Financement::ALL[rng.below(5)],
                TypologieGrille::ALL[rng.below(6)],
                rng.below(2) == 0,
                if i % 3 == 0 { IndividuelCollectif::Individuel } else { IndividuelCollectif::Collectif },
                1 + rng.below(40) as u64,
                rng.below(2) as u32,
            );
        }
        a.cases()
    }

    /// The cells read back from their bytes, whole or in parts of any size read one after the
    /// other from the dossier's table; bytes that are not those of cells read as none.
    #[test]
    fn the_kept_cells_read_back_the_same_in_parts_of_any_size() {
        for n in [0, 1, 3_000] {
            let c = cases(n);
            let b = c.encoder();
            assert_eq!(Cases::decoder(&b).as_ref(), Some(&c));
            let conn = Connection::open_in_memory().unwrap();
            conn.execute_batch("CREATE TABLE cube (partie INTEGER PRIMARY KEY, donnees BLOB NOT NULL)").unwrap();
            for taille in [1, 7, 32, 4096, b.len()] {
                conn.execute("DELETE FROM cube", []).unwrap();
                for (i, p) in b.chunks(taille).enumerate() {
                    conn.execute("INSERT INTO cube(partie, donnees) VALUES (?1, ?2)", params![i as i64, p]).unwrap();
                }
                assert_eq!(lire_sans_verifier(&conn).unwrap().as_ref(), Some(&c), "{n} cells in parts of {taille}");
            }
        }
        let b = cases(50).encoder();
        assert_eq!(Cases::decoder(&b[..b.len() - 1]), None, "a cell cut short");
        assert_eq!(Cases::decoder(&[&b[..], &[0]].concat()), None, "a byte after the cells");
        assert_eq!(Cases::decoder(&b[..20]), None, "dictionaries cut short");
        assert_eq!(Cases::decoder(b"CNTG-CUBE-0\0"), None);
        let mut mauvais = b.clone();
        let k = mauvais.len() - TAILLE_CASE + 8;
        mauvais[k..k + 4].copy_from_slice(&u32::MAX.to_le_bytes());
        assert_eq!(Cases::decoder(&mauvais), None, "a bailleur's code out of its dictionary");
    }
}
