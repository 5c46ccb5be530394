//! The history of the imports, of both kinds (états des lieux and registers, one numbering):
//! listing them, making one the active version again, withdrawing one.

use super::{Dossier, Result, StoreError, point_d_arret};
use rusqlite::{OptionalExtension, params};

impl Dossier {
    /// Whether the dossier holds at least one import (of either kind).
    pub fn a_des_imports(&self) -> Result<bool> {
        Ok(self.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM imports) OR EXISTS (SELECT 1 FROM suivi_imports)",
            [],
            |r| r.get(0),
        )?)
    }

    pub fn imports(&self) -> Result<Vec<ImportInfo>> {
        let mut st = self.conn.prepare(
            "SELECT i.id, i.fichier, i.sha256, i.date_import, i.lignes_lues, i.logements, i.rejets, i.conflits, i.doublons,
                    COALESCE(group_concat(b.bailleur, char(9)), ''), COALESCE(max(b.actif), 0)
             FROM imports i LEFT JOIN import_bailleurs b ON b.import_id = i.id GROUP BY i.id ORDER BY i.id",
        )?;
        let rows = st.query_map([], |r| {
            let bailleurs: String = r.get(9)?;
            Ok(ImportInfo {
                id: r.get(0)?,
                fichier: r.get(1)?,
                sha256: r.get(2)?,
                date_import: r.get(3)?,
                lignes_lues: r.get(4)?,
                logements: r.get(5)?,
                rejets: r.get(6)?,
                conflits: r.get(7)?,
                doublons: r.get(8)?,
                bailleurs: bailleurs.split('\t').filter(|s| !s.is_empty()).map(str::to_string).collect(),
                actif: r.get::<_, i64>(10)? != 0,
            })
        })?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    /// The history of both kinds of imports (états des lieux and registers), in the order of
    /// their numbers — one numbering for both.
    pub fn historique(&self) -> Result<Vec<Entree>> {
        let mut out: Vec<Entree> = self
            .imports()?
            .into_iter()
            .map(|i| Entree {
                import: i.id,
                genre: Genre::EtatDesLieux,
                bailleur: i.bailleurs.join(", "),
                bailleurs: i.bailleurs,
                fichier: i.fichier,
                date: i.date_import,
                actif: i.actif,
                lignes: i.lignes_lues,
                logements: i.logements,
                rejets: i.rejets,
                conflits: i.conflits,
                doublons: i.doublons,
                sha256: i.sha256,
            })
            .collect();
        let mut st = self.conn.prepare(
            "SELECT id, fichier, sha256, date_import, bailleur, lignes_lues, mises_a_disposition, rejets, actif
             FROM suivi_imports ORDER BY id",
        )?;
        let registres = st.query_map([], |r| {
            let bailleur: String = r.get(4)?;
            Ok(Entree {
                import: r.get(0)?,
                genre: Genre::Registre,
                fichier: r.get(1)?,
                sha256: r.get(2)?,
                date: r.get(3)?,
                bailleurs: vec![bailleur.clone()],
                bailleur,
                lignes: r.get(5)?,
                logements: r.get(6)?,
                rejets: r.get(7)?,
                conflits: 0,
                doublons: 0,
                actif: r.get::<_, i64>(8)? != 0,
            })
        })?;
        for e in registres {
            out.push(e?);
        }
        out.sort_by_key(|e| e.import);
        Ok(out)
    }

    /// The changes of the dossier that are no import, in their order (none in a dossier of an
    /// earlier version opened read-only: it has no journal yet).
    pub fn journal(&self) -> Result<Vec<Evenement>> {
        let a_la_table: bool = self.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'journal')",
            [],
            |r| r.get(0),
        )?;
        if !a_la_table {
            return Ok(vec![]);
        }
        let mut st = self.conn.prepare("SELECT date, action, detail FROM journal ORDER BY id")?;
        let rows = st.query_map([], |r| Ok(Evenement { date: r.get(0)?, action: r.get(1)?, detail: r.get(2)? }))?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    /// Makes an import the active version again: for an état des lieux, its version of its
    /// bailleurs' dwellings; for a register, the bailleur's register. One transaction.
    pub fn restore(&mut self, import_id: i64) -> Result<Retablissement> {
        let tx = self.conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let bailleurs: Vec<String> = {
            let mut st = tx.prepare("SELECT bailleur FROM import_bailleurs WHERE import_id = ?1")?;
            st.query_map([import_id], |r| r.get(0))?.collect::<std::result::Result<_, _>>()?
        };
        let genre = if !bailleurs.is_empty() {
            let cube_valide = super::cube::valides(&tx, &self.compte)?;
            for b in &bailleurs {
                tx.execute("UPDATE import_bailleurs SET actif = 0 WHERE bailleur = ?1", [b])?;
                tx.execute(
                    "UPDATE import_bailleurs SET actif = 1 WHERE bailleur = ?1 AND import_id = ?2",
                    params![b, import_id],
                )?;
            }
            super::cube::suivre(
                &tx,
                &self.compte,
                cube_valide,
                &super::cube::Changement::Bailleurs(bailleurs.iter().cloned().collect()),
            )?;
            Genre::EtatDesLieux
        } else {
            let registre: Option<String> = tx
                .query_row("SELECT bailleur FROM suivi_imports WHERE id = ?1", [import_id], |r| r.get(0))
                .optional()?;
            let Some(b) = registre else { return Err(StoreError::UnknownImport(import_id)) };
            if let Some(refus) = doublons_des_saisies(&tx, import_id)? {
                return Err(StoreError::RetablissementRefuse(refus));
            }
            tx.execute("UPDATE suivi_imports SET actif = (id = ?2) WHERE bailleur = ?1", params![b, import_id])?;
            return {
                point_d_arret();
                tx.commit()?;
                Ok(Retablissement { genre: Genre::Registre, bailleurs: vec![b] })
            };
        };
        point_d_arret();
        tx.commit()?;
        Ok(Retablissement { genre, bailleurs })
    }

    /// Withdraws an import of either kind: its bailleurs no longer count (the history keeps it).
    pub fn deactivate(&mut self, import_id: i64) -> Result<()> {
        let tx = self.conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let cube_valide = super::cube::valides(&tx, &self.compte)?;
        let bailleurs: std::collections::BTreeSet<String> = {
            let mut st = tx.prepare("SELECT bailleur FROM import_bailleurs WHERE import_id = ?1 AND actif = 1")?;
            st.query_map([import_id], |r| r.get(0))?.collect::<std::result::Result<_, _>>()?
        };
        let n = tx.execute("UPDATE import_bailleurs SET actif = 0 WHERE import_id = ?1", [import_id])?;
        if n == 0 {
            let m = tx.execute("UPDATE suivi_imports SET actif = 0 WHERE id = ?1", [import_id])?;
            if m == 0 {
                return Err(StoreError::UnknownImport(import_id));
            }
        } else {
            super::cube::suivre(&tx, &self.compte, cube_valide, &super::cube::Changement::Bailleurs(bailleurs))?;
        }
        tx.commit()?;
        Ok(())
    }
}

