//! What the dossier keeps about a bailleur besides its dwellings: its address and its
//! correspondent (entered once, printed on the fiche récapitulative and the documents), and
//! the settings of its conventions (décompte, reply deadline, worked holidays). Kept in the
//! `parametres` table (keys `bailleur:<nom>:coordonnees`, `decompte:…`), so no migration.

use super::{Dossier, Result, StoreError};
use serde::{Deserialize, Serialize};

/// The bailleur's address and correspondent, as the DDETS form asks them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Coordonnees {
    #[serde(default)]
    pub adresse: String,
    /// The correspondent's name.
    #[serde(default)]
    pub correspondant: String,
    #[serde(default)]
    pub fonction: String,
    #[serde(default)]
    pub telephone: String,
    #[serde(default)]
    pub courriel: String,
}

impl Coordonnees {
    /// Whether nothing was entered.
    pub fn vide(&self) -> bool {
        *self == Coordonnees::default()
    }

    /// « Mme Durand, responsable de la gestion locative — 04 93 00 00 00 — x@y.fr ».
    pub fn correspondant_complet(&self) -> String {
        let mut v: Vec<&str> = vec![];
        let nom =
            [self.correspondant.trim(), self.fonction.trim()].into_iter().filter(|s| !s.is_empty()).collect::<Vec<_>>();
        let nom = nom.join(", ");
        if !nom.is_empty() {
            v.push(&nom);
        }
        for s in [self.telephone.trim(), self.courriel.trim()] {
            if !s.is_empty() {
                v.push(s);
            }
        }
        v.join(" — ")
    }
}

fn cle(bailleur: &str) -> String {
    format!("bailleur:{bailleur}:coordonnees")
}

impl Dossier {
    /// The address and correspondent saved for a bailleur (empty when none were).
    pub fn coordonnees_du_bailleur(&self, bailleur: &str) -> Result<Coordonnees> {
        match self.parametre(&cle(bailleur))? {
            Some(json) => serde_json::from_str(&json)
                .map_err(|e| StoreError::Corrompu(format!("coordonnées du bailleur « {bailleur} » illisibles : {e}"))),
            None => Ok(Coordonnees::default()),
        }
    }

    /// Saves a bailleur's address and correspondent.
    pub fn enregistrer_coordonnees_du_bailleur(&self, bailleur: &str, c: &Coordonnees) -> Result<()> {
        self.set_parametre(&cle(bailleur), &serde_json::to_string(c).unwrap_or_default())
    }

    /// Every setting of the conventions (`decompte:…`, `delai:…`, `pentecote:…`,
    /// `vendredi_saint:…`), read at once for a bilan that asks them for every convention.
    pub fn reglages_des_conventions(&self) -> Result<std::collections::HashMap<String, String>> {
        let mut st = self.conn.prepare(
            "SELECT cle, valeur FROM parametres WHERE cle LIKE 'decompte%' OR cle LIKE 'delai%'
         OR cle LIKE 'pentecote%' OR cle LIKE 'vendredi_saint%'",
        )?;
        let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    /// The bailleurs of the dossier's active imports, as the dossier spells them.
    pub fn bailleurs_actifs(&self) -> Result<Vec<String>> {
        let mut st = self.conn.prepare("SELECT DISTINCT bailleur FROM import_bailleurs WHERE actif = 1 ORDER BY 1")?;
        let rows = st.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }
}
