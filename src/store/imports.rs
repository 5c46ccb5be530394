//! Writing an état des lieux: one import (one or several files) in one transaction, and the
//! rows set aside read again when a label is mapped or the territory changes.

use super::plans::{self, PlanDeFeuille};
use super::{Dossier, Result, map_open_error, now_iso, prochain_numero};
use crate::model::{Conflit, Date, LigneLogement, Motif, Rejet};
use crate::reference::Territoire;
use rusqlite::{OptionalExtension, Transaction, params};
use std::collections::HashMap;

impl Dossier {
    /// The rows set aside, in the active imports, whose motif a mapping or a decision may
    /// resolve: what the import reads again ([`MOTIFS_A_RELIRE`]).
    pub fn rejets_a_relire(&self, motifs: &[Motif]) -> Result<Vec<RejetARelire>> {
        let liste = motifs.iter().map(|m| format!("'{}'", m.as_str())).collect::<Vec<_>>().join(", ");
        let mut st = self.conn.prepare(&format!(
            "SELECT r.id, r.import_id, r.bailleur, r.feuille, r.ligne, r.brut, i.colonnes, i.fichier FROM rejets r
             JOIN imports i ON i.id = r.import_id
             JOIN import_bailleurs b ON b.import_id = r.import_id AND b.bailleur = r.bailleur AND b.actif = 1
             WHERE r.motif IN ({liste}) ORDER BY r.id"
        ))?;
        let mut plans = Plans::default();
        let mut out = Vec::new();
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            out.push(plans.rejet(r)?);
        }
        Ok(out)
    }

    /// The rows set aside for one motif in the active imports, with their value.
    pub fn rejets_du_motif(&self, motif: Motif) -> Result<Vec<(RejetARelire, String)>> {
        let mut st = self.conn.prepare(
            "SELECT r.id, r.import_id, r.bailleur, r.feuille, r.ligne, r.brut, i.colonnes, i.fichier, r.valeur FROM rejets r
             JOIN imports i ON i.id = r.import_id
             JOIN import_bailleurs b ON b.import_id = r.import_id AND b.bailleur = r.bailleur AND b.actif = 1
             WHERE r.motif = ?1 ORDER BY r.id",
        )?;
        let mut plans = Plans::default();
        let mut out = Vec::new();
        let mut rows = st.query([motif.as_str()])?;
        while let Some(r) = rows.next()? {
            out.push((plans.rejet(r)?, r.get(8)?));
        }
        Ok(out)
    }
}

/// The column plans of the imports met, read once per import.
#[derive(Default)]
struct Plans(HashMap<i64, Vec<PlanDeFeuille>>);

impl Plans {
    /// A row set aside from the columns `id, import_id, bailleur, feuille, ligne, brut,
    /// colonnes, fichier`.
    fn rejet(&mut self, r: &rusqlite::Row) -> rusqlite::Result<RejetARelire> {
        let import_id: i64 = r.get(1)?;
        let feuille: Option<String> = r.get(3)?;
        let plan = match self.0.entry(import_id) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(e) => e.insert(plans::lire(r.get_ref(6)?.as_str().unwrap_or(""))),
        }
        .iter()
        .find(|p| p.feuille == feuille)
        .cloned();
        Ok(RejetARelire {
            id: r.get(0)?,
            import_id,
            bailleur: r.get(2)?,
            feuille,
            ligne: r.get(4)?,
            brut: r.get(5)?,
            plan,
            fichier: r.get(7)?,
        })
    }
}

/// A dwelling of the dossier that a change of territory puts outside it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LogementSortant {
    pub bailleur: String,
    pub reference: String,
    pub commune: String,
}

/// The motifs a label mapping (or the century of a column) may resolve.
pub const MOTIFS_A_RELIRE: &[Motif] = &[
    Motif::ReservataireInconnu,
    Motif::CommuneInconnue,
    Motif::TypologieInconnue,
    Motif::FinancementInconnu,
    Motif::DateAmbigue,
];

/// A row set aside, to read again from its raw cells through the plan of its sheet.
#[derive(Debug, Clone)]
pub struct RejetARelire {
    pub id: i64,
    pub import_id: i64,
    pub bailleur: String,
    pub feuille: Option<String>,
    pub ligne: u32,
    pub brut: String,
    /// How its sheet was read (none when the import's plans are unreadable).
    pub plan: Option<PlanDeFeuille>,
    pub fichier: String,
}

