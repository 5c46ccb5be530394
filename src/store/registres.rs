//! The registers of mises à disposition: a bailleur's register imported in one transaction
//! (its rows, the rows set aside, the previous register kept in the history), the mises à
//! disposition typed in the window, and reading the active ones.

use super::{Dossier, Result, map_open_error, now_iso, prochain_numero};
use crate::model::{
    Date, DecisionCal, Etapes, Financement, Issue, Lu, Menage, MiseADisposition, Public, Quartile, Soustrait,
    TypologieGrille,
};
use rusqlite::{OptionalExtension, Transaction, params};
use serde::Serialize;
use std::collections::HashSet;

const INSERT: &str = "INSERT INTO mises_a_disposition(import_id, bailleur, reference, commune, epci, typologie,
    financement, qpv, annee_construction, reservataire, reservataire_brut, hors_flux, date_liberation, preavis,
    date_mise_a_disposition, date_validation, candidats, date_candidats, date_cal, decision_cal, date_bail, issue,
    feuille, ligne, brut, signalement, menage, menage_brut, quartile, quartile_brut)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23,
            ?24, ?25, ?26, ?27, ?28, ?29, ?30)";

/// Where a register row comes from: its sheet, its line, its raw cells.
#[derive(Debug, Clone, Copy, Default)]
pub struct SourceRegistre<'a> {
    pub feuille: Option<&'a str>,
    pub ligne: u32,
    pub brut: &'a str,
    /// The réservataire as the row wrote it.
    pub reservataire_brut: &'a str,
    /// The household's cells as the row wrote them.
    pub menage_brut: &'a str,
    pub quartile_brut: &'a str,
}

/// A mise à disposition of a dwelling and where it comes from: its register's file and line,
/// or `None` when it was typed in the window.
#[derive(Debug, Clone, PartialEq)]
pub struct MiseADispositionDuLogement {
    pub mise_a_disposition: MiseADisposition,
    pub registre: Option<(String, u32)>,
}

/// A register row set aside, as the dossier keeps it.
#[derive(Debug, Clone, Copy)]
pub struct RejetDeRegistre<'a> {
    pub feuille: Option<&'a str>,
    pub ligne: u32,
    pub motif: &'a str,
    pub valeur: &'a str,
    pub brut: &'a str,
}

/// A register row set aside, as `report` lists the rejets of an état des lieux.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RejetRegistre {
    pub bailleur: String,
    pub fichier: String,
    pub feuille: Option<String>,
    pub ligne: u32,
    pub motif: String,
    pub valeur: String,
}

fn ds(d: Option<Date>) -> Option<String> {
    d.map(|d| d.to_string())
}

fn inserer(
    st: &mut rusqlite::Statement,
    import_id: Option<i64>,
    m: &MiseADisposition,
    src: SourceRegistre,
) -> rusqlite::Result<i64> {
    st.insert(params![
        import_id,
        m.bailleur,
        m.reference,
        m.commune,
        m.epci,
        m.typologie.as_str(),
        m.financement.as_str(),
        m.qpv,
        m.annee_construction,
        m.reservataire,
        src.reservataire_brut,
        m.hors_flux.map(|h| h.as_str()),
        ds(m.etapes.date_liberation),
        m.etapes.preavis,
        ds(m.etapes.date_mise_a_disposition),
        ds(m.etapes.date_validation),
        m.etapes.candidats,
        ds(m.etapes.date_candidats),
        ds(m.etapes.date_cal),
        m.etapes.decision_cal.map(|x| x.as_str()),
        ds(m.etapes.date_bail),
        m.etapes.issue.as_str(),
        src.feuille,
        src.ligne,
        src.brut,
        m.signalement,
        m.menage.public.valeur().map(|p| p.as_str()),
        brut_lu(&m.menage.public, src.menage_brut),
        m.menage.quartile.valeur().map(|q| q.numero()),
        brut_lu(&m.menage.quartile, src.quartile_brut),
    ])
}

/// The label as written of a household field: the unknown value itself, else the cell.
fn brut_lu<'a, T>(lu: &'a Lu<T>, cellule: &'a str) -> Option<&'a str> {
    match lu {
        Lu::Inconnu(s) => Some(s.as_str()),
        _ => Some(cellule).filter(|c| !c.trim().is_empty()),
    }
}

fn lu<T: Copy>(code: Option<T>, brut: Option<String>) -> Lu<T> {
    match (code, brut) {
        (Some(v), _) => Lu::Valeur(v),
        (None, Some(b)) if !b.trim().is_empty() => Lu::Inconnu(b),
        _ => Lu::NonRenseigne,
    }
}

