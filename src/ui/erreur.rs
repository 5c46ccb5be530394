//! The window's errors: the core's typed errors, and what the window itself refuses, with
//! the French message the user reads. Messages written for the command line (« relancez
//! avec --bailleur ») are said the window's way here.

use contingents::export::ExportError;
use contingents::format::SaisieError;
use contingents::import::run::ImportError;
use contingents::store::StoreError;
use contingents::suivi::SuiviError;

#[derive(Debug, thiserror::Error)]
pub enum Erreur {
    #[error("{}", dossier(.0))]
    Dossier(#[from] StoreError),
    #[error("{}", import(.0))]
    Import(#[from] ImportError),
    #[error("{}", suivi(.0))]
    Suivi(#[from] SuiviError),
    #[error("{}", export(.0))]
    Export(#[from] ExportError),
    #[error(transparent)]
    Saisie(#[from] SaisieError),
    /// A date typed in a field (named) that is not one.
    #[error("{0} : « {1} » n'est pas une date ; écrivez-la JJ/MM/AAAA, par exemple 15/09/2025")]
    Date(&'static str, String),
    /// A dwelling not fully given (its bailleur or its reference is missing).
    #[error(
        "Logement à préciser : choisissez son bailleur dans la liste et écrivez sa référence, telle que dans l'état des lieux du bailleur."
    )]
    Logement(String),
    #[error("Choisissez d'abord le réservataire dans le panneau des filtres.")]
    SansReservataire,
    #[error("Dossier en lecture seule : une autre fenêtre Contingents l'utilise ; fermez-la pour le modifier ici.")]
    LectureSeule,
    #[error("mise à disposition n° {0} introuvable dans le dossier")]
    MiseADispositionInconnue(i64),
    #[error("{}", rapprochement(.0))]
    Rapprochement(#[from] contingents::rapprochement::RapprochementError),
    #[error(transparent)]
    Periode(#[from] contingents::suivi::bilan::PeriodeError),
    #[error(transparent)]
    Graphique(#[from] contingents::charts::GraphiqueError),
    #[error("lecture annulée : le dossier n'a pas été modifié")]
    Annule,
    #[error("ouverture annulée : le dossier n'a pas été modifié")]
    OuvertureAnnulee,
    #[error("{} existe déjà : choisissez un autre nom (un dossier existant s'ouvre par « Ouvrir un dossier »)", .0.display())]
    DossierExiste(std::path::PathBuf),
    #[error("Rien à exporter : {0}.")]
    RienAExporter(&'static str),
    #[error("{0} : indiquez la date (JJ/MM/AAAA).")]
    SansDate(&'static str),
    #[error("Choisissez à qui le logement est mis à disposition (un réservataire, ou une catégorie hors flux).")]
    SansDestinataire,
    #[error("Choisissez le bailleur de chaque registre dans la liste des bailleurs du dossier.")]
    RegistreSansBailleur,
    #[error("Les états des lieux ont été importés, mais pas le registre : {0}")]
    RegistreNonImporte(Box<Erreur>),
    #[error("{0}")]
    Texte(String),
    /// The ranking needs the year's flux saved (its objectives): what to do, and where.
    #[error(
        "Enregistrez d'abord le flux {} pour {annee} dans l'écran Flux ({}) : sans lui, aucun réservataire n'a d'objectif sur ce logement. Ou choisissez le réservataire dans la liste, sans classement.",
        contingents::format::de(.bailleur),
        contingents::consolidate::nom_epci(.epci)
    )]
    FluxNonEnregistre { bailleur: String, epci: String, annee: i32 },

    #[error(
        "erreur interne ({0}) : le travail a été interrompu, le dossier est resté tel qu'il était ; merci de la signaler avec le fichier concerné"
    )]
    Interne(String),
}

/// The core says what happened; the window adds what to do here.
fn dossier(e: &StoreError) -> String {
    match e {
        StoreError::Missing(_) => format!("{e} : ouvrez-en un autre (menu Dossier)"),
        StoreError::UnknownImport(_) => format!("{e} (voir l'historique)"),
        other => other.to_string(),
    }
}

fn import(e: &ImportError) -> String {
    match e {
        ImportError::NoBailleur(_) => format!("{e} : saisissez-le dans l'assistant d'import"),
        ImportError::Store(s) => dossier(s),
        other => other.to_string(),
    }
}

fn rapprochement(e: &contingents::rapprochement::RapprochementError) -> String {
    match e {
        contingents::rapprochement::RapprochementError::Dossier(s) => dossier(s),
        other => other.to_string(),
    }
}

fn suivi(e: &SuiviError) -> String {
    match e {
        SuiviError::SansBailleur(_) => {
            format!("{e} : ajoutez-lui une colonne « Bailleur » ou nommez le fichier d'après le bailleur")
        }
        SuiviError::Store(s) => dossier(s),
        other => other.to_string(),
    }
}

fn export(e: &ExportError) -> String {
    match e {
        ExportError::Store(s) => dossier(s),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// No message of the window names a command-line option or command.
    #[test]
    fn window_messages_never_name_command_line_options() {
        let all = [
            Erreur::from(StoreError::Missing("/tmp/d.contingents".into())),
            Erreur::from(StoreError::UnknownImport(4)),
            Erreur::from(ImportError::NoBailleur("Unicode.xlsx".into())),
            Erreur::from(ImportError::Store(StoreError::UnknownImport(2))),
            Erreur::from(SuiviError::SansBailleur("registre.csv".into())),
            Erreur::from(ExportError::Store(StoreError::UnknownImport(3))),
            Erreur::from(SaisieError::PasUnNombre("8,5,2".into())),
            Erreur::Date("Date de l'événement", "31/02/2025".into()),
            Erreur::Logement("VH-0012".into()),
        ];
        for e in all {
            let m = e.to_string();
            assert!(!m.contains("--") && !m.contains("`contingents"), "{m}");
            assert!(!m.is_empty());
        }
        assert!(
            Erreur::from(ImportError::NoBailleur("Unicode.xlsx".into())).to_string().contains("assistant d'import")
        );
        // The core says what happened without a command-line word; each face adds its hint.
        for core in [
            StoreError::Missing("d".into()).to_string(),
            StoreError::UnknownImport(4).to_string(),
            ImportError::NoBailleur("f".into()).to_string(),
            SuiviError::SansBailleur("f".into()).to_string(),
        ] {
            assert!(!core.contains("--") && !core.contains("`contingents"), "{core}");
        }
    }
}