/// Writes one import (one or several files) inside one transaction.
pub struct ImportWriter<'c> {
    tx: Transaction<'c>,
    compte: &'c super::CompteDesLogements,
    now: String,
    /// The dwellings index was dropped for a bulk load and is rebuilt at commit.
    index_dropped: std::cell::Cell<bool>,
    /// The first import of this call (the imports before it are the dossier as it was).
    premier: std::cell::Cell<Option<i64>>,
    /// Active dwellings per bailleur before this call, counted in one pass when the index is
    /// about to be dropped (without it, one count per bailleur would read every dwelling).
    avant: std::cell::RefCell<Option<std::collections::HashMap<String, u64>>>,
    /// Whether the cells of the cube matched the dossier when this write began, and what it
    /// changed in the stock since: the cells follow at commit.
    cube_valide: bool,
    changement: std::cell::RefCell<super::cube::Changement>,
    /// The cells of the dwellings written (see [`super::cube::suivre_import`]).
    insertions: std::cell::RefCell<super::cube::Insertions>,
    /// The bailleurs whose imports of this write became their active ones.
    finis: std::cell::RefCell<std::collections::BTreeSet<String>>,
}

const INSERT_LOGEMENT: &str = "INSERT INTO logements(import_id, bailleur, reference, commune, epci, reservataire,
    reservataire_brut, financement, financement_brut, typologie, typologie_grille, typologie_brut, qpv,
    individuel_collectif, date_fin_convention, annee_construction, nature, commune_brut, feuille, ligne, brut, id)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22)";

/// The values of a dwelling row, in the order of [`INSERT_LOGEMENT`].
const VALEURS: usize = 22;

/// Dwellings written by one INSERT of a large import: one statement run for 4 rows instead of
/// 4 (SQLite keeps its cursor at the end of the table between them, where the next row goes).
/// Not more: SQLite copies each text bound (56 for 4 rows) into the connection's small
/// memory (lookaside); with 16 rows (224 texts) it ran out and every copy went through
/// SQLite's general allocator and its lock (3,6 % of the import's processor time).
const PAR_INSERT: usize = 4;

/// The INSERT of [`PAR_INSERT`] dwellings: the columns of [`INSERT_LOGEMENT`], and its values
/// repeated, numbered one after another (row `k` binds `22 k + 1` to `22 k + 22`).
fn insert_logements() -> String {
    let colonnes = INSERT_LOGEMENT.split("VALUES").next().unwrap_or_default();
    let ligne = format!("({})", vec!["?"; VALEURS].join(", "));
    format!("{colonnes}VALUES {}", vec![ligne; PAR_INSERT].join(", "))
}

/// A prepared dwelling insert (see [`ImportWriter::logement_insert`]): each dwelling written
/// is also counted into the cells of the cube.
pub struct LogementInsert<'w> {
    st: rusqlite::Statement<'w>,
    /// [`PAR_INSERT`] rows at once.
    groupe: rusqlite::Statement<'w>,
    insertions: &'w std::cell::RefCell<super::cube::Insertions>,
    premier: &'w std::cell::Cell<Option<i64>>,
}

impl LogementInsert<'_> {
    /// Writes the dwelling `i` of `lot` under its number (the import numbers its dwellings
    /// itself, from [`ImportWriter::prochain_logement`], so that reading, normalising and
    /// writing overlap).
    pub fn insert(&mut self, import_id: i64, lot: &LogementsAEcrire, i: usize) -> Result<()> {
        let (id, v) = lot.vue(i);
        lier(&mut self.st, Some(id), import_id, &v)?;
        self.compter(import_id, &v);
        Ok(())
    }

    /// Writes the dwellings `indices` of `lot`, in this order, [`PAR_INSERT`] rows per
    /// statement (the rest one by one).
    pub fn inserer(&mut self, import_id: i64, lot: &LogementsAEcrire, indices: &[usize]) -> Result<()> {
        let mut groupes = indices.chunks_exact(PAR_INSERT);
        for groupe in &mut groupes {
            for (k, &i) in groupe.iter().enumerate() {
                let (id, v) = lot.vue(i);
                lier_a(&mut self.groupe, k * VALEURS, id, import_id, &v)?;
                self.compter(import_id, &v);
            }
            self.groupe.raw_execute()?;
        }
        for &i in groupes.remainder() {
            self.insert(import_id, lot, i)?;
        }
        Ok(())
    }

    /// Counts a dwelling written into the cells of the cube.
    fn compter(&self, import_id: i64, v: &Vue) {
        let mut ins = self.insertions.borrow_mut();
        if self.premier.get().is_some_and(|p| import_id >= p) {
            ins.ajouter(import_id, &v.compte(), v.fin);
        } else {
            ins.incertaines();
        }
    }
}

