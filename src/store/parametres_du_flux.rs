//! The flux parameters saved per bailleur × EPCI (or département) × year (`flux_parametres`):
//! documents the flux engine writes and reads; the dossier keeps them as they are (JSON).

use super::{Dossier, Result, StoreError};
use rusqlite::{OptionalExtension, params};
use serde::Serialize;
use serde::de::DeserializeOwned;

impl Dossier {
    /// The parameters saved for a bailleur and `cle` (an EPCI's SIREN, or
    /// `departement:<code>`) for the year, else those of the latest year before: with the year
    /// they were saved for.
    pub fn parametres_du_flux<P: DeserializeOwned>(
        &self,
        bailleur: &str,
        cle: &str,
        annee: i32,
    ) -> Result<Option<(i32, P)>> {
        let found: Option<(i32, String)> = self
            .conn
            .query_row(
                "SELECT annee, parametres FROM flux_parametres WHERE bailleur = ?1 AND epci = ?2 AND annee <= ?3
                 ORDER BY annee DESC LIMIT 1",
                params![bailleur, cle, annee],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let Some((saved, json)) = found else { return Ok(None) };
        let p = serde_json::from_str(&json)
            .map_err(|e| StoreError::Corrompu(format!("paramètres du flux {saved} illisibles : {e}")))?;
        Ok(Some((saved, p)))
    }

    /// Whether parameters were saved for exactly this year.
    pub fn parametres_du_flux_enregistres(&self, bailleur: &str, cle: &str, annee: i32) -> Result<bool> {
        Ok(self.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM flux_parametres WHERE bailleur = ?1 AND epci = ?2 AND annee = ?3)",
            params![bailleur, cle, annee],
            |r| r.get(0),
        )?)
    }

    /// Saves the parameters of a bailleur and `cle` for the year (replacing those saved).
    pub fn enregistrer_parametres_du_flux<P: Serialize>(
        &self,
        bailleur: &str,
        cle: &str,
        annee: i32,
        p: &P,
    ) -> Result<()> {
        self.conn.execute(
            "INSERT INTO flux_parametres(bailleur, epci, annee, parametres) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT(bailleur, epci, annee) DO UPDATE SET parametres = excluded.parametres",
            params![bailleur, cle, annee, serde_json::to_string(p).unwrap_or_default()],
        )?;
        Ok(())
    }
}
