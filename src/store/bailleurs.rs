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

    /// Every bailleur the dossier names (its imports of both kinds, active or not, its typed
    /// mises à disposition, its saved flux parameters), in French alphabetical order.
    pub fn bailleurs_du_dossier(&self) -> Result<Vec<String>> {
        let mut st = self.conn.prepare(
            "SELECT bailleur FROM import_bailleurs UNION SELECT bailleur FROM suivi_imports
             UNION SELECT bailleur FROM mises_a_disposition UNION SELECT bailleur FROM flux_parametres",
        )?;
        let mut v: Vec<String> = st.query_map([], |r| r.get(0))?.collect::<std::result::Result<_, _>>()?;
        v.sort_by(|a, b| crate::text::ordre_francais(a, b));
        Ok(v)
    }

    /// Renames a bailleur everywhere the dossier names it — its dwellings, rows set aside,
    /// conflicts, imports of both kinds, mises à disposition, flux parameters, address and
    /// convention settings, the kept cells of the cube — in one transaction, recorded in the
    /// history (journal). Refused, nothing written: an unknown bailleur, an empty name, a name
    /// the dossier already gives another bailleur (also written with other accents or
    /// capitals: imports match names that way).
    pub fn renommer_bailleur(&mut self, ancien: &str, nouveau: &str) -> Result<()> {
        let nouveau = nouveau.trim();
        if let Some(refus) = refus_de_renommer(ancien, nouveau, &self.bailleurs_du_dossier()?) {
            return Err(StoreError::NomRefuse(refus));
        }
        let tx = self.conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let cube_valide = super::cube::valides(&tx, &self.compte)?;
        for table in [
            "import_bailleurs",
            "logements",
            "rejets",
            "conflits",
            "flux_parametres",
            "suivi_imports",
            "mises_a_disposition",
            "suivi_rejets",
        ] {
            tx.execute(
                &format!("UPDATE {table} SET bailleur = ?2 WHERE bailleur = ?1"),
                rusqlite::params![ancien, nouveau],
            )?;
        }
        // The settings kept under the bailleur's name: its address, the step its conventions
        // count at, their reply deadline and holidays (of all its conventions or one).
        let cles: Vec<String> = {
            let mut st = tx.prepare("SELECT cle FROM parametres")?;
            st.query_map([], |r| r.get(0))?.collect::<std::result::Result<_, _>>()?
        };
        for cle in cles {
            if let Some(nouvelle) = cle_renommee(&cle, ancien, nouveau) {
                tx.execute("UPDATE parametres SET cle = ?2 WHERE cle = ?1", rusqlite::params![cle, nouvelle])?;
            }
        }
        super::cube::suivre(
            &tx,
            &self.compte,
            cube_valide,
            &super::cube::Changement::Bailleurs([ancien.to_string(), nouveau.to_string()].into()),
        )?;
        tx.execute(
            "INSERT INTO journal(date, action, detail) VALUES (?1, 'renommer_bailleur', ?2)",
            rusqlite::params![super::now_iso(), format!("Bailleur « {ancien} » renommé « {nouveau} »")],
        )?;
        super::point_d_arret();
        tx.commit()?;
        Ok(())
    }
}

/// Why the bailleur `ancien` may not be renamed `nouveau` in a dossier whose bailleurs are
/// `connus` (see [`Dossier::bailleurs_du_dossier`]); `None` when it may. Said before the
/// rename is asked (the window) and checked again by it.
pub fn refus_de_renommer(ancien: &str, nouveau: &str, connus: &[String]) -> Option<String> {
    let nouveau = nouveau.trim();
    if !connus.iter().any(|b| b == ancien) {
        return Some(format!(
            "bailleur inconnu dans le dossier : « {ancien} » (bailleurs du dossier : {})",
            connus.join(", ")
        ));
    }
    if nouveau.is_empty() {
        return Some("donnez le nouveau nom du bailleur".into());
    }
    if nouveau == ancien {
        return Some(format!("« {ancien} » porte déjà ce nom : rien à changer"));
    }
    let k = crate::text::key(nouveau);
    // Imports match a bailleur whatever its accents and capitals: two such names would be one.
    connus.iter().find(|b| *b != ancien && (*b == nouveau || crate::text::key(b) == k)).map(|autre| {
        format!("le nom « {nouveau} » est déjà pris par le bailleur « {autre} » du dossier : choisissez un autre nom")
    })
}

/// The parameter `cle` once its bailleur `ancien` is renamed `nouveau`; `None` when it does not
/// name that bailleur.
fn cle_renommee(cle: &str, ancien: &str, nouveau: &str) -> Option<String> {
    if cle == format!("bailleur:{ancien}:coordonnees") {
        return Some(format!("bailleur:{nouveau}:coordonnees"));
    }
    for prefixe in ["decompte", "delai", "pentecote", "vendredi_saint"] {
        let seul = format!("{prefixe}:{ancien}");
        if cle == seul {
            return Some(format!("{prefixe}:{nouveau}"));
        }
        // The setting of one of its conventions: `decompte:<bailleur>:<réservataire>`.
        if let Some(reservataire) = cle.strip_prefix(&format!("{seul}:")) {
            return Some(format!("{prefixe}:{nouveau}:{reservataire}"));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::cle_renommee;

    #[test]
    fn the_settings_kept_under_a_bailleur_s_name_follow_it() {
        let r = |c| cle_renommee(c, "Azur", "Société Azur");
        assert_eq!(r("bailleur:Azur:coordonnees").as_deref(), Some("bailleur:Société Azur:coordonnees"));
        assert_eq!(r("decompte:Azur").as_deref(), Some("decompte:Société Azur"));
        assert_eq!(r("delai:Azur:commune:06004").as_deref(), Some("delai:Société Azur:commune:06004"));
        assert_eq!(r("vendredi_saint:Azur:etat").as_deref(), Some("vendredi_saint:Société Azur:etat"));
        // Another bailleur whose name starts the same, and the dossier's own settings: untouched.
        assert_eq!(r("decompte:Azur Habitat"), None);
        assert_eq!(r("bailleur:Azur Habitat:coordonnees"), None);
        assert_eq!(r("delai"), None);
        assert_eq!(r("territoire"), None);
    }
}