/// The texts of a dwelling to write, in this order, end to end in [`LogementsAEcrire`].
const TEXTES: usize = 14;

/// Dwellings to write, their texts end to end in one buffer: filled by the thread that
/// normalises, written by the one that holds the transaction, without one allocation per
/// dwelling crossing threads (each row's own strings are freed at once by the thread that
/// made them, which reuses them).
#[derive(Default)]
pub struct LogementsAEcrire {
    texte: String,
    lignes: Vec<Plat>,
}

/// A dwelling of [`LogementsAEcrire`]: where each of its texts ends, and its codes.
struct Plat {
    id: i64,
    debut: usize,
    fins: [usize; TEXTES],
    financement: crate::model::Financement,
    grille: crate::model::TypologieGrille,
    qpv: bool,
    individuel_collectif: crate::model::IndividuelCollectif,
    annee_construction: Option<i32>,
    /// Whether the end of convention, the nature and the sheet are given (else NULL).
    fin: bool,
    nature: bool,
    feuille: bool,
    ligne: u32,
}

impl LogementsAEcrire {
    /// Adds a dwelling to write under the number `id`; its index in the lot.
    pub fn ajouter(&mut self, id: i64, l: &LigneLogement) -> usize {
        use std::fmt::Write;
        let g = &l.logement;
        let debut = self.texte.len();
        let mut fins = [0; TEXTES];
        let t = &mut self.texte;
        let mut k = 0;
        let mut fin = |t: &mut String| {
            fins[k] = t.len();
            k += 1;
        };
        for x in [&g.bailleur, &g.reference, &g.commune, &g.epci] {
            t.push_str(x);
            fin(t);
        }
        t.push_str(g.reservataire.as_str());
        fin(t);
        t.push_str(&l.reservataire_brut);
        fin(t);
        t.push_str(&l.financement_brut);
        fin(t);
        g.typologie.ecrire_label(t);
        fin(t);
        t.push_str(&l.typologie_brut);
        fin(t);
        if let Some(d) = g.date_fin_convention {
            let _ = write!(t, "{d}");
        }
        fin(t);
        t.push_str(g.nature.as_deref().unwrap_or(""));
        fin(t);
        t.push_str(&l.commune_brut);
        fin(t);
        t.push_str(l.source.feuille.as_deref().unwrap_or(""));
        fin(t);
        t.push_str(&l.brut);
        fin(t);
        self.lignes.push(Plat {
            id,
            debut,
            fins,
            financement: g.financement,
            grille: g.typologie.grille(),
            qpv: g.qpv,
            individuel_collectif: g.individuel_collectif,
            annee_construction: g.annee_construction,
            fin: g.date_fin_convention.is_some(),
            nature: g.nature.is_some(),
            feuille: l.source.feuille.is_some(),
            ligne: l.source.ligne,
        });
        self.lignes.len() - 1
    }

    pub fn clear(&mut self) {
        self.texte.clear();
        self.lignes.clear();
    }

    pub fn len(&self) -> usize {
        self.lignes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.lignes.is_empty()
    }

    /// The number and the columns of the dwelling `i`.
    fn vue(&self, i: usize) -> (i64, Vue<'_>) {
        let p = &self.lignes[i];
        let champ = |k: usize| {
            let a = if k == 0 { p.debut } else { p.fins[k - 1] };
            &self.texte[a..p.fins[k]]
        };
        let v = Vue {
            bailleur: champ(0),
            reference: champ(1),
            commune: champ(2),
            epci: champ(3),
            reservataire: champ(4),
            reservataire_brut: champ(5),
            financement: p.financement,
            financement_brut: champ(6),
            typologie: champ(7),
            grille: p.grille,
            typologie_brut: champ(8),
            qpv: p.qpv,
            individuel_collectif: p.individuel_collectif,
            fin: p.fin.then(|| champ(9)),
            annee_construction: p.annee_construction,
            nature: p.nature.then(|| champ(10)),
            commune_brut: champ(11),
            feuille: p.feuille.then(|| champ(12)),
            ligne: p.ligne,
            brut: champ(13),
        };
        (p.id, v)
    }
}

