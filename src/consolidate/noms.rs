//! The names people read: réservataires, communes, EPCI (never an internal identifier).

pub fn libelle_reservataire(id: &str) -> String {
    let r = crate::reference::reference();
    match id.split_once(':') {
        None => match id {
            "etat" => "État (contingent préfectoral)".into(),
            "etat-fonctionnaires" => "État (agents civils et militaires)".into(),
            "action-logement" => "Action Logement".into(),
            "defense" => "Défense, sécurité intérieure, santé".into(),
            "non-reserve" => "Non réservé".into(),
            other => other.into(),
        },
        Some(("commune", insee)) => match r.commune(insee) {
            Some(c) => format!("Commune {}", de(c.nom)),
            None => id.into(),
        },
        Some(("epci", siren)) => r.epci(siren).map(|e| e.nom.to_string()).unwrap_or_else(|| id.into()),
        Some(("departement", d)) => {
            r.departement(d).map(|x| format!("Département {} ({d})", x.nom)).unwrap_or_else(|| id.into())
        }
        Some(("region", c)) => r.region(c).map(|x| format!("Région {}", x.nom)).unwrap_or_else(|| id.into()),
        Some(("autre", slug)) => {
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
        _ => id.into(),
    }
}

pub use crate::format::de;

/// A commune's name from its INSEE code.
pub fn nom_commune(insee: &str) -> String {
    crate::reference::reference().commune(insee).map(|c| c.nom.to_string()).unwrap_or_else(|| insee.to_string())
}

/// An EPCI's name from its SIREN.
pub fn nom_epci(siren: &str) -> String {
    crate::reference::reference().epci(siren).map(|e| e.nom.to_string()).unwrap_or_else(|| siren.to_string())
}

#[cfg(test)]
mod label_tests {
    use super::*;

    #[test]
    fn reservataires_have_readable_names() {
        assert_eq!(libelle_reservataire("autre:la-poste"), "La Poste");
        assert_eq!(libelle_reservataire("autre:sncf"), "SNCF");
        assert_eq!(libelle_reservataire("commune:06004"), "Commune d'Antibes");
        assert_eq!(libelle_reservataire("epci:240600585"), "CA de Sophia Antipolis");
        assert_eq!(libelle_reservataire("departement:06"), "Département Alpes-Maritimes (06)");
    }
}