fn date_col(r: &rusqlite::Row, i: usize) -> rusqlite::Result<Option<Date>> {
    Ok(texte_col(r, i)?.and_then(Date::parse_iso))
}

/// A text column borrowed from the row (no allocation: a bilan reads a hundred thousand rows).
fn texte_col<'r>(r: &'r rusqlite::Row, i: usize) -> rusqlite::Result<Option<&'r str>> {
    Ok(r.get_ref(i)?.as_str_or_null()?)
}

pub(super) const COLONNES: &str = "m.id, m.bailleur, m.reference, m.commune, m.epci, m.typologie, m.financement, m.qpv,
    m.annee_construction, m.reservataire, m.hors_flux, m.date_liberation, m.preavis,
    m.date_mise_a_disposition, m.date_validation, m.candidats, m.date_candidats, m.date_cal,
    m.decision_cal, m.date_bail, m.issue, m.signalement, m.menage, m.menage_brut, m.quartile, m.quartile_brut";

/// A mise à disposition from the columns of [`COLONNES`].
fn mise_a_disposition(r: &rusqlite::Row) -> rusqlite::Result<MiseADisposition> {
    mise_a_disposition_depuis(r, 0)
}

/// A mise à disposition from the columns of [`COLONNES`], the first at index `o`.
pub(super) fn mise_a_disposition_depuis(r: &rusqlite::Row, o: usize) -> rusqlite::Result<MiseADisposition> {
    Ok(MiseADisposition {
        id: r.get(o)?,
        bailleur: r.get(o + 1)?,
        reference: r.get(o + 2)?,
        commune: r.get(o + 3)?,
        epci: r.get(o + 4)?,
        typologie: TypologieGrille::parse(texte_col(r, o + 5)?.unwrap_or_default()).unwrap_or(TypologieGrille::T1),
        financement: Financement::parse(texte_col(r, o + 6)?.unwrap_or_default()).unwrap_or(Financement::Autre),
        qpv: r.get(o + 7)?,
        annee_construction: r.get(o + 8)?,
        reservataire: r.get(o + 9)?,
        hors_flux: texte_col(r, o + 10)?.and_then(Soustrait::parse),
        etapes: Etapes {
            date_liberation: date_col(r, o + 11)?,
            preavis: r.get(o + 12)?,
            date_mise_a_disposition: date_col(r, o + 13)?,
            date_validation: date_col(r, o + 14)?,
            candidats: r.get(o + 15)?,
            date_candidats: date_col(r, o + 16)?,
            date_cal: date_col(r, o + 17)?,
            decision_cal: texte_col(r, o + 18)?.and_then(DecisionCal::parse),
            date_bail: date_col(r, o + 19)?,
            issue: Issue::parse(texte_col(r, o + 20)?.unwrap_or_default()),
        },
        signalement: r.get(o + 21)?,
        menage: Menage {
            public: lu(texte_col(r, o + 22)?.and_then(Public::parse), r.get(o + 23)?),
            quartile: lu(r.get::<_, Option<u8>>(o + 24)?.and_then(Quartile::du_numero), r.get(o + 25)?),
        },
    })
}

impl Dossier {
    /// The active mises à disposition (those of each bailleur's active register, and those
    /// typed in the window) of some bailleurs (all when `None`), on an EPCI or all, in the
    /// order they were recorded.
    pub fn mises_a_disposition(
        &self,
        bailleurs: Option<&[String]>,
        epci: Option<&str>,
    ) -> Result<Vec<MiseADisposition>> {
        let seul = bailleurs.filter(|b| b.len() == 1).map(|b| b[0].as_str());
        // Only the filters given are written, so that one bailleur's rows come through the
        // (bailleur, EPCI) index instead of a scan of every register.
        let mut filters = String::new();
        if epci.is_some() {
            filters.push_str(" AND m.epci = ?1");
        }
        if seul.is_some() {
            filters.push_str(" AND m.bailleur = ?2");
        }
        let mut st = self.conn.prepare(&format!(
            "SELECT {COLONNES}
             FROM mises_a_disposition m LEFT JOIN suivi_imports i ON i.id = m.import_id
             WHERE (m.import_id IS NULL OR i.actif = 1) AND ?1 IS ?1 AND ?2 IS ?2{filters}
             ORDER BY m.id"
        ))?;
        let wanted: Option<HashSet<&str>> = bailleurs.map(|b| b.iter().map(String::as_str).collect());
        let mut out = Vec::new();
        let mut rows = st.query(params![epci, seul])?;
        while let Some(r) = rows.next()? {
            let m = mise_a_disposition(r)?;
            if wanted.as_ref().is_none_or(|w| w.contains(m.bailleur.as_str())) {
                out.push(m);
            }
        }
        Ok(out)
    }

