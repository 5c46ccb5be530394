//! The active stock: the dwellings of each bailleur's active import, read whole for the counts
//! (cube, flux) or one by one with their source; the rows set aside, conflicts and extinct
//! rights of the active imports; the rights extinct at the dossier's reference date.

use super::plans::{self, PlanDeFeuille};
use super::{Dossier, Result};
use crate::model::reservataire_compte;
use crate::model::{ChampLibelle, Date, Field, Financement, IndividuelCollectif, Motif, Reservataire, TypologieGrille};
use rusqlite::{OptionalExtension, params};
use serde::Serialize;

/// The active dwellings: those of the active import of each bailleur.
const ACTIFS: &str =
    "import_bailleurs b {JOIN} logements l ON b.import_id = l.import_id AND b.bailleur = l.bailleur AND b.actif = 1";

/// Which active dwellings a reading covers; `None` means all.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Selection<'a> {
    pub bailleur: Option<&'a str>,
    pub commune: Option<&'a str>,
    pub epci: Option<&'a str>,
}

impl<'a> Selection<'a> {
    /// A bailleur's active dwellings.
    pub fn du_bailleur(bailleur: &'a str) -> Self {
        Selection { bailleur: Some(bailleur), ..Default::default() }
    }

    /// The join and the filters given, with the bailleur's active imports driving the join
    /// (CROSS JOIN fixes the order) so that SQLite reaches one bailleur's dwellings through the
    /// (import, bailleur) index instead of reading the whole stock. Parameters: ?1 bailleur,
    /// ?2 commune, ?3 EPCI.
    fn sql(&self) -> String {
        let mut filters = String::new();
        for (value, sql) in [
            (self.bailleur, " AND b.bailleur = ?1 AND l.bailleur = ?1"),
            (self.commune, " AND l.commune = ?2"),
            (self.epci, " AND l.epci = ?3"),
        ] {
            if value.is_some() {
                filters.push_str(sql);
            }
        }
        let join = if self.bailleur.is_some() { "CROSS JOIN" } else { "JOIN" };
        format!("{} WHERE ?1 IS ?1 AND ?2 IS ?2 AND ?3 IS ?3{filters}", ACTIFS.replace("{JOIN}", join))
    }
}

/// An active dwelling as the counts read it (the cube, the flux). Its réservataire is the one
/// it counts under at the dossier's reference date: an extinct right counts as non réservé.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LogementCompte<'a> {
    pub bailleur: &'a str,
    pub commune: &'a str,
    pub epci: &'a str,
    pub reservataire: &'a str,
    pub financement: Financement,
    pub typologie: TypologieGrille,
    pub qpv: bool,
    pub individuel_collectif: IndividuelCollectif,
    pub nature: Option<&'a str>,
    /// Its right ended before the reference date: it counts as non réservé.
    pub echu: bool,
}

/// One dwelling of a cell, with its source, for the drill-down of the window.
#[derive(Debug, Clone, Serialize)]
pub struct LogementSource {
    pub bailleur: String,
    pub reference: String,
    pub commune: String,
    pub reservataire: Reservataire,
    pub typologie: String,
    pub financement: String,
    pub fichier: String,
    pub feuille: Option<String>,
    pub ligne: u32,
}

/// An active dwelling of the dossier, as the follow-up and the fiche navette read it.
#[derive(Debug, Clone, PartialEq)]
pub struct LogementDuDossier {
    pub reference: String,
    pub commune: String,
    pub epci: String,
    /// The typology as declared (`T3bis`, `Studio`…).
    pub typologie: String,
    pub typologie_grille: TypologieGrille,
    pub financement: Financement,
    pub qpv: bool,
    pub individuel_collectif: IndividuelCollectif,
    pub annee_construction: Option<i32>,
}

/// A row set aside in an active import, as `report` lists it.
#[derive(Debug, Clone, Serialize)]
pub struct RejetOut {
    pub fichier: String,
    pub feuille: Option<String>,
    pub ligne: u32,
    pub motif: String,
    pub valeur: String,
    #[serde(skip)]
    pub bailleur: String,
}

