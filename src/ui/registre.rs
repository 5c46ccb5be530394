//! A register of mises à disposition read for the import wizard: the core's header
//! detection (`suivi::registre::entete`) on each sheet, the first rows for the preview, the
//! bailleurs its « Bailleur » column names. Nothing is written here; the import itself is
//! the core's `suivi::importer`, with the bailleur the user chose.

use super::erreur::Erreur;
use super::state::{FeuilleRegistre, RegistreLu};
use contingents::import::header::Field;
use contingents::suivi::registre::{Champ, entete};
use std::path::Path;

/// Rows of the preview, under the header.
const APERCU: usize = 5;

/// Reads a register for the wizard. `bailleurs`: the dossier's; the bailleur is set only
/// when the file's « Bailleur » column names one of them (never made up from the file name).
pub fn lire(path: &Path, bailleurs: &[String]) -> Result<RegistreLu, Erreur> {
    let fichier = path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
    let bytes = std::fs::read(path).map_err(|e| Erreur::Texte(format!("{fichier} : lecture impossible ({e})")))?;
    let sheets =
        contingents::import::read::read_sheets(&bytes).map_err(|e| Erreur::Texte(format!("{fichier} : {}", e.0)))?;
    let mut feuilles = Vec::new();
    let mut du_fichier: Vec<String> = Vec::new();
    for s in sheets.iter().filter(|s| !s.hidden) {
        let Some(e) = entete(s) else { continue };
        let rows: Vec<&[calamine::Data]> = s.range.rows().collect();
        let texte =
            |row: &[calamine::Data], c: usize| row.get(c).map(super::screens::apercu_cellule).unwrap_or_default();
        let largeur = s.range.width();
        let entete_lu: Vec<String> =
            rows.get(e.ligne).map(|r| (0..largeur).map(|c| texte(r, c)).collect()).unwrap_or_default();
        let donnees: Vec<&&[calamine::Data]> =
            rows.iter().skip(e.ligne + 1).filter(|r| r.iter().any(|d| !contingents::import::is_blank(d))).collect();
        if let Some(c) = e.colonne(Champ::Logement(Field::Bailleur)) {
            for r in &donnees {
                let b = contingents::import::cell_text(r.get(c).unwrap_or(&calamine::Data::Empty)).trim().to_string();
                if !b.is_empty() && !du_fichier.contains(&b) {
                    du_fichier.push(b);
                }
            }
        }
        let mut colonnes = e.colonnes.clone();
        colonnes.sort_by_key(|(_, c)| *c);
        feuilles.push(FeuilleRegistre {
            nom: s.name.clone(),
            ligne_entete: e.ligne + 1,
            colonnes,
            entete: entete_lu,
            apercu: donnees.iter().take(APERCU).map(|r| (0..largeur).map(|c| texte(r, c)).collect()).collect(),
            lignes: donnees.len(),
        });
    }
    if feuilles.is_empty() {
        return Err(Erreur::Suivi(contingents::suivi::SuiviError::PasUnRegistre(fichier)));
    }
    // The file's own column names one bailleur of the dossier: taken (it is read, not guessed).
    let cle = |b: &str| contingents::text::key(b);
    let bailleur = match du_fichier.as_slice() {
        [b] => bailleurs.iter().find(|x| cle(x) == cle(b)).cloned(),
        _ => None,
    };
    Ok(RegistreLu { path: path.to_path_buf(), fichier, feuilles, bailleur, bailleurs_du_fichier: du_fichier })
}

/// A field of a register, as the wizard names its column.
pub fn libelle_champ(c: Champ) -> &'static str {
    match c {
        Champ::Logement(f) => f.label(),
        Champ::DateLiberation => "Date de libération (fin du préavis)",
        Champ::Preavis => "Préavis",
        Champ::DateMiseADisposition => "Date de mise à disposition",
        Champ::DateValidation => "Date de validation",
        Champ::Candidats => "Candidats",
        Champ::DateCandidats => "Date des candidats",
        Champ::DateCal => "Date de la CALEOL",
        Champ::DecisionCal => "Décision de la CALEOL",
        Champ::DateBail => "Date de signature du bail",
        Champ::Issue => "Issue",
        Champ::HorsFlux => "Hors flux",
        Champ::Menage => "Ménage (public prioritaire)",
        Champ::Dalo => "DALO",
        Champ::Quartile => "Quartile de ressources",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_register_is_read_with_its_columns_and_its_bailleur_is_never_made_up() {
        let dir = std::env::temp_dir().join(format!("contingents-registre-lu-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let f = dir.join("habitat_azur_suivi_2024.csv");
        std::fs::write(
            &f,
            "Référence;Réservataire;Date de mise à disposition;Date signature du bail\r\nHA-1;Préfecture;15/09/2024;30/10/2024\r\nHA-2;ALS;01/10/2024;\r\n",
        )
        .unwrap();
        let r = lire(&f, &["Habitat Azur".to_string()]).unwrap();
        // No « Bailleur » column: the user chooses, the file name is not a bailleur.
        assert_eq!(r.bailleur, None);
        assert_eq!(r.feuilles.len(), 1);
        let fe = &r.feuilles[0];
        assert_eq!(fe.lignes, 2);
        assert_eq!(fe.ligne_entete, 1);
        assert_eq!(fe.apercu[0][0], "HA-1");
        let champs: Vec<&str> = fe.colonnes.iter().map(|(c, _)| libelle_champ(*c)).collect();
        assert!(champs.contains(&"Date de mise à disposition"), "{champs:?}");
        // A « Bailleur » column naming a bailleur of the dossier: taken as written there.
        let g = dir.join("registre.csv");
        std::fs::write(
            &g,
            "Bailleur;Référence;Réservataire;Date de mise à disposition;Date signature du bail\r\nHABITAT AZUR;HA-1;Préfecture;15/09/2024;\r\n",
        )
        .unwrap();
        let r = lire(&g, &["Habitat Azur".to_string()]).unwrap();
        assert_eq!(r.bailleur.as_deref(), Some("Habitat Azur"));
        assert_eq!(r.bailleurs_du_fichier, ["HABITAT AZUR"]);
        // Unknown to the dossier: nothing chosen.
        assert_eq!(lire(&g, &["Logis des Oliviers".to_string()]).unwrap().bailleur, None);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