    /// The mises à disposition typed in the window, in the order they were recorded.
    pub fn mises_a_disposition_saisies(&self) -> Result<Vec<MiseADisposition>> {
        let mut st = self.conn.prepare(&format!(
            "SELECT {COLONNES} FROM mises_a_disposition m WHERE m.import_id IS NULL ORDER BY m.id"
        ))?;
        let rows = st.query_map([], mise_a_disposition)?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    /// One mise à disposition typed in the window.
    pub fn mise_a_disposition_saisie(&self, id: i64) -> Result<Option<MiseADisposition>> {
        Ok(self
            .conn
            .query_row(
                &format!("SELECT {COLONNES} FROM mises_a_disposition m WHERE m.id = ?1 AND m.import_id IS NULL"),
                [id],
                mise_a_disposition,
            )
            .optional()?)
    }

    /// Saves a mise à disposition typed in the window (replacing the one of the same id, when
    /// `m.id` is set); returns its id.
    pub fn enregistrer_mise_a_disposition(&self, m: &MiseADisposition) -> Result<i64> {
        if m.id > 0 {
            self.conn.execute("DELETE FROM mises_a_disposition WHERE id = ?1 AND import_id IS NULL", [m.id])?;
        }
        let mut st = self.conn.prepare_cached(INSERT)?;
        let src = SourceRegistre { reservataire_brut: m.reservataire.as_deref().unwrap_or(""), ..Default::default() };
        Ok(inserer(&mut st, None, m, src)?)
    }

    /// The active mises à disposition of one dwelling (its bailleur's active register and
    /// those typed in the window), each with where it comes from, in the order they were made.
    pub fn mises_a_disposition_du_logement(
        &self,
        bailleur: &str,
        reference: &str,
    ) -> Result<Vec<MiseADispositionDuLogement>> {
        let mut st = self.conn.prepare(&format!(
            "SELECT {COLONNES}, i.fichier, m.ligne
             FROM mises_a_disposition m LEFT JOIN suivi_imports i ON i.id = m.import_id
             WHERE (m.import_id IS NULL OR i.actif = 1) AND m.bailleur = ?1 AND m.reference = ?2
             ORDER BY m.date_mise_a_disposition, m.id"
        ))?;
        let n = COLONNES.split(',').count();
        let rows = st.query_map(params![bailleur, reference], |r| {
            let fichier: Option<String> = r.get(n)?;
            let ligne: Option<u32> = r.get(n + 1)?;
            Ok(MiseADispositionDuLogement {
                mise_a_disposition: mise_a_disposition(r)?,
                registre: fichier.map(|f| (f, ligne.unwrap_or(0))),
            })
        })?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    /// Corrects what was declared of a mise à disposition typed in the window (the dwelling
    /// and its description, to whom, the libération, the notice, the date, the household),
    /// keeping its id and its later steps; false when there is none of that id.
    pub fn corriger_mise_a_disposition_saisie(&self, m: &MiseADisposition) -> Result<bool> {
        let tx = self.conn.unchecked_transaction()?;
        let n = tx.execute(
            "UPDATE mises_a_disposition SET bailleur = ?2, reference = ?3, commune = ?4, epci = ?5, typologie = ?6,
                financement = ?7, qpv = ?8, annee_construction = ?9, reservataire = ?10, reservataire_brut = ?11,
                hors_flux = ?12, date_liberation = ?13, preavis = ?14, date_mise_a_disposition = ?15
             WHERE id = ?1 AND import_id IS NULL",
            params![
                m.id,
                m.bailleur,
                m.reference,
                m.commune,
                m.epci,
                m.typologie.as_str(),
                m.financement.as_str(),
                m.qpv,
                m.annee_construction,
                m.reservataire,
                m.reservataire.as_deref().unwrap_or(""),
                m.hors_flux.map(|h| h.as_str()),
                ds(m.etapes.date_liberation),
                m.etapes.preavis,
                ds(m.etapes.date_mise_a_disposition),
            ],
        )?;
        if n > 0 && !self.modifier_menage_saisi(m.id, &m.menage)? {
            return Ok(false);
        }
        tx.commit()?;
        Ok(n > 0)
    }

    /// The lines of the active registers set aside because of the mise à disposition typed in
    /// the window `id` (`deja_saisie`, `conflit_saisie`): (file, line), in file order.
    pub fn lignes_ecartees_par_la_saisie(&self, id: i64) -> Result<Vec<(String, u32)>> {
        let mut st = self.conn.prepare(
            "SELECT r.fichier, r.ligne FROM suivi_rejets r JOIN suivi_imports i ON i.id = r.import_id
             WHERE i.actif = 1 AND r.motif IN ('deja_saisie', 'conflit_saisie') AND r.valeur = ?1
             ORDER BY r.fichier, r.ligne",
        )?;
        let rows = st.query_map([format!("n° {id}")], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as u32)))?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    /// Deletes a mise à disposition typed in the window (with its steps); false when there is
    /// none of that id (a register's rows are never deleted one by one).
    pub fn supprimer_mise_a_disposition_saisie(&self, id: i64) -> Result<bool> {
        let n = self.conn.execute("DELETE FROM mises_a_disposition WHERE id = ?1 AND import_id IS NULL", [id])?;
        Ok(n > 0)
    }

    /// Records new steps of a mise à disposition typed in the window; false when there is none
    /// of that id (a register's rows change by importing the register again).
    pub fn modifier_etapes_saisies(&self, id: i64, e: &Etapes) -> Result<bool> {
        let n = self.conn.execute(
            "UPDATE mises_a_disposition SET date_liberation = ?2, preavis = ?3, date_mise_a_disposition = ?4,
                date_validation = ?5, candidats = ?6, date_candidats = ?7, date_cal = ?8, decision_cal = ?9,
                date_bail = ?10, issue = ?11
             WHERE id = ?1 AND import_id IS NULL",
            params![
                id,
                ds(e.date_liberation),
                e.preavis,
                ds(e.date_mise_a_disposition),
                ds(e.date_validation),
                e.candidats,
                ds(e.date_candidats),
                ds(e.date_cal),
                e.decision_cal.map(|x| x.as_str()),
                ds(e.date_bail),
                e.issue.as_str(),
            ],
        )?;
        Ok(n > 0)
    }

    /// Records the household of a mise à disposition typed in the window, stored as a
    /// register's (code and label as written); false when there is none of that id.
    pub fn modifier_menage_saisi(&self, id: i64, m: &Menage) -> Result<bool> {
        fn brut<T: Copy>(lu: &Lu<T>, label: impl Fn(T) -> &'static str) -> Option<String> {
            match lu {
                Lu::Valeur(v) => Some(label(*v).to_string()),
                Lu::Inconnu(s) => Some(s.clone()),
                Lu::NonRenseigne => None,
            }
        }
        let n = self.conn.execute(
            "UPDATE mises_a_disposition SET menage = ?2, menage_brut = ?3, quartile = ?4, quartile_brut = ?5
             WHERE id = ?1 AND import_id IS NULL",
            params![
                id,
                m.public.valeur().map(|p| p.as_str()),
                brut(&m.public, Public::label),
                m.quartile.valeur().map(|q| q.numero()),
                brut(&m.quartile, Quartile::label),
            ],
        )?;
        Ok(n > 0)
    }

    /// The rows set aside from the active registers, in their order.
    pub fn rejets_des_registres(&self) -> Result<Vec<RejetRegistre>> {
        let mut st = self.conn.prepare(
            "SELECT r.bailleur, r.fichier, r.feuille, r.ligne, r.motif, r.valeur FROM suivi_rejets r
             JOIN suivi_imports i ON i.id = r.import_id WHERE i.actif = 1 ORDER BY r.id",
        )?;
        let rows = st.query_map([], |r| {
            Ok(RejetRegistre {
                bailleur: r.get(0)?,
                fichier: r.get(1)?,
                feuille: r.get(2)?,
                ligne: r.get(3)?,
                motif: r.get(4)?,
                valeur: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    /// The bailleurs that have an active register.
    pub fn bailleurs_avec_registre(&self) -> Result<Vec<String>> {
        let mut st =
            self.conn.prepare("SELECT DISTINCT bailleur FROM suivi_imports WHERE actif = 1 ORDER BY bailleur")?;
        let rows = st.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    /// The latest year of a mise à disposition in the dossier, if any.
    pub fn derniere_annee_des_registres(&self) -> Result<Option<i32>> {
        let y: Option<String> = self.conn.query_row(
            "SELECT MAX(substr(date_mise_a_disposition, 1, 4)) FROM mises_a_disposition",
            [],
            |r| r.get(0),
        )?;
        Ok(y.and_then(|y| y.parse().ok()))
    }
}

/// A prepared insert of register rows (see [`RegistreWriter::insertion`]).
pub struct InsertionDeRegistre<'w>(rusqlite::Statement<'w>);

impl InsertionDeRegistre<'_> {
    /// A row of the register `import_id`.
    pub fn inserer(&mut self, import_id: i64, m: &MiseADisposition, src: SourceRegistre) -> Result<()> {
        inserer(&mut self.0, Some(import_id), m, src)?;
        Ok(())
    }
}

/// Writes registers (one or several files) inside one transaction: nothing is kept unless
/// [`RegistreWriter::commit`] is called.
pub struct RegistreWriter<'c> {
    tx: Transaction<'c>,
    now: String,
}

impl<'c> RegistreWriter<'c> {
    pub fn begin(d: &'c mut Dossier) -> Result<Self> {
        let tx = d
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(|e| map_open_error(&d.path, e))?;
        Ok(Self { tx, now: now_iso() })
    }

    pub fn set_parametre(&self, cle: &str, valeur: &str) -> Result<()> {
        self.tx.execute(
            "INSERT INTO parametres(cle, valeur) VALUES (?1, ?2) ON CONFLICT(cle) DO UPDATE SET valeur = excluded.valeur",
            params![cle, valeur],
        )?;
        Ok(())
    }

    /// The bailleur's active register identical to a file (same SHA-256), if any — unless rows
    /// of it were set aside beside mises à disposition typed in the window (`deja_saisie`,
    /// `conflit_saisie`): read again then, the typed ones may have been deleted since.
    pub fn registre_actif_identique(&self, sha256: &str, bailleur: &str) -> Result<Option<i64>> {
        Ok(self
            .tx
            .query_row(
                "SELECT id FROM suivi_imports i WHERE sha256 = ?1 AND bailleur = ?2 AND actif = 1
                   AND NOT EXISTS (SELECT 1 FROM suivi_rejets r WHERE r.import_id = i.id
                                   AND r.motif IN ('deja_saisie', 'conflit_saisie'))
                 ORDER BY id DESC",
                params![sha256, bailleur],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// The lines (mises à disposition and hors flux) of the bailleur's active register.
    pub fn lignes_du_registre_actif(&self, bailleur: &str) -> Result<u64> {
        let n: i64 = self.tx.query_row(
            "SELECT COUNT(*) FROM mises_a_disposition m JOIN suivi_imports i ON i.id = m.import_id
             WHERE i.actif = 1 AND i.bailleur = ?1",
            [bailleur],
            |r| r.get(0),
        )?;
        Ok(n as u64)
    }

    /// Withdraws the bailleur's register (kept in the history, `restore` brings it back).
    pub fn retirer_registre(&self, bailleur: &str) -> Result<()> {
        self.tx.execute("UPDATE suivi_imports SET actif = 0 WHERE bailleur = ?1", [bailleur])?;
        Ok(())
    }

    /// A new register of a bailleur, active; returns its import number.
    pub fn nouveau_registre(&self, fichier: &str, chemin: &str, sha256: &str, bailleur: &str) -> Result<i64> {
        let id = prochain_numero(&self.tx)?;
        self.tx.execute(
            "INSERT INTO suivi_imports(id, fichier, chemin, sha256, date_import, bailleur) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![id, fichier, chemin, sha256, self.now, bailleur],
        )?;
        Ok(id)
    }

    /// The insert of a register's rows, prepared once for the whole register.
    pub fn insertion(&self) -> Result<InsertionDeRegistre<'_>> {
        Ok(InsertionDeRegistre(self.tx.prepare(INSERT)?))
    }

    /// A register row set aside.
    pub fn inserer_rejet(&self, import_id: i64, bailleur: &str, fichier: &str, r: RejetDeRegistre) -> Result<()> {
        self.tx
            .prepare_cached(
                "INSERT INTO suivi_rejets(import_id, bailleur, fichier, feuille, ligne, motif, valeur, brut)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?
            .execute(params![import_id, bailleur, fichier, r.feuille, r.ligne, r.motif, r.valeur, r.brut])?;
        Ok(())
    }

    /// Records the counts of a register.
    pub fn terminer_registre(&self, import_id: i64, lignes_lues: usize, lignes: usize, rejets: usize) -> Result<()> {
        self.tx.execute(
            "UPDATE suivi_imports SET lignes_lues = ?2, mises_a_disposition = ?3, rejets = ?4 WHERE id = ?1",
            params![import_id, lignes_lues as i64, lignes as i64, rejets as i64],
        )?;
        Ok(())
    }

    pub fn commit(self) -> Result<()> {
        self.tx.commit()?;
        Ok(())
    }
}