/// The columns of a dwelling as written.
struct Vue<'a> {
    bailleur: &'a str,
    reference: &'a str,
    commune: &'a str,
    epci: &'a str,
    reservataire: &'a str,
    reservataire_brut: &'a str,
    financement: crate::model::Financement,
    financement_brut: &'a str,
    typologie: &'a str,
    grille: crate::model::TypologieGrille,
    typologie_brut: &'a str,
    qpv: bool,
    individuel_collectif: crate::model::IndividuelCollectif,
    fin: Option<&'a str>,
    annee_construction: Option<i32>,
    nature: Option<&'a str>,
    commune_brut: &'a str,
    feuille: Option<&'a str>,
    ligne: u32,
    brut: &'a str,
}

impl Vue<'_> {
    /// As the cells count it, its réservataire as written (see [`super::cube::Insertions::ajouter`]).
    fn compte(&self) -> super::logements::LogementCompte<'_> {
        super::logements::LogementCompte {
            bailleur: self.bailleur,
            commune: self.commune,
            epci: self.epci,
            reservataire: self.reservataire,
            financement: self.financement,
            typologie: self.grille,
            qpv: self.qpv,
            individuel_collectif: self.individuel_collectif,
            nature: self.nature,
            echu: false,
        }
    }
}

/// Binds the values of a dwelling to `?base + 1` … `?base + 22` of a statement of several rows.
fn lier_a(st: &mut rusqlite::Statement<'_>, base: usize, id: i64, import_id: i64, v: &Vue) -> Result<()> {
    let valeurs: [&dyn rusqlite::ToSql; VALEURS] = [
        &import_id,
        &v.bailleur,
        &v.reference,
        &v.commune,
        &v.epci,
        &v.reservataire,
        &v.reservataire_brut,
        &v.financement.as_str(),
        &v.financement_brut,
        &v.typologie,
        &v.grille.as_str(),
        &v.typologie_brut,
        &v.qpv,
        &v.individuel_collectif.as_str(),
        &v.fin,
        &v.annee_construction,
        &v.nature,
        &v.commune_brut,
        &v.feuille,
        &v.ligne,
        &v.brut,
        &id,
    ];
    for (k, valeur) in valeurs.into_iter().enumerate() {
        st.raw_bind_parameter(base + k + 1, valeur)?;
    }
    Ok(())
}

fn lier(st: &mut rusqlite::Statement<'_>, id: Option<i64>, import_id: i64, v: &Vue) -> Result<i64> {
    Ok(st.insert(params![
        import_id,
        v.bailleur,
        v.reference,
        v.commune,
        v.epci,
        v.reservataire,
        v.reservataire_brut,
        v.financement.as_str(),
        v.financement_brut,
        v.typologie,
        v.grille.as_str(),
        v.typologie_brut,
        v.qpv,
        v.individuel_collectif.as_str(),
        v.fin,
        v.annee_construction,
        v.nature,
        v.commune_brut,
        v.feuille,
        v.ligne,
        v.brut,
        id,
    ])?)
}

/// The dwellings index: a bailleur's active dwellings (flux, cube), and one dwelling by its
/// reference (orientation, fiche navette) without reading the bailleur's whole stock.
const LOGEMENTS_INDEX: &str = "CREATE INDEX logements_import ON logements(import_id, bailleur, reference)";

impl<'c> ImportWriter<'c> {
    pub fn begin(d: &'c mut Dossier) -> Result<Self> {
        let tx = d
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(|e| map_open_error(&d.path, e))?;
        let compte = &d.compte;
        let cube_valide = super::cube::valides(&tx, compte)?;
        let date = super::cube::date_reference(&tx)?;
        Ok(Self {
            tx,
            compte,
            now: now_iso(),
            index_dropped: std::cell::Cell::new(false),
            premier: std::cell::Cell::new(None),
            avant: std::cell::RefCell::new(None),
            cube_valide,
            changement: Default::default(),
            insertions: std::cell::RefCell::new(super::cube::Insertions::new(date)),
            finis: Default::default(),
        })
    }

