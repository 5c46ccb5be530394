//! The label mappings (`correspondances`): a bailleur's label mapped to a réservataire, a
//! commune, a typology or a financement, and the century of a column's two-digit years;
//! with what is needed to undo a mapping.

use super::{Dossier, Result};
use crate::model::{ChampLibelle, FINANCEMENT_DEFAUT, Financement, Mappings};
use crate::text::key;
use rusqlite::{OptionalExtension, Transaction, params};

impl Dossier {
    /// The financement correspondence in force: (label, canonical) pairs.
    pub fn financement_pairs(&self) -> Result<Vec<(String, Financement)>> {
        let mut st = self.conn.prepare("SELECT libelle, valeur FROM correspondances WHERE champ = 'financement'")?;
        let pairs = st
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?
            .filter_map(|r| r.ok())
            .filter_map(|(l, v)| Some((l, Financement::parse(&v)?)))
            .collect::<Vec<_>>();
        Ok(pairs)
    }

    /// The financement correspondence as (label, canonical) rows, for display and editing.
    pub fn financement_labels(&self) -> Result<Vec<(String, String)>> {
        let mut st = self.conn.prepare(
            "SELECT libelle, valeur FROM correspondances WHERE champ = 'financement' ORDER BY valeur, libelle",
        )?;
        let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    pub fn mappings(&self) -> Result<Mappings> {
        let mut m = Mappings::default();
        let mut st =
            self.conn.prepare("SELECT champ, cle, valeur FROM correspondances WHERE champ <> 'financement'")?;
        let rows =
            st.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?)))?;
        for row in rows {
            let (champ, cle, valeur) = row?;
            match ChampLibelle::parse(&champ) {
                Some(ChampLibelle::Reservataire) => m.reservataire.insert(cle, valeur),
                Some(ChampLibelle::Commune) => m.commune.insert(cle, valeur),
                Some(ChampLibelle::Typologie) => m.typologie.insert(cle, valeur),
                Some(ChampLibelle::Siecle) => {
                    if let Some(s) = crate::model::Siecle::parse(&valeur) {
                        m.siecle.insert(cle, s);
                    }
                    None
                }
                Some(ChampLibelle::Financement | ChampLibelle::Menage | ChampLibelle::Quartile) | None => None,
            };
        }
        Ok(m)
    }

    /// Saves a label mapping confirmed by the user (`champ`: reservataire, commune,
    /// typologie, financement).
    pub fn set_mapping(&self, champ: ChampLibelle, libelle: &str, valeur: &str) -> Result<()> {
        self.conn.execute(
            "INSERT INTO correspondances(champ, cle, libelle, valeur, origine) VALUES (?1, ?2, ?3, ?4, 'utilisateur')
             ON CONFLICT(champ, cle) DO UPDATE SET valeur = excluded.valeur, libelle = excluded.libelle, origine = 'utilisateur'",
            params![champ.as_str(), key(libelle), libelle, valeur],
        )?;
        // The household labels of the registers take the value at once (their rows are kept,
        // not set aside).
        self.appliquer_libelle_menage(champ, libelle, valeur)?;
        Ok(())
    }

    /// What a label mapping is about to change, to undo it: the dwellings' last id, the rows
    /// set aside that it may resolve, and the mapping it replaces.
    pub fn avant_association(&self, champ: ChampLibelle, libelle: &str) -> Result<AvantAssociation> {
        let max_logement: i64 = self.conn.query_row("SELECT COALESCE(MAX(id), 0) FROM logements", [], |r| r.get(0))?;
        let mut st = self.conn.prepare(
            "SELECT id, import_id, bailleur, feuille, ligne, motif, valeur, brut FROM rejets
             WHERE motif IN ('reservataire_inconnu', 'commune_inconnue', 'typologie_inconnue', 'financement_inconnu', 'date_ambigue')",
        )?;
        let rejets = st
            .query_map([], |r| {
                Ok(RejetSauve {
                    id: r.get(0)?,
                    import_id: r.get(1)?,
                    bailleur: r.get(2)?,
                    feuille: r.get(3)?,
                    ligne: r.get(4)?,
                    motif: r.get(5)?,
                    valeur: r.get(6)?,
                    brut: r.get(7)?,
                })
            })?
            .collect::<std::result::Result<_, _>>()?;
        let precedente = self
            .conn
            .query_row(
                "SELECT valeur, origine FROM correspondances WHERE champ = ?1 AND cle = ?2",
                params![champ.as_str(), cle_de(champ, libelle)],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        // Each import's counts, put back by the undo (the mapping moves rows between them).
        let mut st = self.conn.prepare("SELECT id, logements, rejets, doublons FROM imports")?;
        let comptes = st
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
            .collect::<std::result::Result<_, _>>()?;
        Ok(AvantAssociation { champ, libelle: libelle.into(), max_logement, rejets, precedente, comptes })
    }

    /// Undoes a label mapping: the dwellings it brought back leave again, the rows set aside
    /// come back as they were, and the previous mapping (if any) is restored. One transaction.
    pub fn annuler_association(&mut self, a: &AvantAssociation) -> Result<()> {
        let tx = self.conn.transaction()?;
        let cube_valide = super::cube::valides(&tx, &self.compte)?;
        let bailleurs: std::collections::BTreeSet<String> = {
            let mut st = tx.prepare("SELECT DISTINCT bailleur FROM logements WHERE id > ?1")?;
            st.query_map([a.max_logement], |r| r.get(0))?.collect::<std::result::Result<_, _>>()?
        };
        tx.execute("DELETE FROM logements WHERE id > ?1", [a.max_logement])?;
        for r in &a.rejets {
            tx.execute(
                "INSERT OR REPLACE INTO rejets(id, import_id, bailleur, feuille, ligne, motif, valeur, brut)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![r.id, r.import_id, r.bailleur, r.feuille, r.ligne, r.motif, r.valeur, r.brut],
            )?;
        }
        for (id, logements, rejets, doublons) in &a.comptes {
            tx.execute(
                "UPDATE imports SET logements = ?2, rejets = ?3, doublons = ?4 WHERE id = ?1",
                params![id, logements, rejets, doublons],
            )?;
        }
        match &a.precedente {
            Some((valeur, origine)) => tx.execute(
                "UPDATE correspondances SET valeur = ?3, origine = ?4 WHERE champ = ?1 AND cle = ?2",
                params![a.champ.as_str(), cle_de(a.champ, &a.libelle), valeur, origine],
            )?,
            None => tx.execute(
                "DELETE FROM correspondances WHERE champ = ?1 AND cle = ?2",
                params![a.champ.as_str(), cle_de(a.champ, &a.libelle)],
            )?,
        };
        super::cube::suivre(&tx, &self.compte, cube_valide, &super::cube::Changement::Bailleurs(bailleurs))?;
        tx.commit()?;
        if matches!(a.champ, ChampLibelle::Menage | ChampLibelle::Quartile) {
            self.retirer_libelle_menage(a.champ, &a.libelle)?;
            if let Some((valeur, _)) = &a.precedente {
                self.appliquer_libelle_menage(a.champ, &a.libelle, valeur)?;
            }
        }
        Ok(())
    }

    /// Saves the century the user gave to the two-digit years of a file column (`cle` from
    /// `crate::import::row::cle_siecle`; `libelle` says the file and column for people).
    pub fn set_siecle(&self, cle: &str, libelle: &str, siecle: crate::model::Siecle) -> Result<()> {
        self.conn.execute(
            "INSERT INTO correspondances(champ, cle, libelle, valeur, origine) VALUES ('siecle', ?1, ?2, ?3, 'utilisateur')
             ON CONFLICT(champ, cle) DO UPDATE SET valeur = excluded.valeur, libelle = excluded.libelle, origine = 'utilisateur'",
            params![cle, libelle, siecle.as_str()],
        )?;
        Ok(())
    }
}