/// A reference met with different values in an active import.
#[derive(Debug, Clone, Serialize)]
pub struct ConflitOut {
    pub bailleur: String,
    pub reference: String,
    pub motif: String,
    pub valeurs: Vec<String>,
}

/// An active right whose convention ended before the dossier's reference date.
#[derive(Debug, Clone, Serialize)]
pub struct EchuOut {
    pub bailleur: String,
    pub reference: String,
    pub reservataire: Reservataire,
    pub date_fin_convention: String,
}

/// A label that could not be reconciled, with how often and by whom it is used.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LibelleInconnu {
    /// A réservataire, a commune, a typologie, a financement; a household field of a register.
    pub champ: ChampLibelle,
    pub libelle: String,
    pub lignes: u64,
    pub bailleurs: Vec<String>,
}

/// The columns of a dwelling read with [`Dossier::pour_chaque_logement_actif`].
pub(super) const COLONNES_COMPTE: &str =
    "l.bailleur, l.commune, l.epci, l.reservataire, l.date_fin_convention, l.financement,
    l.typologie_grille, l.qpv, l.individuel_collectif, l.nature";

/// A dwelling from the columns of [`COLONNES_COMPTE`] (an unknown code read as the default:
/// `Autre`, T1, collectif).
pub(super) fn logement_compte<'r>(r: &'r rusqlite::Row, date_reference: &str) -> rusqlite::Result<LogementCompte<'r>> {
    let text = |i: usize| -> rusqlite::Result<&'r str> {
        r.get_ref(i)?
            .as_str()
            .map_err(|e| rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e)))
    };
    let option = |i: usize| -> rusqlite::Result<Option<&'r str>> { Ok(r.get_ref(i)?.as_str_or_null().ok().flatten()) };
    let (reservataire, fin) = (text(3)?, option(4)?);
    let compte = reservataire_compte(reservataire, fin, date_reference);
    let echu = compte != reservataire;
    Ok(LogementCompte {
        bailleur: text(0)?,
        commune: text(1)?,
        epci: text(2)?,
        reservataire: compte,
        echu,
        financement: Financement::parse(text(5)?).unwrap_or(Financement::Autre),
        typologie: TypologieGrille::parse(text(6)?).unwrap_or(TypologieGrille::T1),
        qpv: r.get(7)?,
        individuel_collectif: IndividuelCollectif::parse(text(8)?).unwrap_or(IndividuelCollectif::Collectif),
        nature: option(9)?,
    })
}

fn logement_du_dossier(r: &rusqlite::Row) -> rusqlite::Result<LogementDuDossier> {
    Ok(LogementDuDossier {
        reference: r.get(0)?,
        commune: r.get(1)?,
        epci: r.get(2)?,
        typologie: r.get(3)?,
        typologie_grille: TypologieGrille::parse(&r.get::<_, String>(4)?).unwrap_or(TypologieGrille::T1),
        financement: Financement::parse(&r.get::<_, String>(5)?).unwrap_or(Financement::Autre),
        qpv: r.get(6)?,
        individuel_collectif: IndividuelCollectif::parse(&r.get::<_, String>(7)?)
            .unwrap_or(IndividuelCollectif::Collectif),
        annee_construction: r.get(8)?,
    })
}

const COLONNES_LOGEMENT: &str = "l.reference, l.commune, l.epci, l.typologie, l.typologie_grille, l.financement, l.qpv,
    l.individuel_collectif, l.annee_construction";

/// Visits the active dwellings of a selection at a reference date (`AAAA-MM-JJ`), each
/// borrowed for the visit.
pub(super) fn pour_chaque_logement(
    conn: &rusqlite::Connection,
    date_reference: &str,
    s: Selection,
    mut visite: impl FnMut(&LogementCompte),
) -> Result<()> {
    parcourir(conn, date_reference, s, |l| {
        visite(l);
        true
    })
    .map(|_| ())
}

