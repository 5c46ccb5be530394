//! The dossier's CIA (intercommunal attribution agreement) settings, and the household labels
//! of the registers that were not recognised (mapped in « Libellés »).

use super::{Dossier, LibelleInconnu, Result};
use crate::model::{ChampLibelle, ReglagesCia};
use crate::text::key;
use rusqlite::params;

/// A CIA objective that can be set.
#[derive(Debug, Clone, PartialEq)]
pub enum ReglageCia {
    Quartile1(f64),
    Qpv(f64),
    /// The rate of the réservataires the law sets 25 % for (and the bailleur's own).
    Prioritaires(f64),
    /// One réservataire's rate (0: no objective); `None` returns it to the law's default.
    PrioritairesDe(crate::model::Reservataire, Option<f64>),
}

impl Dossier {
    /// The CIA objectives of the dossier: the law's defaults unless set.
    pub fn reglages_cia(&self) -> Result<ReglagesCia> {
        let mut r = ReglagesCia::default();
        let mut st = self.conn.prepare("SELECT cle, valeur FROM parametres WHERE cle LIKE 'cia:%'")?;
        let rows = st.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
        for row in rows {
            let (cle, valeur) = row?;
            let Ok(v) = valeur.parse::<f64>() else { continue };
            if !(0.0..=1.0).contains(&v) {
                continue;
            }
            match cle.as_str() {
                "cia:quartile1" => r.quartile1 = v,
                "cia:qpv" => r.qpv = v,
                "cia:prioritaires" => r.prioritaires = v,
                c => {
                    if let Some(id) = c.strip_prefix("cia:prioritaires:") {
                        r.par_reservataire.insert(crate::model::Reservataire::new(id), v);
                    }
                }
            }
        }
        Ok(r)
    }

    /// Records a CIA objective (a share, 0 to 1).
    pub fn enregistrer_reglage_cia(&self, reglage: &ReglageCia) -> Result<()> {
        let (cle, valeur) = match reglage {
            ReglageCia::Quartile1(v) => ("cia:quartile1".to_string(), Some(*v)),
            ReglageCia::Qpv(v) => ("cia:qpv".to_string(), Some(*v)),
            ReglageCia::Prioritaires(v) => ("cia:prioritaires".to_string(), Some(*v)),
            ReglageCia::PrioritairesDe(id, v) => (format!("cia:prioritaires:{id}"), *v),
        };
        match valeur {
            Some(v) => self.set_parametre(&cle, &v.to_string())?,
            None => {
                self.conn.execute("DELETE FROM parametres WHERE cle = ?1", [cle])?;
            }
        }
        Ok(())
    }

    /// The user's mappings of one field's labels (label key → value), for the household fields.
    pub fn correspondances_du_champ(&self, champ: ChampLibelle) -> Result<std::collections::HashMap<String, String>> {
        let mut st = self.conn.prepare("SELECT cle, valeur FROM correspondances WHERE champ = ?1")?;
        let rows = st.query_map([champ.as_str()], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    /// The household labels of the active registers that were not recognised (champ `menage`
    /// or `quartile`), most frequent first.
    pub fn libelles_menage_inconnus(&self) -> Result<Vec<LibelleInconnu>> {
        let mut out = Vec::new();
        for (champ, code, brut) in
            [(ChampLibelle::Menage, "menage", "menage_brut"), (ChampLibelle::Quartile, "quartile", "quartile_brut")]
        {
            let mut st = self.conn.prepare(&format!(
                "SELECT m.{brut}, COUNT(*), group_concat(DISTINCT m.bailleur)
                 FROM mises_a_disposition m LEFT JOIN suivi_imports i ON i.id = m.import_id
                 WHERE (m.import_id IS NULL OR i.actif = 1) AND m.{code} IS NULL AND TRIM(COALESCE(m.{brut}, '')) <> ''
                 GROUP BY m.{brut} ORDER BY COUNT(*) DESC, m.{brut}"
            ))?;
            let rows = st.query_map([], |r| {
                let bailleurs: String = r.get(2)?;
                Ok(LibelleInconnu {
                    champ,
                    libelle: r.get(0)?,
                    lignes: r.get::<_, i64>(1)? as u64,
                    bailleurs: bailleurs.split(',').map(str::to_string).collect(),
                })
            })?;
            for r in rows {
                out.push(r?);
            }
        }
        Ok(out)
    }

    /// Gives the register rows whose household label (champ `menage` or `quartile`) has the
    /// key of `libelle` and was not recognised the value chosen; returns how many changed.
    pub fn appliquer_libelle_menage(&self, champ: ChampLibelle, libelle: &str, valeur: &str) -> Result<u64> {
        let (code, brut) = match champ {
            ChampLibelle::Menage => ("menage", "menage_brut"),
            ChampLibelle::Quartile => ("quartile", "quartile_brut"),
            ChampLibelle::Reservataire
            | ChampLibelle::Commune
            | ChampLibelle::Typologie
            | ChampLibelle::Financement
            | ChampLibelle::Siecle => return Ok(0),
        };
        let cible = key(libelle);
        let mut st = self.conn.prepare(&format!(
            "SELECT DISTINCT {brut} FROM mises_a_disposition WHERE {code} IS NULL AND {brut} IS NOT NULL"
        ))?;
        let bruts: Vec<String> = st.query_map([], |r| r.get(0))?.collect::<std::result::Result<Vec<String>, _>>()?;
        let mut n = 0;
        for b in bruts.into_iter().filter(|b| key(b) == cible) {
            n += self.conn.execute(
                &format!("UPDATE mises_a_disposition SET {code} = ?1 WHERE {code} IS NULL AND {brut} = ?2"),
                params![valeur, b],
            )? as u64;
        }
        Ok(n)
    }

    /// Undoes [`Dossier::appliquer_libelle_menage`]: the rows of that label lose the value.
    pub fn retirer_libelle_menage(&self, champ: ChampLibelle, libelle: &str) -> Result<()> {
        let (code, brut) = match champ {
            ChampLibelle::Menage => ("menage", "menage_brut"),
            ChampLibelle::Quartile => ("quartile", "quartile_brut"),
            ChampLibelle::Reservataire
            | ChampLibelle::Commune
            | ChampLibelle::Typologie
            | ChampLibelle::Financement
            | ChampLibelle::Siecle => return Ok(()),
        };
        let cible = key(libelle);
        let mut st =
            self.conn.prepare(&format!("SELECT DISTINCT {brut} FROM mises_a_disposition WHERE {brut} IS NOT NULL"))?;
        let bruts: Vec<String> = st.query_map([], |r| r.get(0))?.collect::<std::result::Result<Vec<String>, _>>()?;
        for b in bruts.into_iter().filter(|b| key(b) == cible) {
            self.conn
                .execute(&format!("UPDATE mises_a_disposition SET {code} = NULL WHERE {brut} = ?1"), params![b])?;
        }
        Ok(())
    }
}
