//! The names people read: réservataires, communes, EPCI (never an internal identifier).

use crate::model::{ChampLibelle, Portee};

/// A réservataire's name short enough for a sheet tab (31 characters), still complete:
/// « État », « État – agents », « Antibes », « Dép. des Alpes-Maritimes ».
pub fn nom_court_reservataire(id: &str) -> String {
    let r = crate::reference::reference();
    let portee = Portee::de(id);
    let court = match portee {
        Portee::Etat => Some("État (préfectoral)".to_string()),
        Portee::Fonctionnaires => Some("État (agents)".to_string()),
        Portee::Defense => Some("Défense, sécurité, santé".to_string()),
        Portee::Commune => portee.code(id).and_then(|c| r.commune(c)).map(|x| format!("Commune {}", de(x.nom))),
        Portee::Departement => portee
            .code(id)
            .and_then(|d| r.departement(d).map(|x| format!("Dép. {}", crate::format::du_departement(d, &x.nom)))),
        _ => None,
    };
    let nom = court.unwrap_or_else(|| libelle_reservataire(id));
    if nom.chars().count() <= 31 {
        return nom;
    }
    // A commune whose name is long: its name alone.
    match Portee::Commune.code(id).and_then(|c| r.commune(c)) {
        Some(x) => x.nom.to_string(),
        None => nom,
    }
}

pub fn libelle_reservataire(id: &str) -> String {
    let r = crate::reference::reference();
    let code = id.split_once(':').map(|(_, c)| c).unwrap_or_default();
    match Portee::de(id) {
        Portee::Etat => "État (contingent préfectoral)".into(),
        Portee::Fonctionnaires => "État (agents civils et militaires)".into(),
        Portee::ActionLogement => "Action Logement".into(),
        Portee::Defense => "Défense, sécurité intérieure, santé".into(),
        Portee::NonReserve => "Non réservé".into(),
        Portee::Inconnue => id.into(),
        Portee::Commune => match r.commune(code) {
            Some(c) => format!("Commune {}", de(c.nom)),
            None => id.into(),
        },
        Portee::Epci => r.epci(code).map(|e| e.nom.to_string()).unwrap_or_else(|| id.into()),
        Portee::Departement => {
            let d = code;
            r.departement(d).map(|_| crate::format::departement_nomme(d)).unwrap_or_else(|| id.into())
        }
        Portee::Region => r.region(code).map(|x| format!("Région {}", x.nom)).unwrap_or_else(|| id.into()),
        Portee::Autre => {
            let slug = code;
            const ACRONYMS: &[&str] =
                &["sncf", "ratp", "edf", "gdf", "caf", "cpam", "msa", "onf", "sdis", "urssaf", "chu"];
            let words: Vec<String> = slug
                .split('-')
                .map(|w| {
                    if ACRONYMS.contains(&w) {
                        w.to_uppercase()
                    } else {
                        let mut c = w.chars();
                        c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
                    }
                })
                .collect();
            words.join(" ")
        }
    }
}

pub use crate::format::de;

/// « de l'État (contingent préfectoral) », « d'Action Logement », « de la commune d'Antibes »,
/// « du département des Alpes-Maritimes »: a réservataire after « mis à disposition ».
pub fn de_reservataire(id: &str) -> String {
    let libelle = libelle_reservataire(id);
    let portee = Portee::de(id);
    match portee {
        Portee::Etat | Portee::Fonctionnaires => format!("de l'{libelle}"),
        Portee::Commune if libelle.starts_with("Commune ") => format!("de la c{}", &libelle[1..]),
        Portee::Departement => match portee.code(id) {
            Some(code) => format!("du {}", crate::format::le_departement(code)),
            None => de(&libelle),
        },
        _ => de(&libelle),
    }
}

/// A commune's name from its INSEE code.
pub fn nom_commune(insee: &str) -> String {
    crate::reference::reference().commune(insee).map(|c| c.nom.to_string()).unwrap_or_else(|| insee.to_string())
}

/// An EPCI's name from its SIREN.
pub fn nom_epci(siren: &str) -> String {
    crate::reference::reference().epci(siren).map(|e| e.nom.to_string()).unwrap_or_else(|| siren.to_string())
}