/// Why the register `import_id` may not be made active again: rows of it repeat mises à
/// disposition typed in the window since it was replaced (same dwelling, same date, same
/// réservataire or hors-flux category), which would then count twice, or overlap them (the
/// dwelling held by one on the other's date: one libération, one réservataire at a time) —
/// the rule of an import ([`crate::model::MiseADisposition::face_a`]). `None` when none does.
fn doublons_des_saisies(tx: &rusqlite::Transaction, import_id: i64) -> Result<Option<String>> {
    use crate::model::FaceAFace;
    let colonnes = super::registres::COLONNES;
    let lire = |sql: &str| -> Result<Vec<(Option<i64>, crate::model::MiseADisposition)>> {
        let mut st = tx.prepare(sql)?;
        let rows =
            st.query_map([import_id], |r| Ok((r.get(0)?, super::registres::mise_a_disposition_depuis(r, 1)?)))?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    };
    let lignes = lire(&format!(
        "SELECT m.ligne, {colonnes} FROM mises_a_disposition m WHERE m.import_id = ?1 ORDER BY m.ligne, m.id"
    ))?;
    let saisies = lire(&format!(
        "SELECT NULL, {colonnes} FROM mises_a_disposition m
         WHERE m.import_id IS NULL AND EXISTS (SELECT 1 FROM mises_a_disposition r
               WHERE r.import_id = ?1 AND r.bailleur = m.bailleur AND r.reference = m.reference)
         ORDER BY m.id"
    ))?;
    let mut doublons: Vec<(Option<i64>, i64, FaceAFace)> = vec![];
    for (ligne, m) in &lignes {
        let meme_logement =
            saisies.iter().map(|(_, t)| t).filter(|t| t.bailleur == m.bailleur && t.reference == m.reference);
        let faces: Vec<(i64, FaceAFace)> = meme_logement.filter_map(|t| Some((t.id, m.face_a(t)?))).collect();
        // A repeat first, as at the import.
        if let Some(&(t, f)) = faces.iter().find(|(_, f)| *f == FaceAFace::Repete).or(faces.first()) {
            doublons.push((*ligne, t, f));
        }
    }
    let ligne = |l: &Option<i64>| l.map(|l| format!("ligne {l}")).unwrap_or_else(|| "une ligne".into());
    let verbe = |f: FaceAFace| match f {
        FaceAFace::Repete => "répète",
        FaceAFace::Chevauche => "chevauche",
    };
    let (quoi, suite) = match doublons.as_slice() {
        [] => return Ok(None),
        [(l, saisie, f)] => (
            format!(
                "sa {} {} la mise à disposition saisie n° {saisie} dans la fenêtre depuis ; {}",
                ligne(l),
                verbe(*f),
                match f {
                    FaceAFace::Repete => "elle serait comptée deux fois",
                    FaceAFace::Chevauche => "le logement serait mis à disposition de deux réservataires à la fois",
                }
            ),
            format!("la saisie n° {saisie}"),
        ),
        _ => (
            format!(
                "{} de ses lignes répètent ou chevauchent des mises à disposition saisies dans la fenêtre depuis ({}) ; elles seraient comptées deux fois",
                doublons.len(),
                doublons
                    .iter()
                    .map(|(l, saisie, f)| format!("{} {} la saisie n° {saisie}", ligne(l), verbe(*f)))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            "ces saisies".to_string(),
        ),
    };
    Ok(Some(format!(
        "le registre n° {import_id} n'est pas rétabli : {quoi}. Supprimez d'abord {suite} (écran Bilans, « Mises à disposition saisies ici »), puis rétablissez le registre ; le dossier n'a pas été modifié"
    )))
}

/// A change of the dossier that is no import (a bailleur renamed), with its date.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Evenement {
    pub date: String,
    pub action: String,
    /// In words: « Bailleur « Societe Immobiliere » renommé « Société Immobilière » ».
    pub detail: String,
}