    /// The number the next dwelling written takes (one more than the last one).
    pub fn prochain_logement(&self) -> Result<i64> {
        Ok(self.tx.query_row("SELECT COALESCE(MAX(id), 0) + 1 FROM logements", [], |r| r.get(0))?)
    }

    /// Announces about `rows` more dwellings. When they outnumber those already in the
    /// dossier, the dwellings index is dropped and rebuilt once at commit, which is cheaper
    /// than keeping it up to date row by row, and so are the triggers that count the dwellings
    /// (counted once at commit, from the new index); all inside the transaction: a failed
    /// import leaves them as they were.
    pub fn expect_rows(&self, rows: usize) -> Result<()> {
        if self.index_dropped.get() || rows < 20_000 {
            return Ok(());
        }
        let existing: i64 = self.tx.query_row("SELECT COALESCE(MAX(id), 0) FROM logements", [], |r| r.get(0))?;
        if rows as i64 >= existing {
            let premier = self.premier.get().unwrap_or(i64::MAX);
            let mut st = self.tx.prepare(
                "SELECT b.bailleur, COUNT(*) FROM import_bailleurs b CROSS JOIN logements l
                 ON l.import_id = b.import_id AND l.bailleur = b.bailleur
                 WHERE b.actif = 1 AND b.import_id < ?1 GROUP BY b.bailleur",
            )?;
            let counts = st
                .query_map([premier], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as u64)))?
                .collect::<std::result::Result<std::collections::HashMap<_, _>, _>>()?;
            drop(st);
            self.avant.borrow_mut().get_or_insert_with(Default::default).extend(counts);
            self.tx.execute_batch("DROP INDEX IF EXISTS logements_import")?;
            // Nor the count of the dwellings row by row: counted once at commit.
            self.tx.execute_batch(super::schema::SANS_DECLENCHEURS)?;
            self.index_dropped.set(true);
        }
        Ok(())
    }

    pub fn set_parametre(&self, cle: &str, valeur: &str) -> Result<()> {
        if cle == "date_reference" {
            let avant: Option<String> = self
                .tx
                .query_row("SELECT valeur FROM parametres WHERE cle = 'date_reference'", [], |r| r.get(0))
                .optional()?;
            if avant.as_deref() != Some(valeur) {
                self.changement.borrow_mut().tout();
            }
            // The cells of the dwellings written count their extinct rights at this date.
            let effective =
                crate::model::Date::parse_iso(valeur).unwrap_or_else(super::default_date_reference).to_string();
            self.insertions.borrow_mut().a_la_date(effective);
        }
        self.tx.execute(
            "INSERT INTO parametres(cle, valeur) VALUES (?1, ?2) ON CONFLICT(cle) DO UPDATE SET valeur = excluded.valeur",
            params![cle, valeur],
        )?;
        Ok(())
    }

    /// A new import of a file, with how its sheets were read.
    pub fn new_import(&self, fichier: &str, chemin: &str, sha256: &str, plans: &[PlanDeFeuille]) -> Result<i64> {
        let id = prochain_numero(&self.tx)?;
        if self.premier.get().is_none() {
            self.premier.set(Some(id));
        }
        self.tx.execute(
            "INSERT INTO imports(id, fichier, chemin, sha256, date_import, colonnes) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![id, fichier, chemin, sha256, self.now, plans::ecrire(plans)],
        )?;
        Ok(id)
    }

    pub fn insert_logement(&self, import_id: i64, l: &LigneLogement) -> Result<i64> {
        self.changement.borrow_mut().bailleur(&l.logement.bailleur);
        self.insertions.borrow_mut().incertaines();
        let mut st = self.tx.prepare_cached(INSERT_LOGEMENT)?;
        let mut lot = LogementsAEcrire::default();
        let i = lot.ajouter(0, l);
        lier(&mut st, None, import_id, &lot.vue(i).1)
    }

    /// The dwelling insert prepared once for a whole import (no statement lookup per row).
    pub fn logement_insert(&self) -> Result<LogementInsert<'_>> {
        Ok(LogementInsert {
            st: self.tx.prepare(INSERT_LOGEMENT)?,
            groupe: self.tx.prepare(&insert_logements())?,
            insertions: &self.insertions,
            premier: &self.premier,
        })
    }

    pub fn delete_logement(&self, row_id: i64) -> Result<()> {
        let colonnes = super::logements::COLONNES_COMPTE.replace("l.", "");
        let mut st =
            self.tx.prepare_cached(&format!("DELETE FROM logements WHERE id = ?1 RETURNING {colonnes}, import_id"))?;
        let mut rows = st.query([row_id])?;
        if let Some(r) = rows.next()? {
            let import_id: i64 = r.get(10)?;
            let mut ins = self.insertions.borrow_mut();
            let date = ins.date().to_string();
            let l = super::logements::logement_compte(r, &date)?;
            self.changement.borrow_mut().bailleur(l.bailleur);
            if self.premier.get().is_some_and(|p| import_id >= p) {
                ins.retirer(import_id, &l);
            } else {
                ins.incertaines();
            }
        }
        Ok(())
    }

    pub fn insert_rejet(&self, import_id: i64, r: &Rejet) -> Result<()> {
        self.tx
            .prepare_cached(
                "INSERT INTO rejets(import_id, bailleur, feuille, ligne, motif, valeur, brut) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?
            .execute(params![import_id, r.bailleur, r.source.feuille, r.source.ligne, r.motif.as_str(), r.valeur, r.brut])?;
        Ok(())
    }

    pub fn insert_conflit(&self, import_id: i64, c: &Conflit) -> Result<()> {
        self.tx.execute(
            "INSERT INTO conflits(import_id, bailleur, reference, motif, valeurs) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![import_id, c.bailleur, c.reference, c.motif, serde_json::to_string(&c.valeurs).unwrap_or_default()],
        )?;
        Ok(())
    }

    /// Records the counts of an import and makes it the active version of its bailleurs.
    /// Earlier imports of the same invocation (ids from `first_of_invocation`) stay active.
    pub fn finish_import(
        &self,
        import_id: i64,
        first_of_invocation: i64,
        bailleurs: &[String],
        counts: [usize; 5],
    ) -> Result<()> {
        self.tx.execute(
            "UPDATE imports SET lignes_lues = ?2, logements = ?3, rejets = ?4, conflits = ?5, doublons = ?6 WHERE id = ?1",
            params![import_id, counts[0] as i64, counts[1] as i64, counts[2] as i64, counts[3] as i64, counts[4] as i64],
        )?;
        for b in bailleurs {
            self.changement.borrow_mut().bailleur(b);
            self.finis.borrow_mut().insert(b.clone());
            self.tx.execute(
                "UPDATE import_bailleurs SET actif = 0 WHERE bailleur = ?1 AND import_id < ?2",
                params![b, first_of_invocation],
            )?;
            self.tx.execute(
                "INSERT INTO import_bailleurs(import_id, bailleur, actif) VALUES (?1, ?2, 1)
                 ON CONFLICT(import_id, bailleur) DO UPDATE SET actif = 1",
                params![import_id, b],
            )?;
        }
        Ok(())
    }

    /// A bailleur's active dwellings before the import `first` (the first of this call).
    pub fn logements_actifs_avant(&self, bailleur: &str, first: i64) -> Result<u64> {
        if self.index_dropped.get()
            && let Some(m) = self.avant.borrow().as_ref()
        {
            return Ok(m.get(bailleur).copied().unwrap_or(0));
        }
        let n: i64 = self.tx.query_row(
            "SELECT COUNT(*) FROM import_bailleurs b CROSS JOIN logements l
             ON l.import_id = b.import_id AND l.bailleur = b.bailleur
             WHERE b.actif = 1 AND b.bailleur = ?1 AND b.import_id < ?2",
            params![bailleur, first],
            |r| r.get(0),
        )?;
        Ok(n as u64)
    }

    /// The imports that hold a bailleur's active dwellings before the import `first` (the first
    /// of this call): what this call replaces for it.
    pub fn imports_actifs_avant(&self, bailleur: &str, first: i64) -> Result<Vec<i64>> {
        let mut st = self.tx.prepare_cached(
            "SELECT import_id FROM import_bailleurs WHERE bailleur = ?1 AND actif = 1 AND import_id < ?2
             ORDER BY import_id",
        )?;
        Ok(st.query_map(params![bailleur, first], |r| r.get(0))?.collect::<std::result::Result<_, _>>()?)
    }

    /// Every dwelling of the imports `imports` (any bailleur), in the order they were written:
    /// `f(import, bailleur, reference)`. One pass, whether the index is there or dropped for a
    /// bulk load.
    pub fn references_des_imports(&self, imports: &[i64], mut f: impl FnMut(i64, &str, &str)) -> Result<()> {
        if imports.is_empty() {
            return Ok(());
        }
        let liste = imports.iter().map(i64::to_string).collect::<Vec<_>>().join(", ");
        let mut st = self.tx.prepare(&format!(
            "SELECT import_id, bailleur, reference FROM logements WHERE import_id IN ({liste}) ORDER BY id"
        ))?;
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            f(r.get(0)?, r.get_ref(1)?.as_str().unwrap_or(""), r.get_ref(2)?.as_str().unwrap_or(""));
        }
        Ok(())
    }

    /// The active import identical to a file (same SHA-256), if every bailleur it holds still
    /// uses it — and, when given, the file's bailleur is one of them: importing it again would
    /// change nothing.
    pub fn import_actif_identique(&self, sha256: &str, bailleur: Option<&str>) -> Result<Option<i64>> {
        let mut st = self.tx.prepare_cached(
            "SELECT i.id FROM imports i WHERE i.sha256 = ?1
               AND EXISTS (SELECT 1 FROM import_bailleurs b WHERE b.import_id = i.id AND b.actif = 1)
               AND NOT EXISTS (SELECT 1 FROM import_bailleurs b WHERE b.import_id = i.id AND b.actif = 0)
             ORDER BY i.id DESC",
        )?;
        let ids: Vec<i64> = st.query_map([sha256], |r| r.get(0))?.collect::<std::result::Result<_, _>>()?;
        for id in ids {
            let Some(b) = bailleur else { return Ok(Some(id)) };
            let k: i64 = self.tx.query_row(
                "SELECT COUNT(*) FROM import_bailleurs WHERE import_id = ?1 AND bailleur = ?2",
                params![id, b],
                |r| r.get(0),
            )?;
            if k > 0 {
                return Ok(Some(id));
            }
        }
        Ok(None)
    }

    pub fn has_active_logement(&self, bailleur: &str, reference: &str) -> Result<bool> {
        let n: i64 = self.tx.query_row(
            "SELECT COUNT(*) FROM logements l JOIN import_bailleurs b ON b.import_id = l.import_id
             AND b.bailleur = l.bailleur AND b.actif = 1 WHERE l.bailleur = ?1 AND l.reference = ?2",
            params![bailleur, reference],
            |r| r.get(0),
        )?;
        Ok(n > 0)
    }

    /// A row set aside that became a dwelling (`logement`), or was found already in force (a
    /// doublon): the import's counts follow, so that its history says what it holds now
    /// (lines read = kept + set aside + doublons still).
    pub fn rejet_reintegre(&self, import_id: i64, logement: bool) -> Result<()> {
        let sql = if logement {
            "UPDATE imports SET logements = logements + 1, rejets = MAX(rejets - 1, 0) WHERE id = ?1"
        } else {
            "UPDATE imports SET doublons = doublons + 1, rejets = MAX(rejets - 1, 0) WHERE id = ?1"
        };
        self.tx.execute(sql, [import_id])?;
        Ok(())
    }

    pub fn delete_rejet(&self, id: i64) -> Result<()> {
        self.tx.execute("DELETE FROM rejets WHERE id = ?1", [id])?;
        Ok(())
    }

    pub fn update_rejet(&self, id: i64, motif: Motif, valeur: &str) -> Result<()> {
        self.tx
            .execute("UPDATE rejets SET motif = ?2, valeur = ?3 WHERE id = ?1", params![id, motif.as_str(), valeur])?;
        Ok(())
    }

    pub fn count_echus(&self, import_id: i64, date_reference: Date) -> Result<usize> {
        let n: i64 = self.tx.query_row(
            "SELECT COUNT(*) FROM logements WHERE import_id = ?1 AND reservataire <> ?3
             AND date_fin_convention IS NOT NULL AND date_fin_convention < ?2",
            params![import_id, date_reference.to_string(), crate::model::Reservataire::NON_RESERVE.as_str()],
            |r| r.get(0),
        )?;
        Ok(n as usize)
    }

    /// Every dwelling (of every import, active or not) whose commune is outside `t`: (row id,
    /// its import is active for its bailleur, the dwelling).
    pub fn logements_hors(&self, t: &Territoire) -> Result<Vec<(i64, bool, LogementSortant)>> {
        let r = crate::reference::reference();
        let mut st = self.tx.prepare(
            "SELECT l.id, l.bailleur, l.reference, l.commune, COALESCE(b.actif, 0) FROM logements l
             LEFT JOIN import_bailleurs b ON b.import_id = l.import_id AND b.bailleur = l.bailleur ORDER BY l.id",
        )?;
        let mut out = Vec::new();
        let mut rows = st.query([])?;
        while let Some(row) = rows.next()? {
            let commune: String = row.get(3)?;
            if r.commune(&commune).is_some_and(|c| t.contains(c)) {
                continue;
            }
            out.push((
                row.get(0)?,
                row.get::<_, i64>(4)? != 0,
                LogementSortant { bailleur: row.get(1)?, reference: row.get(2)?, commune },
            ));
        }
        Ok(out)
    }

    /// Sets a dwelling aside as outside the territory: it becomes a row set aside of its import
    /// (`commune_hors_territoire`, its raw commune and cells kept), to come back if the
    /// territory takes its commune in again.
    pub fn sortir_du_territoire(&self, id: i64) -> Result<()> {
        self.insertions.borrow_mut().incertaines();
        let b: Option<String> =
            self.tx.query_row("SELECT bailleur FROM logements WHERE id = ?1", [id], |r| r.get(0)).optional()?;
        if let Some(b) = b {
            self.changement.borrow_mut().bailleur(&b);
        }
        self.tx.execute(
            "INSERT INTO rejets(import_id, bailleur, feuille, ligne, motif, valeur, brut)
             SELECT import_id, bailleur, feuille, ligne, 'commune_hors_territoire', commune_brut, brut
             FROM logements WHERE id = ?1",
            [id],
        )?;
        self.tx.execute("DELETE FROM logements WHERE id = ?1", [id])?;
        Ok(())
    }

    /// The rows set aside as outside the territory, in every import.
    pub fn rejets_hors_territoire(&self) -> Result<Vec<(RejetARelire, bool)>> {
        let mut st = self.tx.prepare(
            "SELECT r.id, r.import_id, r.bailleur, r.feuille, r.ligne, r.brut, i.colonnes, i.fichier, COALESCE(b.actif, 0)
             FROM rejets r JOIN imports i ON i.id = r.import_id
             LEFT JOIN import_bailleurs b ON b.import_id = r.import_id AND b.bailleur = r.bailleur
             WHERE r.motif = ?1 ORDER BY r.id",
        )?;
        let mut plans = Plans::default();
        let mut out = Vec::new();
        let mut rows = st.query([Motif::CommuneHorsTerritoire.as_str()])?;
        while let Some(r) = rows.next()? {
            out.push((plans.rejet(r)?, r.get::<_, i64>(8)? != 0));
        }
        Ok(out)
    }

    /// Whether an import already holds a dwelling of this bailleur and reference.
    pub fn import_a_le_logement(&self, import_id: i64, bailleur: &str, reference: &str) -> Result<bool> {
        Ok(self.tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM logements WHERE import_id = ?1 AND bailleur = ?2 AND reference = ?3)",
            params![import_id, bailleur, reference],
            |r| r.get(0),
        )?)
    }

    /// Gives up everything written (the transaction is rolled back).
    pub fn annuler(self) {
        drop(self);
    }

    /// Existing bailleur names, to reuse their spelling.
    pub fn bailleurs(&self) -> Result<Vec<String>> {
        let mut st = self.tx.prepare("SELECT DISTINCT bailleur FROM import_bailleurs")?;
        Ok(st.query_map([], |r| r.get(0))?.collect::<std::result::Result<_, _>>()?)
    }

    pub fn commit(self) -> Result<()> {
        if self.index_dropped.get() {
            self.tx.execute_batch(LOGEMENTS_INDEX)?;
            super::remettre_le_compteur(&self.tx)?;
        }
        // The cells of the cube follow, in the same transaction: those of the dwellings written,
        // counted as they were written, when they tell the whole stock of their bailleurs.
        super::cube::suivre_import(
            &self.tx,
            self.compte,
            self.cube_valide,
            &self.changement.borrow(),
            self.insertions.take(),
            self.premier.get(),
            &self.finis.borrow(),
        )?;
        self.tx.commit()?;
        Ok(())
    }
}