/// Like [`pour_chaque_logement`], until `visite` answers false; whether every dwelling was
/// visited.
pub(super) fn parcourir(
    conn: &rusqlite::Connection,
    date_reference: &str,
    s: Selection,
    mut visite: impl FnMut(&LogementCompte) -> bool,
) -> Result<bool> {
    let mut st = conn.prepare(&format!("SELECT {COLONNES_COMPTE} FROM {}", s.sql()))?;
    let mut rows = st.query(params![s.bailleur, s.commune, s.epci])?;
    while let Some(r) = rows.next()? {
        if !visite(&logement_compte(r, date_reference)?) {
            return Ok(false);
        }
    }
    Ok(true)
}

impl Dossier {
    /// Visits the active dwellings of a selection, in no particular order, each borrowed for
    /// the visit (a million dwellings are read without one allocation each).
    pub fn pour_chaque_logement_actif(&self, s: Selection, visite: impl FnMut(&LogementCompte)) -> Result<()> {
        pour_chaque_logement(&self.conn, &self.date_reference().to_string(), s, visite)
    }

    /// Visits the active dwellings that have a nature (foyer, résidence sociale…), of every
    /// bailleur: the few that the cells of the cube do not tell apart (the bilan reads the
    /// rest of the stock from the cells).
    pub fn pour_chaque_logement_actif_avec_nature(&self, mut visite: impl FnMut(&LogementCompte)) -> Result<()> {
        let dr = self.date_reference().to_string();
        // The dwellings read in the table's order (CROSS JOIN fixes it), the active imports
        // checked only for those with a nature: no index lookup per dwelling.
        let mut st = self.conn.prepare(&format!(
            "SELECT {COLONNES_COMPTE} FROM logements l CROSS JOIN import_bailleurs b
             ON b.import_id = l.import_id AND b.bailleur = l.bailleur AND b.actif = 1
             WHERE l.nature IS NOT NULL"
        ))?;
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            visite(&logement_compte(r, &dr)?);
        }
        Ok(())
    }

    /// The active dwellings `garder` keeps, with their source, ordered by bailleur and
    /// reference, at most `limite`.
    pub fn logements_avec_source(
        &self,
        mut garder: impl FnMut(&LogementCompte) -> bool,
        limite: usize,
    ) -> Result<Vec<LogementSource>> {
        let dr = self.date_reference().to_string();
        let mut st = self.conn.prepare(&format!(
            "SELECT {COLONNES_COMPTE}, l.reference, l.typologie, i.fichier, l.feuille, l.ligne
             FROM {} JOIN imports i ON i.id = l.import_id ORDER BY l.bailleur, l.reference",
            ACTIFS.replace("{JOIN}", "JOIN")
        ))?;
        let mut rows = st.query([])?;
        let mut out = Vec::new();
        while out.len() < limite
            && let Some(r) = rows.next()?
        {
            let l = logement_compte(r, &dr)?;
            if !garder(&l) {
                continue;
            }
            out.push(LogementSource {
                bailleur: l.bailleur.to_string(),
                reference: r.get(10)?,
                commune: l.commune.to_string(),
                reservataire: Reservataire::new(l.reservataire),
                typologie: r.get(11)?,
                financement: l.financement.as_str().to_string(),
                fichier: r.get(12)?,
                feuille: r.get(13)?,
                ligne: r.get(14)?,
            });
        }
        Ok(out)
    }

    /// A bailleur's active dwellings, by reference.
    pub fn logements_actifs_du_bailleur(&self, bailleur: &str) -> Result<Vec<LogementDuDossier>> {
        let mut st = self.conn.prepare(&format!(
            "SELECT {COLONNES_LOGEMENT} FROM {} ORDER BY l.reference",
            Selection::du_bailleur(bailleur).sql()
        ))?;
        let rows = st.query_map(params![bailleur, None::<&str>, None::<&str>], logement_du_dossier)?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    /// One active dwelling of a bailleur, by its reference.
    pub fn logement_actif(&self, bailleur: &str, reference: &str) -> Result<Option<LogementDuDossier>> {
        Ok(self
            .conn
            .query_row(
                &format!(
                    "SELECT {COLONNES_LOGEMENT} FROM {} AND l.reference = ?4 LIMIT 1",
                    Selection::du_bailleur(bailleur).sql()
                ),
                params![bailleur, None::<&str>, None::<&str>, reference],
                logement_du_dossier,
            )
            .optional()?)
    }

    /// The optional columns of a bailleur's file for one active dwelling (address, residence,
    /// floor, surface, rent), from its raw row and the plan of its sheet: (key, value) for each
    /// column the file has.
    pub fn complements_du_logement(&self, bailleur: &str, reference: &str) -> Result<Vec<(&'static str, String)>> {
        let row: Option<(Option<String>, String, String)> = self
            .conn
            .query_row(
                &format!(
                    "SELECT l.feuille, l.brut, (SELECT colonnes FROM imports i WHERE i.id = l.import_id) FROM {}
                     AND l.reference = ?4 LIMIT 1",
                    Selection::du_bailleur(bailleur).sql()
                ),
                params![bailleur, None::<&str>, None::<&str>, reference],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        let Some((feuille, brut, colonnes)) = row else { return Ok(vec![]) };
        Ok(complements(plans::de_la_feuille(&colonnes, feuille.as_deref()).as_ref(), &brut))
    }

    /// The rows set aside in the active imports, in the order of their imports.
    pub fn rejets_actifs(&self) -> Result<Vec<RejetOut>> {
        let mut out = Vec::new();
        self.pour_chaque_rejet_actif(|r| {
            out.push(r);
            Ok::<_, super::StoreError>(())
        })?;
        Ok(out)
    }

    /// [`Dossier::rejets_actifs`] one by one, none held (a report of a national dossier).
    pub fn pour_chaque_rejet_actif<E: From<super::StoreError>>(
        &self,
        mut visite: impl FnMut(RejetOut) -> std::result::Result<(), E>,
    ) -> std::result::Result<(), E> {
        let mut st = self
            .conn
            .prepare(
                "SELECT i.fichier, r.feuille, r.ligne, r.motif, r.valeur, r.bailleur FROM rejets r JOIN imports i ON i.id = r.import_id
             JOIN import_bailleurs b ON b.import_id = r.import_id AND b.bailleur = r.bailleur AND b.actif = 1 ORDER BY r.import_id, r.id",
            )
            .map_err(super::StoreError::from)?;
        let mut rows = st.query([]).map_err(super::StoreError::from)?;
        while let Some(r) = rows.next().map_err(super::StoreError::from)? {
            let rejet = (|| {
                Ok::<_, rusqlite::Error>(RejetOut {
                    fichier: r.get(0)?,
                    feuille: r.get(1)?,
                    ligne: r.get(2)?,
                    motif: r.get(3)?,
                    valeur: r.get(4)?,
                    bailleur: r.get(5)?,
                })
            })()
            .map_err(super::StoreError::from)?;
            visite(rejet)?;
        }
        Ok(())
    }

    /// The conflicts of the active imports, in the order of their imports.
    pub fn conflits_actifs(&self) -> Result<Vec<ConflitOut>> {
        let mut out = Vec::new();
        self.pour_chaque_conflit_actif(|c| {
            out.push(c);
            Ok::<_, super::StoreError>(())
        })?;
        Ok(out)
    }

    /// [`Dossier::conflits_actifs`] one by one, none held.
    pub fn pour_chaque_conflit_actif<E: From<super::StoreError>>(
        &self,
        mut visite: impl FnMut(ConflitOut) -> std::result::Result<(), E>,
    ) -> std::result::Result<(), E> {
        let mut st = self
            .conn
            .prepare(
                "SELECT c.bailleur, c.reference, c.motif, c.valeurs FROM conflits c
             JOIN import_bailleurs b ON b.import_id = c.import_id AND b.bailleur = c.bailleur AND b.actif = 1 ORDER BY c.import_id, c.id",
            )
            .map_err(super::StoreError::from)?;
        let mut rows = st.query([]).map_err(super::StoreError::from)?;
        while let Some(r) = rows.next().map_err(super::StoreError::from)? {
            let conflit = (|| {
                Ok::<_, rusqlite::Error>(ConflitOut {
                    bailleur: r.get(0)?,
                    reference: r.get(1)?,
                    motif: r.get(2)?,
                    valeurs: serde_json::from_str(&r.get::<_, String>(3)?).unwrap_or_default(),
                })
            })()
            .map_err(super::StoreError::from)?;
            visite(conflit)?;
        }
        Ok(())
    }

    /// The active rights extinct at the dossier's reference date, by bailleur and reference.
    pub fn droits_echus(&self) -> Result<Vec<EchuOut>> {
        let mut out = Vec::new();
        self.pour_chaque_droit_echu(|e| {
            out.push(e);
            Ok::<_, super::StoreError>(())
        })?;
        Ok(out)
    }

    /// [`Dossier::droits_echus`] one by one, none held.
    pub fn pour_chaque_droit_echu<E: From<super::StoreError>>(
        &self,
        mut visite: impl FnMut(EchuOut) -> std::result::Result<(), E>,
    ) -> std::result::Result<(), E> {
        let mut st = self
            .conn
            .prepare(&format!(
                "SELECT l.bailleur, l.reference, l.reservataire, l.date_fin_convention FROM {}
             AND l.reservataire <> ?4 AND l.date_fin_convention IS NOT NULL AND l.date_fin_convention < ?5
             ORDER BY l.bailleur, l.reference",
                Selection::default().sql()
            ))
            .map_err(super::StoreError::from)?;
        let dr = self.date_reference().to_string();
        let mut rows = st
            .query(params![None::<&str>, None::<&str>, None::<&str>, Reservataire::NON_RESERVE.as_str(), dr])
            .map_err(super::StoreError::from)?;
        while let Some(r) = rows.next().map_err(super::StoreError::from)? {
            let e = (|| {
                Ok::<_, rusqlite::Error>(EchuOut {
                    bailleur: r.get(0)?,
                    reference: r.get(1)?,
                    reservataire: r.get(2)?,
                    date_fin_convention: r.get(3)?,
                })
            })()
            .map_err(super::StoreError::from)?;
            visite(e)?;
        }
        Ok(())
    }

    /// The communes (as written in the files) of a bailleur's rows set aside as outside the
    /// dossier's territory in its active imports, with their number of rows.
    pub fn hors_territoire_du_bailleur(&self, bailleur: &str) -> Result<Vec<(String, u64)>> {
        let mut st = self.conn.prepare(
            "SELECT r.valeur, COUNT(*) FROM rejets r
             JOIN import_bailleurs b ON b.import_id = r.import_id AND b.bailleur = r.bailleur AND b.actif = 1
             WHERE r.bailleur = ?1 AND r.motif = 'commune_hors_territoire'
             GROUP BY r.valeur ORDER BY r.valeur",
        )?;
        let rows = st.query_map([bailleur], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as u64)))?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    /// The labels set aside as unknown in the active imports, most frequent first.
    pub fn libelles_inconnus(&self) -> Result<Vec<LibelleInconnu>> {
        let mut st = self.conn.prepare(
            "SELECT r.motif, r.valeur, COUNT(*), group_concat(DISTINCT r.bailleur) FROM rejets r
             JOIN import_bailleurs b ON b.import_id = r.import_id AND b.bailleur = r.bailleur AND b.actif = 1
             WHERE r.motif IN ('reservataire_inconnu', 'commune_inconnue', 'typologie_inconnue', 'financement_inconnu')
               AND r.valeur <> ''
             GROUP BY r.motif, r.valeur ORDER BY COUNT(*) DESC, r.valeur",
        )?;
        let rows = st.query_map([], |r| {
            let motif: String = r.get(0)?;
            let libelle: String = r.get(1)?;
            let lignes = r.get::<_, i64>(2)? as u64;
            let bailleurs: String = r.get(3)?;
            // The query reads only the motifs of a label (each has its field).
            Ok(Motif::parse(&motif).and_then(|m| m.champ()).map(|champ| LibelleInconnu {
                champ,
                libelle,
                lignes,
                bailleurs: bailleurs.split(',').map(str::to_string).collect(),
            }))
        })?;
        // A spreadsheet's error value (« #N/A », « #REF! ») is an empty cell: a missing value,
        // never a label to reconcile (mapped, it would map every empty cell).
        let rows: Vec<Option<LibelleInconnu>> = rows.collect::<std::result::Result<_, _>>()?;
        Ok(rows.into_iter().flatten().filter(|l| !crate::text::is_error_marker(&l.libelle)).collect())
    }

    /// The active rights (a réservataire, not `non-reserve`) whose convention ends strictly
    /// before `date`: the extinct rights at that reference date.
    pub fn droits_echus_au(&self, date: Date) -> Result<u64> {
        let n: i64 = self.conn.query_row(
            "SELECT COUNT(*) FROM import_bailleurs b CROSS JOIN logements l
             ON l.import_id = b.import_id AND l.bailleur = b.bailleur
             WHERE b.actif = 1 AND l.reservataire <> ?2
               AND l.date_fin_convention IS NOT NULL AND l.date_fin_convention < ?1",
            params![date.to_string(), Reservataire::NON_RESERVE.as_str()],
            |r| r.get(0),
        )?;
        Ok(n as u64)
    }

    /// What changing the reference date does, before doing it: the extinct rights at each date
    /// and those that change side.
    pub fn effet_date_reference(&self, nouvelle: Date) -> Result<EffetDateReference> {
        let ancienne = self.date_reference();
        let (avant, apres) = (self.droits_echus_au(ancienne)?, self.droits_echus_au(nouvelle)?);
        let (lo, hi) = if ancienne <= nouvelle { (ancienne, nouvelle) } else { (nouvelle, ancienne) };
        let entre: i64 = self.conn.query_row(
            "SELECT COUNT(*) FROM import_bailleurs b CROSS JOIN logements l
             ON l.import_id = b.import_id AND l.bailleur = b.bailleur
             WHERE b.actif = 1 AND l.reservataire <> ?3
               AND l.date_fin_convention >= ?1 AND l.date_fin_convention < ?2",
            params![lo.to_string(), hi.to_string(), Reservataire::NON_RESERVE.as_str()],
            |r| r.get(0),
        )?;
        let entre = entre as u64;
        Ok(EffetDateReference {
            ancienne,
            nouvelle,
            echus_avant: avant,
            echus_apres: apres,
            deviennent_echus: if nouvelle > ancienne { entre } else { 0 },
            ne_sont_plus_echus: if nouvelle < ancienne { entre } else { 0 },
        })
    }

    /// Changes the reference date (the extinct rights follow it); returns what it changed.
    pub fn changer_date_reference(&mut self, nouvelle: Date) -> Result<EffetDateReference> {
        let effet = self.effet_date_reference(nouvelle)?;
        self.set_parametre("date_reference", &nouvelle.to_string())?;
        Ok(effet)
    }
}

/// The optional columns of a bailleur's file in a raw row, through the plan of its sheet.
fn complements(plan: Option<&PlanDeFeuille>, brut: &str) -> Vec<(&'static str, String)> {
    let Some(plan) = plan else { return vec![] };
    let cells: Vec<&str> = brut.split('\t').collect();
    [
        (Field::Adresse, "adresse"),
        (Field::Residence, "residence"),
        (Field::Etage, "etage"),
        (Field::Surface, "surface"),
        (Field::Loyer, "loyer"),
    ]
    .into_iter()
    .filter_map(|(field, key)| {
        plan.entete.colonne(field).map(|c| (key, cells.get(c).map(|s| s.to_string()).unwrap_or_default()))
    })
    .collect()
}

/// What changing the reference date does (see [`Dossier::effet_date_reference`]).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct EffetDateReference {
    pub ancienne: Date,
    pub nouvelle: Date,
    /// Extinct rights at the old and at the new date.
    pub echus_avant: u64,
    pub echus_apres: u64,
    /// Rights active at the old date, extinct at the new one (a later date).
    pub deviennent_echus: u64,
    /// Rights extinct at the old date, active at the new one (an earlier date).
    pub ne_sont_plus_echus: u64,
}