/// The name of a field of the bailleurs' files, as the user reads it.
pub fn libelle_champ(champ: ChampLibelle) -> &'static str {
    match champ {
        ChampLibelle::Reservataire => "Réservataire",
        ChampLibelle::Commune => "Commune",
        ChampLibelle::Typologie => "Typologie",
        ChampLibelle::Financement => "Financement",
        ChampLibelle::Menage => "Ménage (public prioritaire)",
        ChampLibelle::Quartile => "Quartile de ressources",
        ChampLibelle::Siecle => "Siècle des années à deux chiffres",
    }
}

/// A value chosen for a label, as the user reads it: « Action Logement », « Toulon (Var,
/// 83137) » (a commune with its département: homonyms are told apart).
pub fn libelle_valeur(champ: ChampLibelle, valeur: &str) -> String {
    match champ {
        // A commune réservataire with its département and code, as for a commune.
        ChampLibelle::Reservataire => {
            match Portee::Commune.code(valeur).and_then(|c| crate::reference::reference().commune(c)) {
                Some(c) => {
                    let dep = crate::reference::reference()
                        .departement(c.departement)
                        .map(|d| d.nom.as_str())
                        .unwrap_or(c.departement);
                    format!("{} ({dep}, {})", libelle_reservataire(valeur), c.insee)
                }
                None => libelle_reservataire(valeur),
            }
        }
        ChampLibelle::Commune => crate::reference::reference()
            .commune(valeur)
            .map(|c| c.libelle_complet())
            .unwrap_or_else(|| valeur.to_string()),
        ChampLibelle::Menage => {
            crate::model::Public::parse(valeur).map(|p| p.label().to_string()).unwrap_or_else(|| valeur.into())
        }
        ChampLibelle::Quartile => valeur
            .parse::<u8>()
            .ok()
            .and_then(crate::model::Quartile::du_numero)
            .map(|q| q.label().to_string())
            .unwrap_or_else(|| valeur.into()),
        ChampLibelle::Typologie | ChampLibelle::Financement | ChampLibelle::Siecle => valeur.to_string(),
    }
}

#[cfg(test)]
mod label_tests {
    use super::*;

    #[test]
    fn a_reservataire_after_de_reads_as_french() {
        assert_eq!(de_reservataire("etat"), "de l'État (contingent préfectoral)");
        assert_eq!(de_reservataire("etat-fonctionnaires"), "de l'État (agents civils et militaires)");
        assert_eq!(de_reservataire("action-logement"), "d'Action Logement");
        assert_eq!(de_reservataire("commune:06004"), "de la commune d'Antibes");
        assert_eq!(de_reservataire("commune:06018"), "de la commune de Biot");
        assert_eq!(de_reservataire("departement:06"), "du département des Alpes-Maritimes");
    }

    #[test]
    fn fields_and_values_are_said_in_words() {
        use ChampLibelle::{Commune, Reservataire, Typologie};
        assert_eq!(libelle_champ(Reservataire), "Réservataire");
        assert_eq!(libelle_valeur(Commune, "83137"), "Toulon (Var, 83137)");
        assert_eq!(libelle_valeur(Commune, "06068"), "Gourdon (Alpes-Maritimes, 06068)");
        assert_eq!(libelle_valeur(Commune, "46127"), "Gourdon (Lot, 46127)");
        assert_eq!(libelle_valeur(Reservataire, "action-logement"), "Action Logement");
        assert_eq!(libelle_valeur(Reservataire, "commune:06068"), "Commune de Gourdon (Alpes-Maritimes, 06068)");
        assert_eq!(libelle_valeur(Reservataire, "commune:46127"), "Commune de Gourdon (Lot, 46127)");
        assert_eq!(libelle_valeur(Typologie, "T3"), "T3");
    }

    #[test]
    fn reservataires_have_readable_names() {
        assert_eq!(libelle_reservataire("autre:la-poste"), "La Poste");
        assert_eq!(libelle_reservataire("autre:sncf"), "SNCF");
        assert_eq!(libelle_reservataire("commune:06004"), "Commune d'Antibes");
        assert_eq!(libelle_reservataire("epci:240600585"), "CA de Sophia Antipolis");
        assert_eq!(libelle_reservataire("departement:06"), "Département des Alpes-Maritimes");
        assert_eq!(libelle_reservataire("departement:01"), "Département de l'Ain");
        assert_eq!(libelle_reservataire("departement:67"), "Département du Bas-Rhin");
        assert_eq!(libelle_reservataire("departement:73"), "Département de la Savoie");
        assert_eq!(libelle_reservataire("departement:75"), "Département de Paris");
        assert_eq!(libelle_reservataire("departement:974"), "Département de La Réunion");
    }
}