/// The key of a mapping: the label's key; for the century of a column (`siecle`), the label
/// is already the key ([`crate::import::row::cle_siecle`]).
fn cle_de(champ: ChampLibelle, libelle: &str) -> String {
    if champ == ChampLibelle::Siecle { libelle.to_string() } else { key(libelle) }
}

/// A row set aside, as saved before a label mapping (to undo it).
#[derive(Debug, Clone, PartialEq)]
pub struct RejetSauve {
    pub id: i64,
    pub import_id: i64,
    pub bailleur: String,
    pub feuille: Option<String>,
    pub ligne: i64,
    pub motif: String,
    pub valeur: String,
    pub brut: String,
}

/// The state of the dossier before a label mapping (see [`Dossier::avant_association`]).
#[derive(Debug, Clone, PartialEq)]
pub struct AvantAssociation {
    pub champ: ChampLibelle,
    pub libelle: String,
    pub max_logement: i64,
    pub rejets: Vec<RejetSauve>,
    pub precedente: Option<(String, String)>,
    /// (import, dwellings kept, rows set aside, doublons) of each import before the mapping.
    pub comptes: Vec<(i64, i64, i64, i64)>,
}

/// The default financement correspondence, written when a dossier is created.
pub(super) fn seed(tx: &Transaction) -> rusqlite::Result<()> {
    let mut st = tx.prepare(
        "INSERT OR IGNORE INTO correspondances(champ, cle, libelle, valeur, origine) VALUES ('financement', ?1, ?2, ?3, 'defaut')",
    )?;
    for (label, f) in FINANCEMENT_DEFAUT {
        st.execute(params![key(label), label, f.as_str()])?;
    }
    Ok(())
}
