//! Step 5 — the bailleur: a name read in a file name, only ever a proposal (the window asks
//! the user to confirm or type it; the command line takes it, or `--bailleur`).

use crate::text::key;

/// A bailleur name from a file name: `logis_des_oliviers_etat_des_lieux.xlsx` → `Logis des Oliviers`.
pub fn bailleur_from_file_name(name: &str) -> Option<String> {
    // Names written by macOS are decomposed (NFD): composed here, as typed elsewhere.
    use unicode_normalization::UnicodeNormalization;
    // The last component, whatever the system that wrote the path (`/` or `\`, drive letters).
    let last = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let stem: String = std::path::Path::new(last).file_stem()?.to_string_lossy().nfc().collect();
    const GENERIC: &[&str] = &[
        "edl",
        "etat",
        "etats",
        "des",
        "lieux",
        "reservation",
        "reservations",
        "contingent",
        "contingents",
        "export",
        "extraction",
        "fichier",
        "donnees",
        "data",
        "liste",
        "logements",
        "logement",
        "patrimoine",
        "final",
        "def",
        "definitif",
        "copie",
        "de",
        "du",
        "la",
        "le",
        "les",
        "au",
        "v1",
        "v2",
        "v3",
        "version",
        "maj",
        "xlsx",
        "csv",
        "et",
        "d",
        "l",
        "parc",
    ];
    let words: Vec<String> = stem.split(['_', '-', ' ', '.']).filter(|w| !w.is_empty()).map(str::to_string).collect();
    let is_generic = |w: &str| GENERIC.contains(&key(w).as_str()) || w.chars().all(|c| c.is_ascii_digit());
    let start = words.iter().position(|w| !is_generic(w))?;
    let end = words.iter().rposition(|w| !is_generic(w))? + 1;
    let small = ["de", "des", "du", "la", "le", "les", "et", "d", "l", "en", "sur"];
    let out: Vec<String> = words[start..end]
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let lower = w.to_lowercase();
            if i > 0 && small.contains(&lower.as_str()) {
                lower
            } else if w.chars().all(|c| c.is_uppercase() || c.is_ascii_digit()) && w.len() <= 4 {
                w.clone()
            } else {
                // A word written without its accents in a file name (« societe ») gets them back.
                let lower =
                    if lower.is_ascii() { accentue(&lower).map(str::to_string).unwrap_or(lower) } else { lower };
                let mut c = lower.chars();
                c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
            }
        })
        .collect();
    Some(out.join(" ")).filter(|s| !s.is_empty())
}

/// Words of bailleurs' names that file names often write without their accents.
fn accentue(mot: &str) -> Option<&'static str> {
    const MOTS: &[(&str, &str)] = &[
        ("amenagement", "aménagement"),
        ("ardeche", "ardèche"),
        ("ariege", "ariège"),
        ("bearn", "béarn"),
        ("besancon", "besançon"),
        ("beziers", "béziers"),
        ("chambery", "chambéry"),
        ("cite", "cité"),
        ("cites", "cités"),
        ("cooperative", "coopérative"),
        ("cooperatives", "coopératives"),
        ("correze", "corrèze"),
        ("cote", "côte"),
        ("cotes", "côtes"),
        ("departemental", "départemental"),
        ("departementale", "départementale"),
        ("developpement", "développement"),
        ("drome", "drôme"),
        ("economie", "économie"),
        ("economique", "économique"),
        ("economiques", "économiques"),
        ("emeraude", "émeraude"),
        ("energie", "énergie"),
        ("etoile", "étoile"),
        ("etudiants", "étudiants"),
        ("europeenne", "européenne"),
        ("federation", "fédération"),
        ("finistere", "finistère"),
        ("fonciere", "foncière"),
        ("francais", "français"),
        ("francaise", "française"),
        ("frejus", "fréjus"),
        ("generale", "générale"),
        ("hebergement", "hébergement"),
        ("herault", "hérault"),
        ("hyeres", "hyères"),
        ("ile", "île"),
        ("immobiliere", "immobilière"),
        ("isere", "isère"),
        ("lozere", "lozère"),
        ("mediterranee", "méditerranée"),
        ("metropole", "métropole"),
        ("montelimar", "montélimar"),
        ("neolia", "néolia"),
        ("nievre", "nièvre"),
        ("nimes", "nîmes"),
        ("orleans", "orléans"),
        ("perigord", "périgord"),
        ("perigueux", "périgueux"),
        ("pole", "pôle"),
        ("prevoyance", "prévoyance"),
        ("proprietaires", "propriétaires"),
        ("provencale", "provençale"),
        ("pyrenees", "pyrénées"),
        ("regie", "régie"),
        ("regional", "régional"),
        ("regionale", "régionale"),
        ("renovation", "rénovation"),
        ("residence", "résidence"),
        ("residences", "résidences"),
        ("rhone", "rhône"),
        ("securite", "sécurité"),
        ("senart", "sénart"),
        ("sete", "sète"),
        ("sevres", "sèvres"),
        ("societe", "société"),
        ("societes", "sociétés"),
        ("solidarite", "solidarité"),
        ("vallee", "vallée"),
        ("vendee", "vendée"),
    ];
    MOTS.iter().find(|(a, _)| *a == mot).map(|(_, b)| *b)
}