/// One line of the import history.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ImportInfo {
    pub id: i64,
    pub fichier: String,
    pub sha256: String,
    pub date_import: String,
    pub bailleurs: Vec<String>,
    pub actif: bool,
    pub lignes_lues: i64,
    pub logements: i64,
    pub rejets: i64,
    pub conflits: i64,
    pub doublons: i64,
}

/// The kind of an import.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Genre {
    EtatDesLieux,
    Registre,
}

impl Genre {
    pub fn label(self) -> &'static str {
        match self {
            Genre::EtatDesLieux => "état des lieux",
            Genre::Registre => "registre",
        }
    }
}

/// One import of the history, of either kind (`historique --format json` of interfaces.md).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Entree {
    pub import: i64,
    pub genre: Genre,
    /// The bailleurs' names, joined by « , » when a file holds several.
    pub bailleur: String,
    #[serde(skip)]
    pub bailleurs: Vec<String>,
    pub fichier: String,
    pub date: String,
    pub actif: bool,
    /// Rows read.
    pub lignes: i64,
    /// Dwellings kept (a register: its mises à disposition, hors flux included).
    pub logements: i64,
    pub rejets: i64,
    /// References met with different values, and rows met twice (an état des lieux; 0 for a
    /// register). Not in the JSON of `history` (its contract is stable).
    #[serde(skip)]
    pub conflits: i64,
    #[serde(skip)]
    pub doublons: i64,
    #[serde(skip)]
    pub sha256: String,
}

/// What `restore` brought back.
#[derive(Debug, Clone, PartialEq)]
pub struct Retablissement {
    pub genre: Genre,
    pub bailleurs: Vec<String>,
}