/// The bailleur proposed for a file: a bailleur of the dossier when the file's name names it
/// (whatever its accents and capitals: « societe_immobiliere.xlsx » → « Société Immobilière »
/// as the dossier writes it), else the name read in the file name.
pub fn proposer_bailleur(fichier: &str, connus: &[String]) -> Option<String> {
    let lu = bailleur_from_file_name(fichier)?;
    Some(connus.iter().find(|b| key(b) == key(&lu)).cloned().unwrap_or(lu))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bailleur_names_from_file_names() {
        assert_eq!(
            bailleur_from_file_name("logis_des_oliviers_etat_des_lieux.xlsx").as_deref(),
            Some("Logis des Oliviers")
        );
        assert_eq!(bailleur_from_file_name("habitat_azur_edl_2024.xlsx").as_deref(), Some("Habitat Azur"));
        assert_eq!(
            bailleur_from_file_name("toits_de_la_brague_contingents.csv").as_deref(),
            Some("Toits de la Brague")
        );
        assert_eq!(bailleur_from_file_name("etat_des_lieux_2024.xlsx"), None);
    }

    #[test]
    fn accents_are_kept_and_words_capitalised() {
        assert_eq!(bailleur_from_file_name("EDL_Société_Côte_Habitat.xlsx").as_deref(), Some("Société Côte Habitat"));
        assert_eq!(bailleur_from_file_name("érable_habitat.csv").as_deref(), Some("Érable Habitat"));
        assert_eq!(bailleur_from_file_name("Logirem_2024.xlsx").as_deref(), Some("Logirem"));
        // A macOS file name (NFD) gives the same name as one typed on Windows (NFC).
        assert_eq!(bailleur_from_file_name("Socie\u{301}te\u{301}_Co\u{302}te.xlsx").as_deref(), Some("Société Côte"));
    }

    #[test]
    fn accents_come_back_and_the_dossier_s_name_is_proposed() {
        assert_eq!(bailleur_from_file_name("societe_immobiliere_edl.xlsx").as_deref(), Some("Société Immobilière"));
        assert_eq!(
            bailleur_from_file_name("residences_du_loup_reservations.ods").as_deref(),
            Some("Résidences du Loup")
        );
        // A word that is no accented one stays as written.
        assert_eq!(bailleur_from_file_name("cote_azur_habitat.xlsx").as_deref(), Some("Côte Azur Habitat"));
        assert_eq!(bailleur_from_file_name("logirem.xlsx").as_deref(), Some("Logirem"));
        // Offices named by their département or town, and the words of companies' names.
        assert_eq!(bailleur_from_file_name("herault_habitat_2024.xlsx").as_deref(), Some("Hérault Habitat"));
        assert_eq!(bailleur_from_file_name("ardeche_habitat_edl.ods").as_deref(), Some("Ardèche Habitat"));
        assert_eq!(
            bailleur_from_file_name("drome_amenagement_habitat.xlsx").as_deref(),
            Some("Drôme Aménagement Habitat")
        );
        assert_eq!(bailleur_from_file_name("nimes_metropole_habitat.csv").as_deref(), Some("Nîmes Métropole Habitat"));
        assert_eq!(
            bailleur_from_file_name("regie_immobiliere_de_la_ville.xlsx").as_deref(),
            Some("Régie Immobilière de la Ville")
        );
        // The dossier's own spelling wins.
        let connus = vec!["Habitat Azur".to_string(), "Residences du Loup".to_string()];
        assert_eq!(proposer_bailleur("residences_du_loup_2025.ods", &connus).as_deref(), Some("Residences du Loup"));
        assert_eq!(proposer_bailleur("HABITAT_AZUR.xlsx", &connus).as_deref(), Some("Habitat Azur"));
        assert_eq!(proposer_bailleur("societe_immobiliere.xlsx", &connus).as_deref(), Some("Société Immobilière"));
        assert_eq!(proposer_bailleur("etat_des_lieux.xlsx", &connus), None);
    }
}
